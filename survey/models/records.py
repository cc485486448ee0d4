"""What the platform records about its own work: the audit trail, the data access log, report and export jobs."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from survey.database import UTCDateTime, utcnow
from survey.models.base import Model, enum_type
from survey.models.vocabulary import (
    ACCESS_CHANNELS,
    AUDIT_ACTIONS,
    EXPORT_CONTENTS,
    EXPORT_FORMATS,
    EXPORT_LABELS,
    EXPORT_MISSING,
    REPORT_STATUSES,
)

if TYPE_CHECKING:  # the related classes, for the annotations; SQLAlchemy resolves them by name
    from survey.models.people import User


class JobProgress:
    """What every background job's row holds (`survey.jobs` writes it): who asked, the step it is at,
    how far it has got, why it failed, and when it was asked for."""

    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    step: Mapped[str] = mapped_column(String(200), default="waiting to start")
    progress: Mapped[float] = mapped_column(default=0.0)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @declared_attr
    def requested_by(cls) -> Mapped[User | None]:
        return relationship("User")


class AuditEvent(Model):
    """Who created, changed or deleted what, with before and after values. Append-only."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_entity", "entity_type", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # None for residents and command-line jobs; `actor_label` says which.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    actor_label: Mapped[str] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(enum_type(AUDIT_ACTIONS, "audit_action"))
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(64))
    # {field: [before, after]}; for contact details only the field names, with "changed".
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    actor: Mapped[User | None] = relationship()


class ReportJob(JobProgress, Model):
    """A workshop report built in the background; progress lives here so any worker can show it."""

    __tablename__ = "report_job"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Scope: one campaign, one community, or neither for everything (practice campaigns never count).
    campaign_slug: Mapped[str | None] = mapped_column(String(60))
    community_slug: Mapped[str | None] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(enum_type(REPORT_STATUSES, "report_status"), default="queued")
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The zip of report.html and the CSV tables, relative to RESULTS_DIR; removed by `flask purge` when old.
    file_path: Mapped[str | None] = mapped_column(String(500))


class AnalysisSnapshot(JobProgress, Model):
    """The per-asset figures of one analysis run for a community (all its non-practice campaigns, or
    one), stored so profile pages and the pack read them instead of running the models per view.

    Built by a job (`survey.datasets.snapshots`); the newest finished row of a scope is the current one.
    `fingerprint` summarises the data it was built from, so a page can say when the data has changed.
    """

    __tablename__ = "analysis_snapshot"
    __table_args__ = (Index("ix_analysis_snapshot_scope", "community_id", "campaign_slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id", ondelete="CASCADE"))
    # None: every non-practice campaign of the community.
    campaign_slug: Mapped[str | None] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(enum_type(REPORT_STATUSES, "snapshot_status"), default="queued")
    built_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    fingerprint: Mapped[str | None] = mapped_column(String(64))
    responses: Mapped[int | None]
    # `analysis.profile.profile_snapshot`: the community summary and one profile per asset.
    figures: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class ProfilePackJob(JobProgress, Model):
    """A printable profile pack (HTML and PDF in a zip) built in the background."""

    __tablename__ = "profile_pack_job"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_slug: Mapped[str] = mapped_column(String(60))
    campaign_slug: Mapped[str | None] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(enum_type(REPORT_STATUSES, "pack_status"), default="queued")
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The zip of profiles.html and profiles.pdf, relative to RESULTS_DIR.
    file_path: Mapped[str | None] = mapped_column(String(500))


class DataAccess(Model):
    """Download governance: every dataset download, export and API read -- who, what, which
    filters, when and how many rows. Append-only, like the audit trail."""

    __tablename__ = "data_access"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    # The e-mail address at the time (kept if the account is later deleted), or "cli:<command>".
    user_label: Mapped[str] = mapped_column(String(254))
    channel: Mapped[str] = mapped_column(enum_type(ACCESS_CHANNELS, "access_channel"))
    # What was read: "export", "api:responses", "api:campaigns", ...
    resource: Mapped[str] = mapped_column(String(60))
    format: Mapped[str | None] = mapped_column(String(10))
    # The filters as given: campaigns, communities, verified_only, content, page...
    filters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    row_count: Mapped[int | None]

    user: Mapped[User | None] = relationship()


class ExportJob(JobProgress, Model):
    """A dataset download built off the request path (xlsx, sav, dta): the zip is written under
    RESULTS_DIR, progress lives here so any web worker can show it."""

    __tablename__ = "export_job"

    id: Mapped[int] = mapped_column(primary_key=True)
    format: Mapped[str] = mapped_column(enum_type(EXPORT_FORMATS, "export_format"))
    content: Mapped[str] = mapped_column(enum_type(EXPORT_CONTENTS, "export_content"), default="both")
    # CSV and xlsx: blanks or missing-data codes, codes or value labels (issue 13).
    missing: Mapped[str] = mapped_column(enum_type(EXPORT_MISSING, "export_missing"), default="blank")
    labels: Mapped[str] = mapped_column(enum_type(EXPORT_LABELS, "export_labels"), default="codes")
    verified_only: Mapped[bool] = mapped_column(default=False)
    # Partial (unsubmitted) responses included, with status "partial"; off by default.
    include_partial: Mapped[bool] = mapped_column(default=False)
    # Slug lists; None means no restriction (everything the requester may see).
    campaign_slugs: Mapped[list[str] | None] = mapped_column(JSON)
    community_slugs: Mapped[list[str] | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(enum_type(REPORT_STATUSES, "export_status"), default="queued")
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The finished zip, relative to RESULTS_DIR; removed by `flask purge` when old.
    file_path: Mapped[str | None] = mapped_column(String(500))
    size_bytes: Mapped[int | None]
    row_count: Mapped[int | None]


class ImportBatch(JobProgress, Model):
    """One response import: written in short chunks as "importing" rows, then published at once.

    It is also the job row when the web app runs the import on the job queue: progress lives
    here so any web worker can show it. `heartbeat_at` moves with every chunk; a batch not
    published whose heartbeat stopped was abandoned, and its rows are removed
    (`survey.ops.maintenance.discard_abandoned_imports`).
    """

    __tablename__ = "import_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_label: Mapped[str] = mapped_column(String(254))
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(enum_type(REPORT_STATUSES, "import_status"), default="queued")
    heartbeat_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The waiting upload for a queued web import, relative to RESULTS_DIR; removed when the job ends.
    file_path: Mapped[str | None] = mapped_column(String(500))
    added: Mapped[int | None]
    already_present: Mapped[int | None]
    # {campaign slug: responses added}, for the result message.
    new_by_campaign: Mapped[dict[str, int] | None] = mapped_column(JSON)
