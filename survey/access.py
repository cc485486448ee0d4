"""Who may see what: role checks for views and community scoping for queries.

Scoping happens in the query (`visible_community_ids`, `scope_to_user`), not in
templates: a peer researcher's queries never return another community's rows,
and loading one by id answers 404, as if it did not exist.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import abort
from flask_login import current_user
from sqlalchemy import Select, select

from survey.extensions import login_manager
from survey.models import User

F = TypeVar("F", bound=Callable[..., Any])
STAFF = ("admin", "researcher", "peer")
RESEARCH = ("admin", "researcher")
ADMIN = ("admin",)


def roles_required(*roles: str) -> Callable[[F], F]:
    """Signed-in staff with one of `roles`; others get the login page (anonymous) or 403."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return cast(F, wrapped)

    return decorator


def visible_community_ids(user: User) -> set[int] | None:
    """Communities whose data `user` may see: None means all (researchers and admins)."""
    if user.role in RESEARCH:
        return None
    return {community.id for community in user.communities}


def scope_to_user(query: Select[Any], community_column: Any, user: User) -> Select[Any]:
    """Restrict `query` to rows whose `community_column` the user may see."""
    allowed = visible_community_ids(user)
    if allowed is None:
        return query
    return query.where(community_column.in_(allowed))


def can_see_community(user: User, community_id: int) -> bool:
    allowed = visible_community_ids(user)
    return allowed is None or community_id in allowed


def require_community(user: User, community_id: int) -> None:
    """404 unless the user may see this community's data (a peer's other communities do not exist)."""
    if not can_see_community(user, community_id):
        abort(404)


M = TypeVar("M")


def scoped_or_404(model: type[M], community_id: Callable[[M], int] | None = None, **filters: Any) -> M:
    """The one `model` row matching `filters` that the signed-in user may see, else 404.

    `community_id` says where the row's community is (default: its `community_id` column).
    """
    from survey.extensions import db

    row = db.session.scalar(select(model).filter_by(**filters))
    if row is None:
        abort(404)
    # Without `community_id`, the model is one with a community_id column (M does not say so).
    require_community(current_user, community_id(row) if community_id else row.community_id)  # type: ignore[attr-defined]
    return row
