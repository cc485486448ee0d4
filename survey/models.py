"""The data model: every table the platform keeps, in one place.

Residents' answers are stored item by item (`Answer`, `AssetUse`) together
with the instrument versions the response was answered on, so any response can
be re-scored later by the scoring library. Responses carry no contact details.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Enum,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from .database import UTCDateTime, utcnow
from .extensions import db

ASSET_KINDS = ("community_group", "individual", "place", "voluntary_org", "other")
ROLES = ("admin", "researcher", "peer")
MODES = ("online", "interview", "paper")
RESPONSE_STATUSES = ("partial", "complete")
CAMPAIGN_STATUSES = ("draft", "open", "closed")
SIXWAYS_DIMENSIONS = ("connect", "be_active", "keep_learning", "take_notice", "give", "care")

# An asset slug becomes a variable name (`asset_<slug>`) in SPSS and Stata files;
# Stata stops at 32 characters, and len("asset_") + 26 = 32.
ASSET_SLUG_PATTERN = r"^[a-z0-9_]{1,26}$"


def _enum(values: tuple[str, ...], name: str) -> Enum:
    # Stored as text with a named CHECK constraint: portable, and readable in raw SQL.
    return Enum(*values, name=name, native_enum=False, create_constraint=True, length=20)


class Community(db.Model):
    __tablename__ = "community"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    assets: Mapped[list[Asset]] = relationship(back_populates="community", order_by="Asset.name")
    campaigns: Mapped[list[Campaign]] = relationship(back_populates="community")


class Asset(db.Model):
    """Something residents value: a group, person, place or organisation."""

    __tablename__ = "asset"
    __table_args__ = (
        CheckConstraint("annual_cost IS NULL OR annual_cost >= 0", name="annual_cost_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Unique across communities: it names a column in every export.
    slug: Mapped[str] = mapped_column(String(26), unique=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(_enum(ASSET_KINDS, "asset_kind"))
    description: Mapped[str] = mapped_column(Text, default="")
    location: Mapped[str] = mapped_column(String(300), default="")
    annual_cost: Mapped[float | None] = mapped_column(Numeric(12, 2, asdecimal=False))
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


class User(db.Model):
    """A member of staff: admin, researcher or peer researcher (logins come later)."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    role: Mapped[str] = mapped_column(_enum(ROLES, "user_role"))
    active: Mapped[bool] = mapped_column(default=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Licence(db.Model):
    """The deploying organisation's licence to use a copyright instrument."""

    __tablename__ = "licence"

    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_key: Mapped[str] = mapped_column(String(40), index=True)
    holder: Mapped[str] = mapped_column(String(200))
    reference: Mapped[str] = mapped_column(String(200))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    recorded_by: Mapped[User | None] = relationship()


class InstrumentVersion(db.Model):
    """A frozen copy of an instrument definition as responses were collected on it."""

    __tablename__ = "instrument_version"
    __table_args__ = (UniqueConstraint("key", "version", name="uq_instrument_version_key_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40))
    version: Mapped[int]
    content_hash: Mapped[str] = mapped_column(String(64))
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Campaign(db.Model):
    """One round of the survey in one community."""

    __tablename__ = "campaign"
    __table_args__ = (
        CheckConstraint(
            "double_entry_percent >= 0 AND double_entry_percent <= 100", name="double_entry_percent_range"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    # Instrument keys in the order residents meet them, chosen before opening.
    instrument_keys: Mapped[list[str]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(_enum(CAMPAIGN_STATUSES, "campaign_status"), default="draft")
    opens_on: Mapped[date | None]
    closes_on: Mapped[date | None]
    target_sample_size: Mapped[int | None]
    # For valuation: scaling sample users to the population needs both of these.
    population_size: Mapped[int | None]
    sampling_method: Mapped[str | None] = mapped_column(String(200))
    double_entry_percent: Mapped[int] = mapped_column(default=0)
    show_score: Mapped[bool] = mapped_column(default=False)
    # Training runs: responses kept apart from every analysis and export.
    practice: Mapped[bool] = mapped_column(default=False)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    community: Mapped[Community] = relationship(back_populates="campaigns")
    instruments: Mapped[list[CampaignInstrument]] = relationship(
        order_by="CampaignInstrument.position", cascade="all, delete-orphan"
    )
    assets: Mapped[list[CampaignAsset]] = relationship(
        order_by="CampaignAsset.position", cascade="all, delete-orphan"
    )


class CampaignInstrument(db.Model):
    """Which instrument version a campaign asks, fixed when it opens."""

    __tablename__ = "campaign_instrument"
    __table_args__ = (UniqueConstraint("campaign_id", "position", name="uq_campaign_instrument_position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    position: Mapped[int]
    instrument_version_id: Mapped[int] = mapped_column(ForeignKey("instrument_version.id"))

    instrument_version: Mapped[InstrumentVersion] = relationship(lazy="joined")


class CampaignAsset(db.Model):
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
    kind: Mapped[str] = mapped_column(_enum(ASSET_KINDS, "campaign_asset_kind"))

    asset: Mapped[Asset] = relationship()


class Response(db.Model):
    """One person's questionnaire: anonymous, identified publicly by `public_id` only."""

    __tablename__ = "response"
    __table_args__ = (
        Index("ix_response_campaign_status", "campaign_id", "status"),
        CheckConstraint("status <> 'complete' OR submitted_at IS NOT NULL", name="complete_has_submitted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"))
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    mode: Mapped[str] = mapped_column(_enum(MODES, "response_mode"))
    # {instrument key: version}: what this person was asked, for re-scoring.
    instrument_versions: Mapped[dict[str, int]] = mapped_column(JSON)
    consent: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(_enum(RESPONSE_STATUSES, "response_status"), default="partial")
    # One random token per rendered consent form: a double-clicked "Start" creates one response.
    start_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    resume_code_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    resume_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    campaign: Mapped[Campaign] = relationship()
    answers: Mapped[list[Answer]] = relationship(cascade="all, delete-orphan", passive_deletes=True)
    asset_uses: Mapped[list[AssetUse]] = relationship(cascade="all, delete-orphan", passive_deletes=True)
    entered_by: Mapped[User | None] = relationship()


class Answer(db.Model):
    """One item's answer: a code or number in `value`, free text in `text`."""

    __tablename__ = "answer"
    __table_args__ = (UniqueConstraint("response_id", "item_key", name="uq_answer_response_item"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("response.id", ondelete="CASCADE"))
    item_key: Mapped[str] = mapped_column(String(60))
    value: Mapped[int | None]
    text: Mapped[str | None] = mapped_column(Text)


class AssetUse(db.Model):
    """How often a person uses one snapshotted asset and how much it matters to them."""

    __tablename__ = "asset_use"
    __table_args__ = (
        UniqueConstraint("response_id", "campaign_asset_id", name="uq_asset_use_response_asset"),
        CheckConstraint("frequency IS NULL OR (frequency BETWEEN 0 AND 4)", name="frequency_range"),
        CheckConstraint("importance IS NULL OR (importance BETWEEN 1 AND 5)", name="importance_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("response.id", ondelete="CASCADE"))
    campaign_asset_id: Mapped[int] = mapped_column(ForeignKey("campaign_asset.id"))
    frequency: Mapped[int | None]
    importance: Mapped[int | None]

    campaign_asset: Mapped[CampaignAsset] = relationship()
