"""Staff accounts: creation, passwords, sign-in checks, session invalidation, reset links."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from instruments.answers import quoted
from survey.database import NAMING_LOCK_KEY, take_turns, utcnow
from survey.exceptions import NotFoundError, ServiceError
from survey.extensions import db
from survey.models import ROLES, ApiToken, Community, PasswordReset, User

MIN_PASSWORD_LENGTH = 12
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
EMAIL_MAX = 254  # the column's length
# Checked against when the email is unknown, so a wrong email costs as long as a wrong password
# and response timing does not reveal which accounts exist.
_DUMMY_HASH = generate_password_hash(secrets.token_hex(16))


def hash_password(password: str) -> str:
    """scrypt, Werkzeug's current default: memory-hard and salted."""
    return generate_password_hash(password, method="scrypt")


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ServiceError(f"Use a password of at least {MIN_PASSWORD_LENGTH} characters.")


def normalise_email(email: str) -> str:
    return email.strip().lower()


def create_user(
    email: str,
    role: str,
    password: str | None = None,
    *,
    name: str = "",
    communities: Sequence[Community] = (),
) -> User:
    """Create a staff account; `password` None leaves it unusable until a reset link is used."""
    take_turns(db.session, NAMING_LOCK_KEY)
    email = normalise_email(email)
    if not EMAIL_PATTERN.match(email):
        raise ServiceError(f"{quoted(email)} is not an email address.")
    if len(email) > EMAIL_MAX:  # checked after lower-casing, which can lengthen it ("İ" is two characters)
        raise ServiceError(f"Use at most {EMAIL_MAX} characters.")
    if role not in ROLES:
        raise ServiceError(f"Role must be one of {', '.join(ROLES)}.")
    if db.session.scalar(select(User.id).where(func.lower(User.email) == email)) is not None:
        raise ServiceError(f"An account for {email} already exists.")
    user = User(email=email, role=role, name=name.strip(), active=True, communities=list(communities))
    if password is not None:
        check_password_rules(password)
        user.password_hash = hash_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None (never saying which part was wrong)."""
    user = db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))
    if user is None or user.password_hash is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    user.last_login_at = utcnow()
    return user


def load_session_user(session_id: str) -> User | None:
    """Flask-Login's loader: `<user id>:<session token>`; a rotated token means signed out."""
    user_id, _, token = session_id.partition(":")
    if not user_id.isdigit() or not token:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or not secrets.compare_digest(user.session_token, token):
        return None
    return user


def end_all_sessions(user: User) -> None:
    """Invalidate every existing sign-in of this user (all devices)."""
    user.session_token = secrets.token_hex(32)
    db.session.flush()


def change_password(user: User, current: str, new: str) -> None:
    if user.password_hash is None or not check_password_hash(user.password_hash, current):
        raise ServiceError("Your current password is not right.")
    set_password(user, new)


def set_password(user: User, new: str) -> None:
    check_password_rules(new)
    user.password_hash = hash_password(new)
    end_all_sessions(user)


def set_active(user: User, active: bool) -> None:
    """Deactivating ends every session and revokes every live API token for good.

    Revoked, not suspended: reactivating the account must not bring back a token that may have
    been copied while the account was meant to be closed. The owner creates new ones.
    """
    user.active = active
    if not active:
        end_all_sessions(user)
        revoke_live_tokens(user)


def revoke_live_tokens(user: User) -> None:
    """Revoke every API token of `user` that still works (revoked ones keep their date)."""
    live = select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    now = utcnow()
    for token in db.session.scalars(live):
        token.revoked_at = now


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_password_reset(user: User, issued_by: User | None, valid_hours: int) -> tuple[str, datetime]:
    """A one-time reset token for an admin to hand over; earlier unused tokens stop working."""
    now = utcnow()
    for old in db.session.scalars(
        select(PasswordReset).where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
    ):
        old.used_at = now
    token = secrets.token_urlsafe(32)
    expires_at = now + timedelta(hours=valid_hours)
    db.session.add(
        PasswordReset(
            user=user,
            token_hash=_token_hash(token),
            expires_at=expires_at,
            created_by_id=issued_by.id if issued_by else None,
        )
    )
    db.session.flush()
    return token, expires_at


def find_password_reset(token: str, *, lock: bool = False) -> PasswordReset:
    """The live reset of `token`; with `lock`, locked until the transaction ends (to spend it)."""
    query = select(PasswordReset).where(PasswordReset.token_hash == _token_hash(token))
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    reset = db.session.scalar(query)
    if reset is None or reset.used_at is not None or reset.expires_at < utcnow() or not reset.user.active:
        raise NotFoundError("This reset link has expired or has already been used. Ask an admin for a new one.")
    return reset


def use_password_reset(token: str, new_password: str) -> User:
    """Set the password and spend the link. Locked first: two requests at once on PostgreSQL both found
    the link unused, and both set a password with it (one-time no longer)."""
    reset = find_password_reset(token, lock=True)
    set_password(reset.user, new_password)
    reset.used_at = utcnow()
    db.session.flush()
    return reset.user
