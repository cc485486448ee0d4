"""Admin changes to staff accounts: details, role, community assignments and activation.

An admin cannot deactivate or demote themselves, so every change is made by an
active admin and at least one always remains.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select

from survey.access import RESEARCH
from survey.accounts.operations import issue_password_reset, revoke_live_tokens, set_active
from survey.database import take_turns
from survey.exceptions import EditedMeanwhileError, NotFoundError, ServiceError
from survey.extensions import db
from survey.models import ROLES, Community, User

ASSIGNMENT_LOCK_BASE = 8_100_000_000


def list_users() -> list[User]:
    """Every staff account, admins first, then by email."""
    order = {role: position for position, role in enumerate(ROLES)}
    users = db.session.scalars(select(User).order_by(User.email)).all()
    return sorted(users, key=lambda user: order.get(user.role, len(order)))


def get_user(user_id: int) -> User:
    """The account with this id, or a friendly 404."""
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFoundError("There is no such staff account.")
    return user


def all_communities() -> list[Community]:
    """Every community, by name (for assignment checkboxes)."""
    return list(db.session.scalars(select(Community).order_by(Community.name)))


def communities_by_id(community_ids: Iterable[int]) -> list[Community]:
    """The communities with these ids; an unknown id is refused rather than ignored."""
    wanted = set(community_ids)
    found = list(db.session.scalars(select(Community).where(Community.id.in_(wanted)).order_by(Community.name)))
    if len(found) != len(wanted):
        raise ServiceError("One of the chosen communities no longer exists. Reload the page and try again.")
    return found


def update_user(user: User, *, name: str, role: str, acting: User, opened_role: str | None = None) -> None:
    """Change a user's name and role; nobody may take the admin role away from themselves.

    A role without the API (peer) revokes the user's tokens for good, as deactivating does: a role
    given back later must not bring back tokens copied while the API was meant to be closed to them.
    With `opened_role` (the role the form showed), EditedMeanwhileError if another administrator has
    changed the role since: a name fixed from a page opened earlier gave a demoted researcher back
    every community's data.
    """
    if role not in ROLES:
        raise ServiceError(f"Role must be one of {', '.join(ROLES)}.")
    if user.id == acting.id and role != "admin":
        raise ServiceError("You cannot remove your own admin role. Ask another administrator to do it.")
    if opened_role is not None:
        db.session.scalar(
            select(User).where(User.id == user.id).with_for_update().execution_options(populate_existing=True)
        )
        if user.role != opened_role:
            raise EditedMeanwhileError(
                f"Another administrator changed the role of {user.email} to {user.role} after you opened this "
                "page, so nothing was saved. Check the name and role below, then save again."
            )
    user.name = name.strip()
    user.role = role
    if role not in RESEARCH:
        revoke_live_tokens(user)
    db.session.flush()


def set_user_active(user: User, active: bool, *, acting: User) -> None:
    """Deactivate (ending every session of the user) or reactivate an account; never one's own."""
    if user.id == acting.id and not active:
        raise ServiceError("You cannot deactivate your own account. Ask another administrator to do it.")
    set_active(user, active)
    db.session.flush()


def assignment_version(user: User) -> str:
    """The user's communities as the assignments form carries them: ids, sorted, comma-separated."""
    return ",".join(str(community_id) for community_id in sorted(c.id for c in user.communities))


def assign_communities(user: User, communities: Iterable[Community], opened: str | None = None) -> None:
    """Set the communities a user works in (what a peer researcher may see).

    With `opened` (`assignment_version` when the form was shown), EditedMeanwhileError if another
    administrator has changed them since: a community taken away would come back with this save.
    """
    # One save of a user's communities at a time, each replacing what the last one stored: of a
    # double-clicked Save the second inserted the same rows again (a 500 from their primary key).
    take_turns(db.session, ASSIGNMENT_LOCK_BASE + user.id)
    db.session.refresh(user, ["communities"])
    if opened is not None and assignment_version(user) != opened:
        raise EditedMeanwhileError(
            f"Another administrator changed the communities of {user.email} after you opened this page, so "
            "nothing was saved. The boxes below show what you ticked: check them, then save again."
        )
    user.communities = sorted(communities, key=lambda community: community.name)
    db.session.flush()


def issue_reset_link_token(user: User, *, acting: User, valid_hours: int) -> tuple[str, datetime]:
    """A one-time set-password token for an active account (a deactivated one could not use it)."""
    if not user.active:
        raise ServiceError("Reactivate the account before issuing a password link: it would not work.")
    return issue_password_reset(user, acting, valid_hours)
