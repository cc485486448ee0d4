"""Names instead of slugs, item wording from the instrument definitions, one colour per community."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

import instruments
from analysis.report.phrases import blank
from analysis.result import AnalysisTables

# Okabe-Ito colours (colour-blind safe), darkest first and yellow last; hatches and markers make
# the communities tell apart in black and white too.
COMMUNITY_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#000000", "#E69F00", "#56B4E9", "#F0E442")
COMMUNITY_HATCHES = ("", "//", "..", "xx", "\\\\", "++", "--", "oo")
COMMUNITY_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
OVERALL_COLOUR = "#595959"

SIXWAYS_LABELS = {
    "sixways_connect": "Connect",
    "sixways_be_active": "Be active",
    "sixways_keep_learning": "Keep learning",
    "sixways_take_notice": "Take notice",
    "sixways_give": "Give",
    "sixways_care": "Care",
}


def readable(slug: str) -> str:
    """A readable fallback for a slug with no recorded name: 'dover-town' -> 'Dover Town'."""
    words = re.split(r"[-_\s]+", str(slug).strip())
    return " ".join(word[:1].upper() + word[1:] for word in words if word)


@dataclass(frozen=True)
class Style:
    """How one community is drawn."""

    colour: str
    hatch: str
    marker: str


@dataclass(frozen=True)
class Names:
    """Display names of communities and assets, and each community's fixed drawing style."""

    communities: dict[str, str]
    assets: dict[str, str]
    asset_community: dict[str, str]
    styles: dict[str, Style] = field(default_factory=dict)

    def community(self, slug: Any) -> str:
        """The community's name (or a readable fallback)."""
        return self.communities.get(str(slug)) or readable(str(slug))

    def asset(self, slug: Any) -> str:
        """The asset's name (its slug only if it is not in the asset list)."""
        return self.assets.get(str(slug), str(slug))

    def style(self, community: Any) -> Style:
        """Colour, hatch and marker of a community (grey for 'overall')."""
        return self.styles.get(str(community), Style(OVERALL_COLOUR, "", "o"))

    def ordered(self) -> list[str]:
        """Community slugs in display order (by name)."""
        return sorted(self.styles, key=lambda slug: self.community(slug).lower())

    def clean(self, text: Any) -> str:
        """Text with quoted community or asset slugs (as in model warnings) replaced by names."""
        out = "" if blank(text) else str(text)
        for slug, name in (*self.communities.items(), *self.assets.items()):
            out = out.replace(f"'{slug}'", name).replace(f'"{slug}"', name)
        return out


def names_for(result: AnalysisTables) -> Names:
    """Names of every community and asset in `result`'s dataset (and its value table)."""
    dataset = result.dataset
    communities: dict[str, str] = {}
    for frame in (getattr(result, "asset_value", None), dataset.campaigns, dataset.assets):
        if frame is None or "community_name" not in frame or "community" not in frame:
            continue
        for slug, name in zip(frame["community"], frame["community_name"], strict=True):
            if not blank(name) and str(name).strip() and str(slug) not in communities:
                communities[str(slug)] = str(name).strip()
    slugs = sorted(
        {str(c) for c in dataset.responses["community"]} | {str(c) for c in dataset.assets["community"]},
    )
    for slug in slugs:
        communities.setdefault(slug, readable(slug))
    assets = {str(slug): str(name) for slug, name in zip(dataset.assets["slug"], dataset.assets["name"], strict=True)}
    asset_community = {
        str(slug): str(community)
        for slug, community in zip(dataset.assets["slug"], dataset.assets["community"], strict=True)
    }
    order = sorted(slugs, key=lambda slug: communities[slug].lower())
    styles = {
        slug: Style(
            COMMUNITY_COLOURS[index % len(COMMUNITY_COLOURS)],
            COMMUNITY_HATCHES[index % len(COMMUNITY_HATCHES)],
            COMMUNITY_MARKERS[index % len(COMMUNITY_MARKERS)],
        )
        for index, slug in enumerate(order)
    }
    return Names(communities, assets, asset_community, styles)


def item_text(key: str) -> str:
    """An item's wording from its instrument definition (the key itself if no instrument has it)."""
    for instrument in instruments.catalogue().values():
        for item in instrument.items:
            if item.key == key:
                return item.text
    return key


def with_community_names(frame: pd.DataFrame, names: Names, column: str = "community") -> pd.Series:
    """The community names of a column of slugs."""
    return frame[column].map(names.community)
