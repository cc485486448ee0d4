"""Staff accounts, their community assignments, password resets and API tokens."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Column,
    ForeignKey,
    String,
    Table,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.database import UTCDateTime, utcnow
from survey.extensions import db
from survey.models.base import Model, enum_type
from survey.models.vocabulary import ROLES

if TYPE_CHECKING:  # the related classes, for the annotations; SQLAlchemy resolves them by name
    from survey.models.places import Community


user_community = Table(
    "user_community",
    db.metadata,
    Column("user_id", ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True),
    Column("community_id", ForeignKey("community.id", ondelete="CASCADE"), primary_key=True),
)


# Letters and digits that cannot be mistaken for one another when read aloud or copied.
STAFF_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_staff_code() -> str:
    """``S`` and five random characters: 32**5 (about 33 million) codes, so a clash is a rare unique error."""
    return "S" + "".join(secrets.choice(STAFF_CODE_ALPHABET) for _ in range(5))


class User(Model):
    """A member of staff: admin, researcher or peer researcher."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(enum_type(ROLES, "user_role"))
    active: Mapped[bool] = mapped_column(default=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    # Part of every login session; replacing it signs the user out everywhere
    # (sign-out, deactivation, password change).
    session_token: Mapped[str] = mapped_column(String(64), default=lambda: secrets.token_hex(32))
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The pseudonym exports use for this person as interviewer or keyer (never the name or email):
    # random, so it says nothing about the account, and stored, so it stays the same in every export.
    staff_code: Mapped[str] = mapped_column(String(8), unique=True, default=lambda: new_staff_code())

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


class PasswordReset(Model):
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


class ApiToken(Model):
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
    # Chosen by its owner when creating it (survey.accounts.api_tokens.LIFETIME_CHOICES); refused after.
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The creating form's one-time token: sent twice (a double-clicked Create token), it finds this row
    # rather than making a second token (survey.accounts.api_tokens.create_token_once).
    issue_token: Mapped[str | None] = mapped_column(String(64), unique=True, index=True)

    user: Mapped[User] = relationship()
