"""Query parameters of the API, checked: anything wrong stops the request with 400 and a message.

Cursors are opaque to clients: a signed token holding the last response's internal id and the
filters of the query it belongs to, so a cursor cannot be forged or reused with other filters
(either would silently page through the wrong data).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select

from instruments.answers import quoted
from survey.datasets.api.errors import fail
from survey.extensions import db
from survey.models import Campaign, Community
from survey.web.fields import whole_number

# Slugs are at most 60 characters of letters, digits, hyphens and underscores; anything else
# cannot name a row, and is refused before it reaches the database (PostgreSQL rejects NUL bytes).
_SLUG = re.compile(r"^[A-Za-z0-9_-]{1,60}\Z")
_TRUE = ("true", "1")
_FALSE = ("false", "0")
_CURSOR_SALT = "api-responses-cursor"
_LISTED_AT = {"campaign": "/api/v1/campaigns", "community": "/api/v1/communities"}
CURSOR_MAX_LENGTH = 200


@dataclass(frozen=True)
class ResponsesQuery:
    campaign: str | None
    community: str | None
    verified_only: bool
    limit: int
    after_id: int | None

    def filters(self) -> dict[str, Any]:
        """What the access log records: the filters as given, and where the page starts."""
        return {
            "campaign": self.campaign,
            "community": self.community,
            "verified_only": self.verified_only,
            "limit": self.limit,
            "after_id": self.after_id,
        }


def known_slug(args: Mapping[str, str], name: str, model: type[Community] | type[Campaign]) -> str | None:
    """The `name` parameter if it is the slug of an existing row, None when absent; else 400."""
    value = args.get(name)
    if value is None:
        return None
    if not _SLUG.match(value) or db.session.scalar(select(model.id).where(model.slug == value)) is None:
        fail(400, f"Unknown {name} {quoted(value)}: use a slug listed at {_LISTED_AT[name]}.")
    return value


def _boolean(args: Mapping[str, str], name: str, default: bool) -> bool:
    value = args.get(name)
    if value is None:
        return default
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    fail(400, f"{name} must be true or false, not {quoted(value)}.")


def _limit(args: Mapping[str, str]) -> int:
    largest = current_app.config["API_MAX_PAGE_SIZE"]
    value = args.get("limit")
    if value is None:
        return min(current_app.config["API_PAGE_SIZE"], largest)
    limit = whole_number(value) if value.isascii() else None
    if limit is None or not 1 <= limit <= largest:
        fail(400, f"limit must be a whole number from 1 to {largest}, not {quoted(value)}.")
    return limit


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_CURSOR_SALT)


def _scope(campaign: str | None, community: str | None, verified_only: bool) -> list[Any]:
    return [campaign, community, verified_only]


def make_cursor(after_id: int, query: ResponsesQuery) -> str:
    return _serializer().dumps(
        {"after": after_id, "scope": _scope(query.campaign, query.community, query.verified_only)}
    )


def _after_id(args: Mapping[str, str], scope: list[Any]) -> int | None:
    value = args.get("cursor")
    if value is None:
        return None
    try:
        payload = _serializer().loads(value) if len(value) <= CURSOR_MAX_LENGTH else None
    except BadSignature:
        payload = None
    if not isinstance(payload, dict) or not isinstance(payload.get("after"), int):
        fail(400, "cursor is not valid: pass next_cursor from the previous page unchanged.")
    if payload.get("scope") != scope:
        fail(400, "This cursor belongs to a query with other filters: repeat campaign, community and verified_only.")
    return int(payload["after"])


def responses_query(args: Mapping[str, str]) -> ResponsesQuery:
    """The checked parameters of GET /api/v1/responses."""
    campaign = known_slug(args, "campaign", Campaign)
    community = known_slug(args, "community", Community)
    verified_only = _boolean(args, "verified_only", False)
    limit = _limit(args)
    after_id = _after_id(args, _scope(campaign, community, verified_only))
    return ResponsesQuery(campaign, community, verified_only, limit, after_id)
