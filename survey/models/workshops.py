"""Impact workshops: the assets a room discusses, its participants (no accounts) and their ratings."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.database import UTCDateTime, utcnow
from survey.models.base import Model, enum_type
from survey.models.vocabulary import PARTICIPANT_GROUPS, WORKSHOP_STATUSES

if TYPE_CHECKING:  # the related classes, for the annotations; SQLAlchemy resolves them by name
    from survey.models.people import User
    from survey.models.places import Asset, Campaign, Community


class Workshop(Model):
    """One impact workshop for a community: participants join with `code` while it is open."""

    __tablename__ = "workshop"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    # Where agreed adjustments go; None: the community's latest non-practice campaign at the time.
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaign.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    held_on: Mapped[date]
    # Stored normalised (upper case, no separators); shown grouped as ABCD-EFGH.
    code: Mapped[str] = mapped_column(String(16), unique=True)
    status: Mapped[str] = mapped_column(enum_type(WORKSHOP_STATUSES, "workshop_status"), default="open")
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    community: Mapped[Community] = relationship()
    campaign: Mapped[Campaign | None] = relationship()
    opened_by: Mapped[User | None] = relationship()
    assets: Mapped[list[WorkshopAsset]] = relationship(
        order_by="WorkshopAsset.position", cascade="all, delete-orphan", back_populates="workshop"
    )


class WorkshopAsset(Model):
    """An asset the workshop discusses, in the order the room takes them."""

    __tablename__ = "workshop_asset"
    __table_args__ = (UniqueConstraint("workshop_id", "asset_id", name="uq_workshop_asset_asset"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"))
    asset_id: Mapped[int] = mapped_column(ForeignKey("asset.id", ondelete="CASCADE"))
    position: Mapped[int]

    workshop: Mapped[Workshop] = relationship(back_populates="assets")
    asset: Mapped[Asset] = relationship(lazy="joined")


class WorkshopParticipant(Model):
    """Someone in the room: an opaque number within the workshop, never a name.

    The browser keeps a random token (in its session cookie); only its SHA-256 is stored, so the
    table cannot be used to act as a participant, and a participant sees only their own ratings.
    """

    __tablename__ = "workshop_participant"
    __table_args__ = (UniqueConstraint("workshop_id", "number", name="uq_workshop_participant_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    participant_group: Mapped[str | None] = mapped_column(enum_type(PARTICIPANT_GROUPS, "participant_group"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    workshop: Mapped[Workshop] = relationship()


class WorkshopRating(Model):
    """One participant's rating of one asset (a resubmit updates it); `hidden` is a researcher's call."""

    __tablename__ = "workshop_rating"
    __table_args__ = (
        UniqueConstraint("participant_id", "asset_id", name="uq_workshop_rating_participant_asset"),
        CheckConstraint("social_impact BETWEEN 1 AND 5", name="social_impact_range"),
        CheckConstraint("economic_impact BETWEEN 1 AND 5", name="economic_impact_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("workshop_participant.id", ondelete="CASCADE"))
    asset_id: Mapped[int] = mapped_column(ForeignKey("asset.id", ondelete="CASCADE"), index=True)
    social_impact: Mapped[int]
    economic_impact: Mapped[int]
    comment: Mapped[str] = mapped_column(Text, default="")
    # Set by a researcher: the comment is kept off the facilitator's screen and out of the results.
    hidden: Mapped[bool] = mapped_column(default=False)
    rated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    participant: Mapped[WorkshopParticipant] = relationship()
    asset: Mapped[Asset] = relationship()
