"""Turn a template instrument (asset use) into a concrete one for a campaign's list of assets."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

from instruments.model import Instrument, Item

# 26 characters keeps "asset_<slug>_value" within 38 characters, short enough for column names
# in every export format we write.
SLUG_PATTERN = re.compile(r"^[a-z0-9_]{1,26}$")


def instantiate_asset_use(template: Instrument, assets: Sequence[tuple[str, str]]) -> Instrument:
    """Return `template` with one item per (template, asset), in asset order, then its fixed items.

    Parameters
    ----------
    template
        An instrument with `item_templates` (keys containing ``{slug}``, texts containing ``{name}``).
    assets
        (slug, name) pairs in display order; slugs must match ``^[a-z0-9_]{1,26}$`` and be unique.
    """
    if not template.item_templates:
        raise ValueError(f"instrument {template.key!r} has no item templates to instantiate")
    items: list[Item] = []
    first_use: dict[str, str] = {item.key: "a fixed item" for item in template.items}
    for position, pair in enumerate(assets):
        if not (isinstance(pair, (tuple, list)) and len(pair) == 2):
            raise ValueError(f"asset {position}: expected a (slug, name) pair, got {pair!r}")
        slug, name = pair
        if not isinstance(slug, str) or not SLUG_PATTERN.fullmatch(slug):
            raise ValueError(f"asset {position}: slug {slug!r} must be 1-26 characters of a-z, 0-9 or underscore")
        if not isinstance(name, str) or not name.strip():
            raise ValueError(f"asset {position} ({slug}): name must be non-empty text, got {name!r}")
        for item_template in template.item_templates:
            key = item_template.key.replace("{slug}", slug)
            if key in first_use:
                raise ValueError(f"asset {position} ({slug}): item key {key!r} clashes with {first_use[key]}")
            first_use[key] = f"the items of asset {slug!r}"
            # str.replace, not str.format: an asset name may contain braces.
            text = item_template.text.replace("{name}", name.strip())
            items.append(dataclasses.replace(item_template, key=key, text=text))
    return dataclasses.replace(template, items=tuple(items) + template.items, item_templates=())
