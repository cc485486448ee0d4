"""Per-user API tokens: create, list, revoke and authenticate (issue 5, part 6).

A token is 32 random bytes (`secrets.token_urlsafe`) behind a recognisable ``cwb_`` prefix, so a
leaked one is easy to spot in logs and code. Only its SHA-256 is stored: a token has 256 bits of
entropy, so nobody can guess it from the hash and a fast hash is right (a slow, salted password
hash would only cost every API request time, and would rule out finding the row by its hash).
These functions flush and never commit; the caller does.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select

from survey.access import RESEARCH
from survey.database import utcnow
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


def hash_token(token: str) -> str:
    """SHA-256 hex of a token: what is stored and looked up."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for `user`; returns the row and the token itself, which is never stored."""
    if user.role not in RESEARCH:  # the API's reads are the research screens' reads
        raise ServiceError("API tokens are for researchers and administrators.")
    name = name.strip()
    if not name:
        raise ServiceError("Give the token a name, e.g. the script or computer that will use it.")
    if len(name) > NAME_MAX_LENGTH:
        raise ServiceError(f"Use at most {NAME_MAX_LENGTH} characters for the name.")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, name=name, token_hash=hash_token(token), prefix=token[:SHOWN_PREFIX_LENGTH])
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


def authenticate_token(token: str) -> ApiToken | None:
    """The live token matching `token`, or None (unknown, revoked, or its user deactivated).

    The role is not checked here: a valid token of a user who is no longer a researcher is an
    authorisation failure (403), not an authentication one (401).
    """
    if not token.startswith(TOKEN_PREFIX):
        return None
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    if row is None or row.revoked_at is not None or not row.user.active:
        return None
    return row


def mark_used(row: ApiToken, now: datetime | None = None) -> bool:
    """Record that the token was used, at most once per LAST_USED_RESOLUTION; True if it changed."""
    now = now or utcnow()
    if row.last_used_at is not None and now - row.last_used_at < LAST_USED_RESOLUTION:
        return False
    row.last_used_at = now
    db.session.flush()
    return True
