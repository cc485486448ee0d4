"""The codebook: a campaign's own themes, and the whole code system a deep dive is coded with.

Three kinds of code sit side by side (`CODE_KINDS`): the six ways to wellbeing (fixed), the
community's assets (its asset log) and the project's own themes (a codebook per campaign, kept
here). Theme keys are what the excerpts download writes in its `theme` column, so they follow the
slug rule of the other identifiers: a-z, 0-9 and `_`.

Which themes a deep dive is coded with (`codebook_campaign`): its own campaign's; a deep dive with
no campaign takes the community's latest campaign that is not a practice one (latest by opening
time, then id, as workshops and the dataset reader choose "the latest campaign").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import func, select

import instruments
from survey.assets.fields import DIMENSION_LABELS
from survey.assets.operations import FieldErrors
from survey.database import NAMING_LOCK_KEY, take_turns
from survey.extensions import db
from survey.models import SIXWAYS_DIMENSIONS, Asset, Campaign, Community, DeepDive, ExcerptCode, Theme

THEME_KEY_PATTERN = re.compile(r"^[a-z0-9_]+\Z")
KEY_MAX, NAME_MAX, DESCRIPTION_MAX = 40, 120, 2000
CODE_KINDS = ("sixways", "asset", "theme")
KIND_LABELS = {"sixways": "Six ways to wellbeing", "asset": "Asset", "theme": "Project theme"}


@dataclass(frozen=True)
class CodebookEntry:
    """One code of the code system, as the codebook CSV lists it."""

    key: str
    name: str
    description: str
    kind: str


def check_theme(key: str, name: str, description: str) -> tuple[str, str, str]:
    """The theme's values tidied (key lower case, spaces trimmed); FieldErrors naming each problem."""
    key, name, description = key.strip().lower(), name.strip(), description.strip()
    problems = {}
    if not key:
        problems["key"] = "Enter a key, like cost_of_living."
    elif len(key) > KEY_MAX:
        problems["key"] = f"Use at most {KEY_MAX} characters for the key."
    elif THEME_KEY_PATTERN.match(key) is None:
        problems["key"] = "Use only lower-case letters a to z, digits and underscores (_) in the key."
    if not name:
        problems["name"] = "Enter a name, like Cost of living."
    elif len(name) > NAME_MAX:
        problems["name"] = f"Use at most {NAME_MAX} characters for the name."
    if len(description) > DESCRIPTION_MAX:
        problems["description"] = f"Use at most {DESCRIPTION_MAX} characters for the description."
    if problems:
        raise FieldErrors(problems)
    return key, name, description


def _key_taken(campaign: Campaign, key: str, theme: Theme | None = None) -> bool:
    query = select(Theme.id).where(Theme.campaign_id == campaign.id, Theme.key == key)
    if theme is not None:
        query = query.where(Theme.id != theme.id)
    return db.session.scalar(query) is not None


def add_theme(campaign: Campaign, key: str, name: str, description: str = "") -> Theme:
    """A new theme in `campaign`'s codebook (flushed; the caller commits)."""
    key, name, description = check_theme(key, name, description)
    take_turns(db.session, NAMING_LOCK_KEY)
    if _key_taken(campaign, key):
        raise FieldErrors({"key": f"{campaign.title} already has a theme with the key {key}."})
    theme = Theme(campaign=campaign, key=key, name=name, description=description)
    db.session.add(theme)
    db.session.flush()
    return theme


def update_theme(theme: Theme, key: str, name: str, description: str = "") -> Theme:
    """Change a theme; its codes stay on their excerpts (flushed; the caller commits)."""
    key, name, description = check_theme(key, name, description)
    take_turns(db.session, NAMING_LOCK_KEY)
    if _key_taken(theme.campaign, key, theme):
        raise FieldErrors({"key": f"{theme.campaign.title} already has a theme with the key {key}."})
    theme.key, theme.name, theme.description = key, name, description
    db.session.flush()
    return theme


