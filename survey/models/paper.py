"""Paper forms: numbered batches, each form's keyed entries and their discrepancies."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.database import UTCDateTime, utcnow
from survey.models.base import Model, enum_type
from survey.models.vocabulary import PAPER_FORM_STATUSES, REPORT_STATUSES

if TYPE_CHECKING:  # the related classes, for the annotations; SQLAlchemy resolves them by name
    from survey.models.answers import Response
    from survey.models.people import User
    from survey.models.places import Campaign


class PaperBatch(Model):
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
    # The PDF is made off the request (survey.jobs); its progress is shown on the batch's page.
    pdf_status: Mapped[str] = mapped_column(
        enum_type(REPORT_STATUSES, "paper_batch_pdf_status"), default="done", server_default="done"
    )
    pdf_step: Mapped[str] = mapped_column(String(200), default="", server_default="")
    pdf_progress: Mapped[float] = mapped_column(default=1.0, server_default="1")
    pdf_error: Mapped[str | None] = mapped_column(Text)
    # When the PDF was last queued (issued, or made again): a job still unfinished long after has died.
    pdf_queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The issuing form's one-time token: sent twice (a double-clicked Issue) it finds this batch
    # instead of numbering a second one. NULL for batches issued from the command line or a script.
    issue_token: Mapped[str | None] = mapped_column(String(64), unique=True, index=True)

    campaign: Mapped[Campaign] = relationship()
    issued_to: Mapped[User] = relationship(foreign_keys=[issued_to_id])
    issued_by: Mapped[User | None] = relationship(foreign_keys=[issued_by_id])
    forms: Mapped[list[PaperForm]] = relationship(back_populates="batch", order_by="PaperForm.serial")


class PaperForm(Model):
    """One printed questionnaire, identified by a serial number that carries a check digit."""

    __tablename__ = "paper_form"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("paper_batch.id"), index=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    serial: Mapped[str] = mapped_column(String(20), unique=True)
    status: Mapped[str] = mapped_column(enum_type(PAPER_FORM_STATUSES, "paper_form_status"), default="issued")
    # Drawn when the batch is issued, from the campaign's double-entry percentage.
    needs_double_entry: Mapped[bool] = mapped_column(default=False)
    response_id: Mapped[int | None] = mapped_column(ForeignKey("response.id"), unique=True)
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    batch: Mapped[PaperBatch] = relationship(back_populates="forms")
    campaign: Mapped[Campaign] = relationship()
    response: Mapped[Response | None] = relationship()
    entries: Mapped[list[PaperEntry]] = relationship(back_populates="form", order_by="PaperEntry.entry_number")


class PaperEntry(Model):
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


class Discrepancy(Model):
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
