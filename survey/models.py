"""The data model: every table the platform keeps, in one place.

Residents' answers are stored item by item (`Answer`, `AssetUse`) together
with the instrument versions the response was answered on, so any response can
be re-scored later by the scoring library. Responses carry no contact details.
"""

from __future__ import annotations

import re
import secrets
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    Enum,
    ForeignKey,
    Index,
    LargeBinary,
    Numeric,
    String,
    Table,
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
# "declined": the person chose "Prefer not to say" (residents online); never stored as an option code.
MISSING_REASONS = ("blank", "multiple", "declined")
PAPER_FORM_STATUSES = ("issued", "returned", "keyed", "verified", "spoiled")
AUDIT_ACTIONS = ("create", "update", "delete")
REPORT_STATUSES = ("queued", "running", "done", "failed")
# What a campaign's fieldwork quotas count: the community, or a demographics answer.
QUOTA_DIMENSIONS = ("community", "age_band", "gender")
ACCESS_CHANNELS = ("web", "api", "cli")
EXPORT_FORMATS = ("csv", "xlsx", "sav", "dta")
EXPORT_CONTENTS = ("both", "items", "scores")
SIXWAYS_DIMENSIONS = ("connect", "be_active", "keep_learning", "take_notice", "give", "care")
# How a campaign's sample was drawn decides how valuation scales users: random samples to the
# population, quota samples the same with a warning, convenience samples not at all (surveyed users only).
SAMPLING_METHODS = ("random", "quota", "convenience")
ADJUSTMENT_FRACTIONS = ("deadweight", "displacement", "attribution", "drop_off")

# An asset slug becomes a variable name (`asset_<slug>`) in SPSS and Stata files;
# Stata stops at 32 characters, and len("asset_") + 26 = 32.
ASSET_SLUG_PATTERN = r"^[a-z0-9_]{1,26}$"

# The verb residents read in "Do you <phrase> <asset>?" unless the asset log gives its own.
DEFAULT_QUESTION_PHRASES = {
    "place": "go to",
    "community_group": "take part in",
    "voluntary_org": "use",
    "individual": "see",
    "other": "use or go to",
}
QUESTION_PHRASE_MAX = 40


def default_question_phrase(kind: str | None) -> str:
    return DEFAULT_QUESTION_PHRASES.get(kind or "", DEFAULT_QUESTION_PHRASES["other"])