def delete_theme(theme: Theme) -> int:
    """Delete a theme and its codes on excerpts; returns how many codes went (flushed)."""
    # Deleted here rather than by the database's cascade, so the audit trail records each code that goes.
    codes = list(db.session.scalars(select(ExcerptCode).filter_by(theme_id=theme.id)))
    for code in codes:
        db.session.delete(code)
    db.session.delete(theme)
    db.session.flush()
    return len(codes)


def theme_code_count(theme: Theme) -> int:
    """How many excerpts this theme codes."""
    return db.session.scalar(select(func.count(ExcerptCode.id)).where(ExcerptCode.theme_id == theme.id)) or 0


def campaign_themes(campaign: Campaign | None) -> list[Theme]:
    """A campaign's codebook, by name; none for no campaign."""
    if campaign is None:
        return []
    return list(db.session.scalars(select(Theme).filter_by(campaign_id=campaign.id).order_by(Theme.name, Theme.id)))


def code_counts_by_theme(campaign: Campaign) -> dict[int, int]:
    """{theme id: how many excerpts it codes} for the campaign's themes that code any."""
    query = (
        select(ExcerptCode.theme_id, func.count(ExcerptCode.id))
        .join(Theme, Theme.id == ExcerptCode.theme_id)
        .where(Theme.campaign_id == campaign.id)
        .group_by(ExcerptCode.theme_id)
    )
    return {theme_id: count for theme_id, count in db.session.execute(query) if theme_id is not None}


def latest_campaign(community: Community) -> Campaign | None:
    """The community's latest campaign that is not a practice one (by opening time, then id)."""
    campaigns = [c for c in community.campaigns if not c.practice]
    return max(campaigns, key=_recency, default=None)


def codebook_campaign(deep_dive: DeepDive) -> Campaign | None:
    """Whose themes code this deep dive: its campaign's, else the community's latest (module docstring)."""
    return deep_dive.campaign if deep_dive.campaign is not None else latest_campaign(deep_dive.community)


def current_assets(community: Community) -> list[Asset]:
    """The assets a new code may name: the community's, not retired, by name."""
    return [asset for asset in community.assets if not asset.retired]


@cache
def sixways_descriptions() -> dict[str, str]:
    """Each dimension described by the survey's own questions about it (instruments/definitions/sixways.yaml)."""
    instrument = instruments.get("sixways")
    described = {}
    for dimension in SIXWAYS_DIMENSIONS:
        asked = [item.text for item in instrument.items if item.key.startswith(f"sixways_{dimension}_")]
        described[dimension] = f"{instrument.stem} " + " / ".join(asked)
    return described


def codebook_entries(community: Community, themes: list[Theme]) -> list[CodebookEntry]:
    """The whole code system: the six ways, every asset of the community (retired ones too, since
    excerpts coded earlier may name them), then `themes`."""
    entries = [
        CodebookEntry(key, DIMENSION_LABELS[key], sixways_descriptions()[key], "sixways") for key in SIXWAYS_DIMENSIONS
    ]
    assets = db.session.scalars(select(Asset).filter_by(community_id=community.id).order_by(Asset.slug))
    entries += [CodebookEntry(asset.slug, asset.name, asset.description, "asset") for asset in assets]
    entries += [CodebookEntry(theme.key, theme.name, theme.description, "theme") for theme in themes]
    return entries


def community_themes(community: Community) -> list[Theme]:
    """The themes of every campaign of the community, one per key: a key in several campaigns' codebooks
    is one code (the excerpts download writes only the key), named as the latest campaign names it."""
    query = select(Theme).join(Campaign, Campaign.id == Theme.campaign_id).where(Campaign.community_id == community.id)
    by_key: dict[str, Theme] = {}
    for theme in db.session.scalars(query):
        kept = by_key.get(theme.key)
        if kept is None or _recency(theme.campaign) > _recency(kept.campaign):
            by_key[theme.key] = theme
    return sorted(by_key.values(), key=lambda theme: (theme.name, theme.key))


def _recency(campaign: Campaign) -> tuple[datetime, int]:
    return (campaign.opened_at or campaign.created_at, campaign.id)
