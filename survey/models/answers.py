"""Responses, stored item by item with the instrument versions they were answered on, and contact details kept apart."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.database import UTCDateTime, utcnow
from survey.models.base import Model, enum_type
from survey.models.vocabulary import MISSING_REASONS, MODES, RESPONSE_STATUSES

if TYPE_CHECKING:  # the related classes, for the annotations; SQLAlchemy resolves them by name
    from survey.models.people import User
    from survey.models.places import Campaign, CampaignAsset
    from survey.models.records import ImportBatch


class Response(Model):
    """One person's questionnaire: anonymous, identified publicly by `public_id` only."""

    __tablename__ = "response"
    __table_args__ = (
        Index("ix_response_campaign_status", "campaign_id", "status"),
        CheckConstraint("status <> 'complete' OR submitted_at IS NOT NULL", name="complete_has_submitted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(64), unique=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"))
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    mode: Mapped[str] = mapped_column(enum_type(MODES, "response_mode"))
    # {instrument key: version}: what this person was asked, for re-scoring.
    instrument_versions: Mapped[dict[str, int]] = mapped_column(JSON)
    consent: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(enum_type(RESPONSE_STATUSES, "response_status"), default="partial")
    # One random token per rendered consent form: a double-clicked "Start" creates one response.
    start_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    resume_code_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    resume_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # False only while a paper form sampled for double entry awaits its second entry
    # or has unresolved discrepancies; analysis and exports use verified responses by default.
    verified: Mapped[bool] = mapped_column(default=True)
    # The page a resident last saved (1-based), so resuming and "Carry on" return there.
    last_page: Mapped[int | None]
    # Paradata: pages saved in the online or interview flow (every Continue, Back or Save), and
    # whether a resident came back with a resume code. NULL = not recorded (paper forms, and rows
    # stored before these were kept).
    pages_saved: Mapped[int | None]
    resumed: Mapped[bool | None]
    # One-time link between the thank-you page's contact form and this response (SHA-256 of a
    # random token shown once); cleared when used. Expires 30 minutes after submission.
    contact_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    contact_token_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The response import that wrote this row; its status stays "importing" until the batch publishes.
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"), index=True)

    campaign: Mapped[Campaign] = relationship()
    import_batch: Mapped[ImportBatch | None] = relationship()
    answers: Mapped[list[Answer]] = relationship(cascade="all, delete-orphan", passive_deletes=True)
    asset_uses: Mapped[list[AssetUse]] = relationship(cascade="all, delete-orphan", passive_deletes=True)
    entered_by: Mapped[User | None] = relationship()


class Answer(Model):
    """One item's answer: a code or number in `value`, free text in `text`."""

    __tablename__ = "answer"
    __table_args__ = (
        UniqueConstraint("response_id", "item_key", name="uq_answer_response_item"),
        # Covers the export's read of (response, item, value): the index alone answers it, without a
        # table lookup per answer (migration 0015: 3.8 -> 2.6 s of the 100,000-response export's
        # reads; about 25 us more CPU to store a 30-answer survey).
        Index("ix_answer_covering", "response_id", "item_key", "value"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("response.id", ondelete="CASCADE"))
    item_key: Mapped[str] = mapped_column(String(60))
    value: Mapped[int | None]
    text: Mapped[str | None] = mapped_column(Text)
    # Why a keyed paper answer is missing: "blank" (left blank) or "multiple" (more than one box ticked).
    missing_reason: Mapped[str | None] = mapped_column(enum_type(MISSING_REASONS, "answer_missing_reason"))


class AssetUse(Model):
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
    # The answer to "Do you go to ...?" (asset_use version 2); "no" also stores frequency 0 ("never").
    # NULL when the frequency was answered directly (paper grid, version 1).
    uses: Mapped[bool | None]
    frequency: Mapped[int | None]
    importance: Mapped[int | None]

    campaign_asset: Mapped[CampaignAsset] = relationship()


class ContactDetail(Model):
    """Contact details a resident volunteered for a follow-up; kept apart from answers, admins only.

    Linked to the response by the response's opaque public id, never copied into
    answers or exports; erasing deletes the row (the audit trail records only that it changed).
    """

    __tablename__ = "contact_detail"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_public_id: Mapped[str | None] = mapped_column(String(64), index=True)
    community_id: Mapped[int | None] = mapped_column(ForeignKey("community.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    # What the person agreed to be contacted about: "interview", "workshop" or both, comma-separated.
    purposes: Mapped[str] = mapped_column(String(60), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
