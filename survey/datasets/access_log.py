"""Download governance: list every dataset download, export and API read for admins.

`record_access` (in `survey.audit.access_log`, below every domain, so deep-dive pages log their
reads too; re-exported here for the dataset callers) adds a `DataAccess` row in the caller's
transaction; the caller commits. A read that fails before any data leaves is not recorded, because
nothing was disclosed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from survey.audit.access_log import record_access as record_access
from survey.extensions import db
from survey.models import ACCESS_CHANNELS, DataAccess

PAGE_SIZE = 50


@dataclass(frozen=True)
class AccessFilter:
    user: str = ""
    channel: str = ""
    resource: str = ""

    def params(self) -> dict[str, str]:
        """The non-empty filters, as query-string parameters."""
        return {key: value for key, value in vars(self).items() if value}


@dataclass(frozen=True)
class AccessPage:
    entries: list[DataAccess]
    page: int
    pages: int
    total: int


def make_access_filter(user: str | None, channel: str | None, resource: str | None) -> AccessFilter:
    """A filter from untrusted query parameters; an unknown channel means "any"."""
    channel = (channel or "").strip()
    return AccessFilter(
        user=(user or "").strip()[:254],
        channel=channel if channel in ACCESS_CHANNELS else "",
        resource=(resource or "").strip()[:60],
    )


def resources() -> list[str]:
    """The kinds of read logged so far, for the filter."""
    return list(db.session.scalars(select(DataAccess.resource).distinct().order_by(DataAccess.resource)))


def access_page(filters: AccessFilter, page: int, per_page: int = PAGE_SIZE) -> AccessPage:
    """One page of logged reads, newest first; a page past the end shows the last page."""
    query = select(DataAccess)
    if filters.user:
        query = query.where(func.lower(DataAccess.user_label) == filters.user.lower())
    if filters.channel:
        query = query.where(DataAccess.channel == filters.channel)
    if filters.resource:
        query = query.where(DataAccess.resource == filters.resource)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, math.ceil(total / per_page))
    page = min(max(page, 1), pages)
    ordered = query.order_by(DataAccess.at.desc(), DataAccess.id.desc()).limit(per_page).offset((page - 1) * per_page)
    return AccessPage(list(db.session.scalars(ordered)), page, pages, total)


def describe_filters(filters: dict[str, Any] | None) -> str:
    """The recorded filters as one readable line ("campaigns: dover-town; verified_only: yes")."""
    parts = []
    for key, value in sorted((filters or {}).items()):
        if value in (None, "", [], False):
            continue
        if value is True:
            value = "yes"
        elif isinstance(value, (list, tuple)):
            value = ", ".join(str(item) for item in value)
        parts.append(f"{key}: {value}")
    return "; ".join(parts) or "everything"
