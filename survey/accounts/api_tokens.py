"""Per-user API tokens: create, list, revoke and authenticate (issue 5, part 6).

A token is 32 random bytes (`secrets.token_urlsafe`) behind a recognisable ``cwb_`` prefix, so a
leaked one is easy to spot in logs and code. Only its SHA-256 is stored: a token has 256 bits of
entropy, so nobody can guess it from the hash and a fast hash is right (a slow, salted password
hash would only cost every API request time, and would rule out finding the row by its hash).
Every token expires (`expires_at`): its owner picks a lifetime of 7 days to a year when creating it,
90 days unless they choose otherwise, so a token copied into a forgotten script stops working by
itself. Tokens created before expiry existed were given 90 days from the upgrade (migration 0018).
The creating form carries a one-time token (`issue_token`, migration 0019), so a double-clicked
Create token makes one token, not two of which the first is never shown (`create_token_once`).
These functions flush and never commit; the caller does.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from survey.access import RESEARCH
from survey.database import take_turns, utcnow
from survey.exceptions import NotFoundError, ServiceError
from survey.extensions import db
from survey.models import ApiToken, User

TOKEN_PREFIX = "cwb_"
# Shown beside each token so its owner can tell them apart: the marker and 8 random characters.
SHOWN_PREFIX_LENGTH = len(TOKEN_PREFIX) + 8
NAME_MAX_LENGTH = 100
# `last_used_at` is a hint for owners ("is this token still used?"), not a log (DataAccess is the
# log), so writing it once a minute at most saves a write on most requests.
LAST_USED_RESOLUTION = timedelta(minutes=1)
# The lifetimes offered when a token is created, in days; the longest is a year (a token that has to
# outlive that is one its owner should have to think about again).
LIFETIME_CHOICES = (7, 30, 90, 180, 365)
DEFAULT_LIFETIME_DAYS = 90
EXPIRED_MESSAGE = "The access token expired"  # RFC 6750's error_description, also shown to the client
# A form sent again within this long (a double click, a reload of the answer) gets the token the first
# sending made, with a new value; later, or once the token is used, it is refused instead.
RESEND_WINDOW = timedelta(minutes=10)
ISSUE_LOCK_KEY = 7_401_003  # the lock serialising the creating forms' one-time tokens


class TokenRefused(Exception):
    """A presented token that does not authenticate; `expired` when only its lifetime is over."""

    def __init__(self, expired: bool = False) -> None:
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def hash_token(token: str) -> str:
    """SHA-256 hex of a token: what is stored and looked up."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class CreatedToken:
    """A token as its creating form's answer shows it: `again` when the form was sent before."""

    row: ApiToken
    token: str
    again: bool


def create_token_once(user: User, name: str, days: int, issue_token: str | None) -> CreatedToken:
    """`create_token`, once per `issue_token` (the creating form's one-time token).

    Sent again (a double click: the browser shows the second answer and drops the first, which held
    the only sight of the token), the token the first sending made is given a new value and shown:
    still one token, and its owner sees a value that works. Only the same owner and name, within
    RESEND_WINDOW and before the token is used or revoked; otherwise ServiceError, and nothing changes.
    Checked in the same turn as the insert, so two sendings at once make one token.
    """
    if issue_token is None:
        row, token = create_token(user, name, days)
        return CreatedToken(row, token, again=False)
    take_turns(db.session, ISSUE_LOCK_KEY)
    earlier = db.session.scalar(select(ApiToken).where(ApiToken.issue_token == issue_token))
    if earlier is None:
        row, token = create_token(user, name, days)
        row.issue_token = issue_token
        db.session.flush()
        return CreatedToken(row, token, again=False)
    if (
        earlier.user_id != user.id
        or earlier.name != name.strip()
        or earlier.revoked_at is not None
        or earlier.last_used_at is not None
        or utcnow() - earlier.created_at > RESEND_WINDOW
    ):
        raise ServiceError(
            f"This form already created the token “{earlier.name}” ({earlier.prefix}…), shown once. "
            "To make another, enter its name again; if you did not copy that one, revoke it."
        )
    token = _new_value()
    earlier.token_hash = hash_token(token)
    earlier.prefix = token[:SHOWN_PREFIX_LENGTH]
    db.session.flush()
    return CreatedToken(earlier, token, again=True)


def _new_value() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def create_token(user: User, name: str, days: int = DEFAULT_LIFETIME_DAYS) -> tuple[ApiToken, str]:
    """A new token for `user`, valid for `days` (one of LIFETIME_CHOICES); returns the row and the
    token itself, which is never stored."""
    if user.role not in RESEARCH:  # the API's reads are the research screens' reads
        raise ServiceError("API tokens are for researchers and administrators.")
    name = name.strip()
    if not name:
        raise ServiceError("Give the token a name, e.g. the script or computer that will use it.")
    if len(name) > NAME_MAX_LENGTH:
        raise ServiceError(f"Use at most {NAME_MAX_LENGTH} characters for the name.")
    if days not in LIFETIME_CHOICES:
        raise ServiceError(f"Choose how long the token lasts: {', '.join(map(str, LIFETIME_CHOICES))} days.")
    token = _new_value()
    row = ApiToken(
        user_id=user.id,
        name=name,
        token_hash=hash_token(token),
        prefix=token[:SHOWN_PREFIX_LENGTH],
        expires_at=utcnow() + timedelta(days=days),
    )
    db.session.add(row)
    db.session.flush()
    return row, token


def list_tokens(user: User) -> list[ApiToken]:
    """The user's own tokens, newest first, revoked ones included (so the history stays visible)."""
    statement = select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
    return list(db.session.scalars(statement))


def own_token(user: User, token_id: int) -> ApiToken:
    """One of the user's own tokens (someone else's answers 404, as if it did not exist)."""
    row = db.session.get(ApiToken, token_id)
    if row is None or row.user_id != user.id:
        raise NotFoundError("No such token.")
    return row


def revoke_token(user: User, token_id: int) -> ApiToken:
    """Revoke one of the user's own tokens (someone else's answers 404, as if it did not exist)."""
    row = own_token(user, token_id)
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        db.session.flush()
    return row


def is_expired(row: ApiToken, now: datetime | None = None) -> bool:
    return row.expires_at <= (now or utcnow())


def authenticate_token(token: str, now: datetime | None = None) -> ApiToken:
    """The live token matching `token`; TokenRefused if it is unknown, revoked, its user deactivated,
    or expired (said apart, so the client can be told to make a new one rather than look for a typo).

    The role is not checked here: a valid token of a user who is no longer a researcher is an
    authorisation failure (403), not an authentication one (401).
    """
    if not token.startswith(TOKEN_PREFIX):
        raise TokenRefused()
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    if row is None or row.revoked_at is not None or not row.user.active:
        raise TokenRefused()
    if is_expired(row, now):
        raise TokenRefused(expired=True)
    return row


def mark_used(row: ApiToken, now: datetime | None = None) -> bool:
    """Record that the token was used, at most once per LAST_USED_RESOLUTION; True if it changed."""
    now = now or utcnow()
    if row.last_used_at is not None and now - row.last_used_at < LAST_USED_RESOLUTION:
        return False
    row.last_used_at = now
    db.session.flush()
    return True
