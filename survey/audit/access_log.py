"""The data access log's writer: one `DataAccess` row per read of research data or personal data.

Below every domain (layer 0), so any page that discloses such data logs it: dataset downloads,
exports and API reads (`survey.datasets`), a deep dive's transcript (`survey.deepdives`), the
workshop report, profile packs, workshop results and the audit trail's CSV (`record_download`), the
contact details pages. A HEAD request is never logged: no data leaves with it. The row joins the
caller's transaction; the caller commits.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import has_request_context, request

from survey.database import allow_writes
from survey.extensions import db
from survey.models import ACCESS_CHANNELS, DataAccess, User


def record_access(
    user: User | None,
    channel: str,
    resource: str,
    *,
    label: str | None = None,
    format: str | None = None,
    filters: Mapping[str, Any] | None = None,
    row_count: int | None = None,
) -> DataAccess | None:
    """Log one read of research data; a HEAD request is none (None): its answer is the headers alone,
    so nothing was disclosed (a link checker or a browser's prefetch asking whether a page is there
    has not read it).

    Parameters
    ----------
    user
        Who read it (None for a command-line export, then `label` says which command).
    channel
        ``web``, ``api`` or ``cli``.
    resource
        What was read: ``export``, ``api:responses``, ``api:campaigns``...
    filters
        The filters as given (JSON-serialisable): campaigns, communities, verified_only...
    """
    if channel not in ACCESS_CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    if has_request_context() and request.method == "HEAD":
        return None
    entry = DataAccess(
        user_id=user.id if user is not None else None,
        user_label=label or (user.email if user is not None else "system"),
        channel=channel,
        resource=resource,
        format=format,
        filters=dict(filters or {}),
        row_count=row_count,
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def record_download(
    user: User,
    resource: str,
    *,
    format: str,
    filters: Mapping[str, Any] | None = None,
    row_count: int | None = None,
) -> DataAccess | None:
    """Log a file of research data downloaded from a web page (the caller commits, before sending it)."""
    allow_writes()  # a GET that writes: queue behind other writers on SQLite rather than fail
    return record_access(user, "web", resource, format=format, filters=filters, row_count=row_count)
