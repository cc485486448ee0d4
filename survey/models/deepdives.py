"""Deep-dive interviews (qualitative, not the survey's interviewer mode), their excerpts and codes.

Personal data: a deep dive names its participant by a pseudonymous code only, is scoped to its
community like responses, never enters a survey export, and is erased with its participant's code
(its excerpts and their codes go with it). The audit trail records that the transcript, the
participant code or an excerpt's text changed, never their values (`survey.audit.trail`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.database import UTCDateTime, utcnow
from survey.models.base import Model, enum_type
from survey.models.vocabulary import PARTICIPANT_CODE_MAX, SIXWAYS_DIMENSIONS

if TYPE_CHECKING:  # the related classes, for the annotations; SQLAlchemy resolves them by name
    from survey.models.people import User
    from survey.models.places import Asset, Campaign, Community


class DeepDive(Model):
    """One deep-dive interview: who (a pseudonymous code), where, when, by whom, what they consented to."""

    __tablename__ = "deep_dive"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    # Whose codebook of themes applies; None: the community's latest campaign's (see survey.deepdives).
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaign.id", ondelete="SET NULL"))
    # A pseudonym such as "DOV-07" (vocabulary.PARTICIPANT_CODE_PATTERN), never a name.
    participant_code: Mapped[str] = mapped_column(String(PARTICIPANT_CODE_MAX), index=True)
    held_on: Mapped[date]
    interviewer_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    # What the participant agreed to, each yes or no: an audio recording; being quoted (without
    # their name) in profiles, packs, workshop cards and reports; the transcript shared beyond the
    # study team (the excerpts download for qualitative tools).
    consent_recording: Mapped[bool] = mapped_column(default=False)
    consent_quotation: Mapped[bool] = mapped_column(default=False)
    consent_sharing: Mapped[bool] = mapped_column(default=False)
    # The notes or transcript as plain text; excerpts point into it by character offsets.
    transcript: Mapped[str] = mapped_column(Text, default="")
    # The uploaded file's name when the text came from a .txt, .docx or .odt (the file is not kept).
    source_filename: Mapped[str] = mapped_column(String(255), default="")
    # Demo data: made up, and every page showing it says so.
    synthetic: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    community: Mapped[Community] = relationship()
    campaign: Mapped[Campaign | None] = relationship()
    interviewer: Mapped[User | None] = relationship(foreign_keys=[interviewer_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    excerpts: Mapped[list[Excerpt]] = relationship(
        back_populates="deep_dive", order_by="Excerpt.start", cascade="all, delete-orphan", passive_deletes=True
    )


class Theme(Model):
    """A project's own code in a campaign's codebook, beside the six ways and the community's assets."""

    __tablename__ = "theme"
    __table_args__ = (UniqueConstraint("campaign_id", "key", name="uq_theme_campaign_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    # A short slug (a-z, 0-9, _), unique in the campaign: the `theme` column of the excerpts download.
    key: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    campaign: Mapped[Campaign] = relationship()


class Excerpt(Model):
    """A span of a deep dive's transcript, `start` to `end` (characters, end exclusive), with its codes.

    `text` keeps the span as it was coded, so retrieval shows it even if the transcript is later
    edited (an edit that moves the span re-anchors or flags it: survey.deepdives).
    """

    __tablename__ = "excerpt"
    __table_args__ = (
        CheckConstraint("start >= 0", name="start_not_negative"),
        CheckConstraint('"end" > start', name="end_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    deep_dive_id: Mapped[int] = mapped_column(ForeignKey("deep_dive.id", ondelete="CASCADE"), index=True)
    start: Mapped[int]
    end: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    deep_dive: Mapped[DeepDive] = relationship(back_populates="excerpts")
    codes: Mapped[list[ExcerptCode]] = relationship(
        back_populates="excerpt", cascade="all, delete-orphan", passive_deletes=True
    )


class ExcerptCode(Model):
    """One code on an excerpt: exactly one of a six ways dimension, an asset, or a project theme."""

    __tablename__ = "excerpt_code"
    __table_args__ = (
        CheckConstraint(
            "(CASE WHEN sixways IS NULL THEN 0 ELSE 1 END) + (CASE WHEN asset_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN theme_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="exactly_one_code",
        ),
        UniqueConstraint("excerpt_id", "sixways", name="uq_excerpt_code_sixways"),
        UniqueConstraint("excerpt_id", "asset_id", name="uq_excerpt_code_asset"),
        UniqueConstraint("excerpt_id", "theme_id", name="uq_excerpt_code_theme"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    excerpt_id: Mapped[int] = mapped_column(ForeignKey("excerpt.id", ondelete="CASCADE"), index=True)
    sixways: Mapped[str | None] = mapped_column(enum_type(SIXWAYS_DIMENSIONS, "excerpt_sixways"))
    asset_id: Mapped[int | None] = mapped_column(ForeignKey("asset.id", ondelete="CASCADE"), index=True)
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("theme.id", ondelete="CASCADE"), index=True)

    excerpt: Mapped[Excerpt] = relationship(back_populates="codes")
    asset: Mapped[Asset | None] = relationship()
    theme: Mapped[Theme | None] = relationship()
