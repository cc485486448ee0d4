"""Communities, their assets, campaigns and what a campaign asks, licences and agreed adjustments."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from survey.database import UTCDateTime, utcnow
from survey.models.base import Model, enum_type
from survey.models.vocabulary import (
    ADJUSTMENT_FRACTIONS,
    ASSET_KINDS,
    ASSET_SLUG_PATTERN,
    CAMPAIGN_STATUSES,
    QUESTION_PHRASE_MAX,
    QUOTA_DIMENSIONS,
    SAMPLING_METHODS,
    default_question_phrase,
)

if TYPE_CHECKING:  # the related classes, for the annotations; SQLAlchemy resolves them by name
    from survey.models.people import User
    from survey.models.workshops import Workshop


def _phrase_for_kind(context: Any) -> str:
    return default_question_phrase(context.get_current_parameters().get("kind"))


class Community(Model):
    __tablename__ = "community"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    assets: Mapped[list[Asset]] = relationship(back_populates="community", order_by="Asset.name")
    campaigns: Mapped[list[Campaign]] = relationship(back_populates="community")


class Asset(Model):
    """Something residents value: a group, person, place or organisation."""

    __tablename__ = "asset"
    __table_args__ = (
        CheckConstraint("annual_cost IS NULL OR annual_cost >= 0", name="annual_cost_not_negative"),
        CheckConstraint("cost_year IS NULL OR (cost_year BETWEEN 1900 AND 2100)", name="cost_year_range"),
        CheckConstraint("latitude IS NULL OR (latitude BETWEEN -90 AND 90)", name="latitude_range"),
        CheckConstraint("longitude IS NULL OR (longitude BETWEEN -180 AND 180)", name="longitude_range"),
        CheckConstraint("(latitude IS NULL) = (longitude IS NULL)", name="latitude_with_longitude"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Unique across communities: it names a column in every export.
    slug: Mapped[str] = mapped_column(String(26), unique=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(enum_type(ASSET_KINDS, "asset_kind"))
    # "go to", "take part in", "see": how residents are asked about it ("Do you go to Swanley Park?").
    question_phrase: Mapped[str] = mapped_column(String(QUESTION_PHRASE_MAX), default=_phrase_for_kind)
    description: Mapped[str] = mapped_column(Text, default="")
    location: Mapped[str] = mapped_column(String(300), default="")
    # Where it is on a map (WGS 84 degrees, both or neither). A postcode alone cannot be placed
    # offline: such an asset is listed beside the map, not on it.
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    postcode: Mapped[str] = mapped_column(String(10), default="", server_default="")
    # Who runs it (a council team, a charity, volunteers): free text shown on its profile.
    run_by: Mapped[str] = mapped_column(String(200), default="", server_default="")
    annual_cost: Mapped[float | None] = mapped_column(Numeric(12, 2, asdecimal=False))
    # The price year of `annual_cost`: a ratio against WELLBY values needs both in one year's prices.
    cost_year: Mapped[int | None]
    sixways_dimensions: Mapped[list[str]] = mapped_column(JSON, default=list)
    retired: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    community: Mapped[Community] = relationship(back_populates="assets")

    @validates("slug")
    def _check_slug(self, _key: str, slug: str) -> str:
        if not re.match(ASSET_SLUG_PATTERN, slug):
            raise ValueError(f"asset slug {slug!r} must be 1-26 characters of a-z, 0-9 and _")
        if slug.endswith("_value"):
            # `asset_<slug>_value` is the importance column of asset <slug>: keep names unambiguous.
            raise ValueError(f"asset slug {slug!r} must not end in '_value'")
        return slug


class Licence(Model):
    """The deploying organisation's licence to use a copyright instrument."""

    __tablename__ = "licence"

    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_key: Mapped[str] = mapped_column(String(40), index=True)
    holder: Mapped[str] = mapped_column(String(200))
    reference: Mapped[str] = mapped_column(String(200))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    recorded_by: Mapped[User | None] = relationship()


