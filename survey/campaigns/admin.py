"""Setting campaigns up: create and edit drafts, open, close (the screens' side of `campaigns.py`).

Only a draft can be edited: once a campaign opens, its questionnaire and asset list are
frozen, and its settings describe data already being collected. Closing is final
(`open_campaign` refuses to reopen a closed campaign).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

from sqlalchemy import func, select

from survey.assets.operations import FieldErrors
from survey.campaigns.operations import (
    ASSET_TEMPLATE_KEY,
    SLUG_PATTERN,
    close_campaign,
    create_campaign,
    instrument_keys_problem,
    open_campaign,
)
from survey.database import NAMING_LOCK_KEY, take_turns
from survey.exceptions import ServiceError
from survey.extensions import db
from survey.models import SAMPLING_METHODS, Asset, Campaign, Community


@dataclass(frozen=True)
class CampaignSettings:
    """Everything the campaign form sets."""

    community_id: int
    slug: str
    title: str
    instrument_keys: tuple[str, ...]
    opens_on: date | None = None
    closes_on: date | None = None
    target_sample_size: int | None = None
    population_size: int | None = None
    population_source: str | None = None
    sampling_method: str | None = None
    double_entry_percent: int = 0
    wave: int = 1
    show_score: bool = False
    practice: bool = False


def check_settings(settings: CampaignSettings, campaign: Campaign | None = None) -> Community:
    """The campaign's community, or FieldErrors naming each problem."""
    problems: dict[str, str] = {}
    community = db.session.get(Community, settings.community_id)
    if community is None:
        problems["community_id"] = "Choose a community."
    if not SLUG_PATTERN.match(settings.slug) or len(settings.slug) > 60:
        problems["slug"] = "Use lower-case letters and digits in words joined by single hyphens, like dover-2025."
    else:
        clash = db.session.scalar(select(Campaign).where(Campaign.slug == settings.slug))
        if clash is not None and clash is not campaign:
            problems["slug"] = f"The web address {settings.slug} is already used by the campaign {clash.title}."
    if not settings.title.strip():
        problems["title"] = "Enter a title."
    problem = instrument_keys_problem(settings.instrument_keys)
    if problem:
        problems["instruments"] = problem
    if settings.sampling_method is not None and settings.sampling_method not in SAMPLING_METHODS:
        problems["sampling_method"] = "Choose random, quota or convenience, or leave it as not recorded."
    if settings.opens_on and settings.closes_on and settings.closes_on < settings.opens_on:
        problems["closes_on"] = "The closing date must be on or after the opening date."
    if problems or community is None:
        raise FieldErrors(problems)
    return community


def create_draft(settings: CampaignSettings) -> Campaign:
    """Create a draft campaign from the form's settings."""
    take_turns(db.session, NAMING_LOCK_KEY)
    community = check_settings(settings)
    extra = asdict(settings)
    for name in ("community_id", "slug", "title", "instrument_keys"):
        extra.pop(name)
    return create_campaign(community, settings.slug, settings.title.strip(), settings.instrument_keys, **extra)


def update_draft(campaign: Campaign, settings: CampaignSettings) -> Campaign:
    """Change a draft campaign's settings."""
    if campaign.status != "draft":
        raise ServiceError("Only a draft campaign can be edited: this one has opened, so its settings are fixed.")
    take_turns(db.session, NAMING_LOCK_KEY)
    community = check_settings(settings, campaign)
    values = asdict(settings)
    values.pop("community_id")
    values["title"] = settings.title.strip()
    values["instrument_keys"] = list(settings.instrument_keys)
    campaign.community = community
    for name, value in values.items():
        if getattr(campaign, name) != value:
            setattr(campaign, name, value)
    db.session.flush()
    return campaign


def open_draft(campaign: Campaign) -> Campaign:
    """Open a draft (LicenceRequiredError if a copyright scale has no licence recorded)."""
    # The row locked and read again: of a double-clicked Open, the second then finds the campaign
    # open, where it snapshotted the instruments and assets a second time (a 500 on PostgreSQL).
    campaign = db.session.scalars(
        select(Campaign).where(Campaign.id == campaign.id).with_for_update().execution_options(populate_existing=True)
    ).one()
    if campaign.status != "draft":
        raise ServiceError("Only a draft campaign can be opened.")
    return open_campaign(campaign)


def close_open(campaign: Campaign) -> Campaign:
    """Close an open campaign for good."""
    if campaign.status != "open":
        raise ServiceError("Only an open campaign can be closed.")
    return close_campaign(campaign)


def opening_warnings(campaign: Campaign) -> list[str]:
    """Things worth knowing before opening a draft (not errors: the researcher decides)."""
    warnings = []
    if ASSET_TEMPLATE_KEY in campaign.instrument_keys:
        live = db.session.scalar(
            select(func.count(Asset.id)).where(Asset.community_id == campaign.community_id, Asset.retired.is_(False))
        )
        if not live:
            warnings.append(
                "The campaign asks about local assets, but this community's asset log has no active entries: "
                "residents would see only the nominations question."
            )
    return warnings