def _phrase_for_kind(context: Any) -> str:
    return default_question_phrase(context.get_current_parameters().get("kind"))


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
        CheckConstraint("cost_year IS NULL OR (cost_year BETWEEN 1900 AND 2100)", name="cost_year_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Unique across communities: it names a column in every export.
    slug: Mapped[str] = mapped_column(String(26), unique=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(_enum(ASSET_KINDS, "asset_kind"))
    # "go to", "take part in", "see": how residents are asked about it ("Do you go to Swanley Park?").
    question_phrase: Mapped[str] = mapped_column(String(QUESTION_PHRASE_MAX), default=_phrase_for_kind)
    description: Mapped[str] = mapped_column(Text, default="")
    location: Mapped[str] = mapped_column(String(300), default="")
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


user_community = Table(
    "user_community",
    db.metadata,
    Column("user_id", ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True),
    Column("community_id", ForeignKey("community.id", ondelete="CASCADE"), primary_key=True),
)


class User(db.Model):
    """A member of staff: admin, researcher or peer researcher."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(_enum(ROLES, "user_role"))
    active: Mapped[bool] = mapped_column(default=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    # Part of every login session; replacing it signs the user out everywhere
    # (sign-out, deactivation, password change).
    session_token: Mapped[str] = mapped_column(String(64), default=lambda: secrets.token_hex(32))
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    communities: Mapped[list[Community]] = relationship(secondary=user_community, order_by="Community.name")

    # Flask-Login's user protocol.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def display_name(self) -> str:
        return self.name or self.email


class PasswordReset(db.Model):
    """A one-time password reset link issued by an admin (no email server is assumed)."""

    __tablename__ = "password_reset"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])


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
        CheckConstraint("double_entry_percent >= 0 AND double_entry_percent <= 100", name="double_entry_percent_range"),
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
    # For valuation: scaling sample users to the population needs these. `population_size` is the
    # residents in the surveyed ages (16+ by default) the sample represents, never a whole-town
    # total with children; `population_source` says where the figure comes from.
    population_size: Mapped[int | None]
    population_source: Mapped[str | None] = mapped_column(Text)
    sampling_method: Mapped[str | None] = mapped_column(_enum(SAMPLING_METHODS, "sampling_method"))
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
    assets: Mapped[list[CampaignAsset]] = relationship(order_by="CampaignAsset.position", cascade="all, delete-orphan")


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
    # The asset's question phrase when the campaign opened (NULL for campaigns opened before 0006).
    question_phrase: Mapped[str | None] = mapped_column(String(QUESTION_PHRASE_MAX))

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
    # False only while a paper form sampled for double entry awaits its second entry
    # or has unresolved discrepancies; analysis and exports use verified responses by default.
    verified: Mapped[bool] = mapped_column(default=True)
    # The page a resident last saved (1-based), so resuming and "Carry on" return there.
    last_page: Mapped[int | None]
    # One-time link between the thank-you page's contact form and this response (SHA-256 of a
    # random token shown once); cleared when used. Expires 30 minutes after submission.
    contact_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    contact_token_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

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
    # Why a keyed paper answer is missing: "blank" (left blank) or "multiple" (more than one box ticked).
    missing_reason: Mapped[str | None] = mapped_column(_enum(MISSING_REASONS, "answer_missing_reason"))


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
    # The answer to "Do you go to ...?" (asset_use version 2); "no" also stores frequency 0 ("never").
    # NULL when the frequency was answered directly (paper grid, version 1).
    uses: Mapped[bool | None]
    frequency: Mapped[int | None]
    importance: Mapped[int | None]

    campaign_asset: Mapped[CampaignAsset] = relationship()


class ContactDetail(db.Model):
    """Contact details a resident volunteered for a follow-up; kept apart from answers, admins only.

    Linked to the response by the response's opaque public id, never copied into
    answers or exports; erasing deletes the row (the audit trail records only that it changed).
    """

    __tablename__ = "contact_detail"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_public_id: Mapped[str | None] = mapped_column(String(32), index=True)
    community_id: Mapped[int | None] = mapped_column(ForeignKey("community.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    # What the person agreed to be contacted about: "interview", "workshop" or both, comma-separated.
    purposes: Mapped[str] = mapped_column(String(60), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PaperBatch(db.Model):
    """A batch of numbered paper forms issued to one peer researcher."""

    __tablename__ = "paper_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    issued_to_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    size: Mapped[int]
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Rendered once when the batch is issued, then served as stored.
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    # The PDF is made off the request (survey.services.jobs); its progress is shown on the batch's page.
    pdf_status: Mapped[str] = mapped_column(
        _enum(REPORT_STATUSES, "paper_batch_pdf_status"), default="done", server_default="done"
    )
    pdf_step: Mapped[str] = mapped_column(String(200), default="", server_default="")
    pdf_progress: Mapped[float] = mapped_column(default=1.0, server_default="1")
    pdf_error: Mapped[str | None] = mapped_column(Text)
    # When the PDF was last queued (issued, or made again): a job still unfinished long after has died.
    pdf_queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    campaign: Mapped[Campaign] = relationship()
    issued_to: Mapped[User] = relationship(foreign_keys=[issued_to_id])
    issued_by: Mapped[User | None] = relationship(foreign_keys=[issued_by_id])
    forms: Mapped[list[PaperForm]] = relationship(back_populates="batch", order_by="PaperForm.serial")


class PaperForm(db.Model):
    """One printed questionnaire, identified by a serial number that carries a check digit."""

    __tablename__ = "paper_form"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("paper_batch.id"), index=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    serial: Mapped[str] = mapped_column(String(20), unique=True)
    status: Mapped[str] = mapped_column(_enum(PAPER_FORM_STATUSES, "paper_form_status"), default="issued")
    # Drawn when the batch is issued, from the campaign's double-entry percentage.
    needs_double_entry: Mapped[bool] = mapped_column(default=False)
    response_id: Mapped[int | None] = mapped_column(ForeignKey("response.id"), unique=True)
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    batch: Mapped[PaperBatch] = relationship(back_populates="forms")
    campaign: Mapped[Campaign] = relationship()
    response: Mapped[Response | None] = relationship()
    entries: Mapped[list[PaperEntry]] = relationship(back_populates="form", order_by="PaperEntry.entry_number")


class PaperEntry(db.Model):
    """One person's keying of one paper form: first entry, or the independent second entry."""

    __tablename__ = "paper_entry"
    __table_args__ = (
        UniqueConstraint("form_id", "entry_number", name="uq_paper_entry_form_number"),
        UniqueConstraint("form_id", "entered_by_id", name="uq_paper_entry_form_person"),
        CheckConstraint("entry_number IN (1, 2)", name="entry_number_one_or_two"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("paper_form.id"))
    entry_number: Mapped[int]
    entered_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    # {item key: code, text or None}, and {item key: "blank" | "multiple"} for missing answers.
    values: Mapped[dict[str, Any]] = mapped_column(JSON)
    missing_reasons: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    form: Mapped[PaperForm] = relationship(back_populates="entries")
    entered_by: Mapped[User] = relationship()


class Discrepancy(db.Model):
    """An item where the two entries of a paper form disagree, and how a researcher resolved it."""

    __tablename__ = "discrepancy"
    __table_args__ = (UniqueConstraint("form_id", "item_key", name="uq_discrepancy_form_item"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("paper_form.id"), index=True)
    item_key: Mapped[str] = mapped_column(String(60))
    first_value: Mapped[str | None] = mapped_column(String(2000))
    second_value: Mapped[str | None] = mapped_column(String(2000))
    resolved_value: Mapped[str | None] = mapped_column(String(2000))
    resolved: Mapped[bool] = mapped_column(default=False)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    form: Mapped[PaperForm] = relationship()
    resolved_by: Mapped[User | None] = relationship()


class AuditEvent(db.Model):
    """Who created, changed or deleted what, with before and after values. Append-only."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_entity", "entity_type", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # None for residents and command-line jobs; `actor_label` says which.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    actor_label: Mapped[str] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(_enum(AUDIT_ACTIONS, "audit_action"))
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(64))
    # {field: [before, after]}; for contact details only the field names, with "changed".
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    actor: Mapped[User | None] = relationship()


class ReportJob(db.Model):
    """A workshop report built in the background; progress lives here so any worker can show it."""

    __tablename__ = "report_job"

    id: Mapped[int] = mapped_column(primary_key=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    # Scope: one campaign, one community, or neither for everything (practice campaigns never count).
    campaign_slug: Mapped[str | None] = mapped_column(String(60))
    community_slug: Mapped[str | None] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(_enum(REPORT_STATUSES, "report_status"), default="queued")
    step: Mapped[str] = mapped_column(String(200), default="waiting to start")
    progress: Mapped[float] = mapped_column(default=0.0)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The zip of report.html and the CSV tables, relative to RESULTS_DIR; removed by `flask purge` when old.
    file_path: Mapped[str | None] = mapped_column(String(500))

    requested_by: Mapped[User | None] = relationship()


class ApiToken(db.Model):
    """A researcher's key to the JSON API. Only a SHA-256 of the token is kept: the token itself
    is shown once, when it is created, and cannot be recovered from the database."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters of the token, so its owner can tell their tokens apart.
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class DataAccess(db.Model):
    """Download governance: every dataset download, export and API read -- who, what, which
    filters, when and how many rows. Append-only, like the audit trail."""

    __tablename__ = "data_access"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    # The e-mail address at the time (kept if the account is later deleted), or "cli:<command>".
    user_label: Mapped[str] = mapped_column(String(254))
    channel: Mapped[str] = mapped_column(_enum(ACCESS_CHANNELS, "access_channel"))
    # What was read: "export", "api:responses", "api:campaigns", ...
    resource: Mapped[str] = mapped_column(String(60))
    format: Mapped[str | None] = mapped_column(String(10))
    # The filters as given: campaigns, communities, verified_only, content, page...
    filters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    row_count: Mapped[int | None]

    user: Mapped[User | None] = relationship()


class ExportJob(db.Model):
    """A dataset download built off the request path (xlsx, sav, dta): the zip is written under
    RESULTS_DIR, progress lives here so any web worker can show it."""

    __tablename__ = "export_job"

    id: Mapped[int] = mapped_column(primary_key=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    format: Mapped[str] = mapped_column(_enum(EXPORT_FORMATS, "export_format"))
    content: Mapped[str] = mapped_column(_enum(EXPORT_CONTENTS, "export_content"), default="both")
    verified_only: Mapped[bool] = mapped_column(default=False)
    # Slug lists; None means no restriction (everything the requester may see).
    campaign_slugs: Mapped[list[str] | None] = mapped_column(JSON)
    community_slugs: Mapped[list[str] | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(_enum(REPORT_STATUSES, "export_status"), default="queued")
    step: Mapped[str] = mapped_column(String(200), default="waiting to start")
    progress: Mapped[float] = mapped_column(default=0.0)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The finished zip, relative to RESULTS_DIR; removed by `flask purge` when old.
    file_path: Mapped[str | None] = mapped_column(String(500))
    size_bytes: Mapped[int | None]
    row_count: Mapped[int | None]

    requested_by: Mapped[User | None] = relationship()


class ValuationAdjustment(db.Model):
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
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    campaign: Mapped[Campaign] = relationship()
    asset: Mapped[Asset] = relationship()
    updated_by: Mapped[User | None] = relationship()


class CampaignQuota(db.Model):
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
    dimension: Mapped[str] = mapped_column(_enum(QUOTA_DIMENSIONS, "quota_dimension"))
    category: Mapped[str] = mapped_column(String(60))
    target: Mapped[int]

    campaign: Mapped[Campaign] = relationship()