class InstrumentVersion(Model):
    """A frozen copy of an instrument definition as responses were collected on it."""

    __tablename__ = "instrument_version"
    __table_args__ = (UniqueConstraint("key", "version", name="uq_instrument_version_key_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40))
    version: Mapped[int]
    content_hash: Mapped[str] = mapped_column(String(64))
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Campaign(Model):
    """One round of the survey in one community."""

    __tablename__ = "campaign"
    __table_args__ = (
        CheckConstraint("double_entry_percent >= 0 AND double_entry_percent <= 100", name="double_entry_percent_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    # Instrument keys in the order residents meet them, chosen before opening.
    instrument_keys: Mapped[list[str]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(enum_type(CAMPAIGN_STATUSES, "campaign_status"), default="draft")
    opens_on: Mapped[date | None]
    closes_on: Mapped[date | None]
    target_sample_size: Mapped[int | None]
    # For valuation: scaling sample users to the population needs these. `population_size` is the
    # residents in the surveyed ages (16+ by default) the sample represents, never a whole-town
    # total with children; `population_source` says where the figure comes from.
    population_size: Mapped[int | None]
    population_source: Mapped[str | None] = mapped_column(Text)
    sampling_method: Mapped[str | None] = mapped_column(enum_type(SAMPLING_METHODS, "sampling_method"))
    double_entry_percent: Mapped[int] = mapped_column(default=0)
    show_score: Mapped[bool] = mapped_column(default=False)
    # Training runs: responses kept apart from every analysis and export.
    practice: Mapped[bool] = mapped_column(default=False)
    # Which round of a repeat survey of the same community this is (1 = the first), for panel analysis.
    wave: Mapped[int] = mapped_column(default=1, server_default="1")
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    community: Mapped[Community] = relationship(back_populates="campaigns")
    instruments: Mapped[list[CampaignInstrument]] = relationship(
        order_by="CampaignInstrument.position", cascade="all, delete-orphan"
    )
    assets: Mapped[list[CampaignAsset]] = relationship(order_by="CampaignAsset.position", cascade="all, delete-orphan")


class CampaignInstrument(Model):
    """Which instrument version a campaign asks, fixed when it opens."""

    __tablename__ = "campaign_instrument"
    __table_args__ = (UniqueConstraint("campaign_id", "position", name="uq_campaign_instrument_position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    position: Mapped[int]
    instrument_version_id: Mapped[int] = mapped_column(ForeignKey("instrument_version.id"))

    instrument_version: Mapped[InstrumentVersion] = relationship(lazy="joined")


class CampaignAsset(Model):
    """The asset log as it stood when the campaign opened (what residents were asked about)."""

    __tablename__ = "campaign_asset"
    __table_args__ = (
        UniqueConstraint("campaign_id", "asset_id", name="uq_campaign_asset_asset"),
        UniqueConstraint("campaign_id", "slug", name="uq_campaign_asset_slug"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    asset_id: Mapped[int] = mapped_column(ForeignKey("asset.id"))
    position: Mapped[int]
    slug: Mapped[str] = mapped_column(String(26))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(enum_type(ASSET_KINDS, "campaign_asset_kind"))
    # The asset's question phrase when the campaign opened (NULL for campaigns opened before 0006).
    question_phrase: Mapped[str | None] = mapped_column(String(QUESTION_PHRASE_MAX))

    asset: Mapped[Asset] = relationship()


class ValuationAdjustment(Model):
    """The SROI adjustments a workshop agreed for one asset's value in one campaign, with its reason.

    Fractions are 0-1: net = gross x (1 - deadweight) x (1 - displacement) x (1 - attribution),
    over `years` with `drop_off` a year. Until a row exists, every figure for the asset is gross.
    """

    __tablename__ = "valuation_adjustment"
    __table_args__ = (
        UniqueConstraint("campaign_id", "asset_id", name="uq_valuation_adjustment_campaign_asset"),
        *(CheckConstraint(f"{name} >= 0 AND {name} <= 1", name=f"{name}_fraction") for name in ADJUSTMENT_FRACTIONS),
        CheckConstraint("years >= 1", name="years_at_least_one"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    asset_id: Mapped[int] = mapped_column(ForeignKey("asset.id", ondelete="CASCADE"), index=True)
    deadweight: Mapped[float] = mapped_column(default=0.0)
    displacement: Mapped[float] = mapped_column(default=0.0)
    attribution: Mapped[float] = mapped_column(default=0.0)
    drop_off: Mapped[float] = mapped_column(default=0.0)
    years: Mapped[int] = mapped_column(default=1)
    reason: Mapped[str] = mapped_column(Text)
    # Who agreed it: names or roles of the workshop's participants.
    agreed_by: Mapped[str] = mapped_column(Text, default="")
    agreed_on: Mapped[date | None]
    # The impact workshop that agreed it (its facilitator's screen wrote it), named in reports' provenance.
    workshop_id: Mapped[int | None] = mapped_column(ForeignKey("workshop.id", ondelete="SET NULL"))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    campaign: Mapped[Campaign] = relationship()
    asset: Mapped[Asset] = relationship()
    updated_by: Mapped[User | None] = relationship()
    workshop: Mapped[Workshop | None] = relationship()


class CampaignQuota(Model):
    """A fieldwork target: complete responses wanted in a campaign from one community, age band or gender.

    `category` is the community's slug, or the demographics option code as text ("3" for 35-44).
    """

    __tablename__ = "campaign_quota"
    __table_args__ = (
        UniqueConstraint("campaign_id", "dimension", "category", name="uq_campaign_quota_category"),
        CheckConstraint("target >= 1", name="target_at_least_one"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    dimension: Mapped[str] = mapped_column(enum_type(QUOTA_DIMENSIONS, "quota_dimension"))
    category: Mapped[str] = mapped_column(String(60))
    target: Mapped[int]

    campaign: Mapped[Campaign] = relationship()
