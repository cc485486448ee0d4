"""Turn a template instrument (asset use) into a concrete one for a campaign's list of assets."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

from instruments.model import Instrument, Item

# 26 characters keeps "asset_<slug>_value" within 38 characters, short enough for column names
# in every export format we write.
SLUG_PATTERN = re.compile(r"^[a-z0-9_]{1,26}$")
# What "{phrase}" becomes when an asset gives none ("How often do you use or go to ...?").
DEFAULT_PHRASE = "use or go to"


def instantiate_asset_use(
    template: Instrument, assets: Sequence[tuple[str, str] | tuple[str, str, str | None]]
) -> Instrument:
    """Return `template` with one item per (template, asset), in asset order, then its fixed items.

    Parameters
    ----------
    template
        An instrument with `item_templates` (keys containing ``{slug}``, texts and screeners containing
        ``{name}`` and optionally ``{phrase}``).
    assets
        (slug, name) pairs or (slug, name, phrase) triples in display order; slugs must match
        ``^[a-z0-9_]{1,26}$`` and be unique; a missing or empty phrase reads "use or go to".
    """
    if not template.item_templates:
        raise ValueError(f"instrument {template.key!r} has no item templates to instantiate")
    items: list[Item] = []
    first_use: dict[str, str] = {item.key: "a fixed item" for item in template.items}
    for position, pair in enumerate(assets):
        if not (isinstance(pair, (tuple, list)) and len(pair) in (2, 3)):
            raise ValueError(f"asset {position}: expected a (slug, name) pair, got {pair!r}")
        slug, name = pair[0], pair[1]
        phrase = pair[2] if len(pair) == 3 else None
        if phrase is not None and not isinstance(phrase, str):
            raise ValueError(f"asset {position}: phrase must be text, got {phrase!r}")
        phrase = " ".join((phrase or "").split()) or DEFAULT_PHRASE
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
            text = _fill(item_template.text, name.strip(), phrase)
            screener = _fill(item_template.screener, name.strip(), phrase) if item_template.screener else None
            items.append(dataclasses.replace(item_template, key=key, text=text, screener=screener))
    return dataclasses.replace(template, items=tuple(items) + template.items, item_templates=())


def _fill(text: str, name: str, phrase: str) -> str:
    # Phrase first: a name may itself contain "{phrase}".
    return text.replace("{phrase}", phrase).replace("{name}", name)
