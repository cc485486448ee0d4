"""Reading the audit trail: filtered pages for the screen and a streamed CSV. Read-only by design."""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select

from survey.audit.trail import AUDITED, IMPORT_ENTITY
from survey.extensions import db
from survey.models import AUDIT_ACTIONS, AuditEvent, User

PAGE_SIZE = 50
# Rows fetched from the database per round trip while streaming the CSV.
STREAM_BATCH = 500
FIXED_ACTORS = ("resident", "anonymous", "system")
CSV_HEADER = ["event_id", "at_utc", "actor", "action", "entity_type", "entity_id", "field", "before", "after"]
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class AuditFilter:
    entity_type: str = ""
    action: str = ""
    actor: str = ""

    def params(self) -> dict[str, str]:
        """The non-empty filters, as query-string parameters."""
        return {key: value for key, value in vars(self).items() if value}


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: str
    after: str
    hidden: bool  # recorded as "changed" only (contact details, secrets)


@dataclass(frozen=True)
class AuditPage:
    events: list[AuditEvent]
    page: int
    pages: int
    total: int


def entity_types() -> list[str]:
    """The kinds of row the trail records, for the filter (imports are written by their service)."""
    return sorted({*AUDITED.values(), IMPORT_ENTITY})


def actor_suggestions() -> list[str]:
    """Labels the actor filter can match: staff emails and the non-staff labels."""
    emails = db.session.scalars(select(User.email).order_by(User.email)).all()
    return [*emails, *FIXED_ACTORS]


def make_filter(entity_type: str | None, action: str | None, actor: str | None) -> AuditFilter:
    """A filter from untrusted query parameters; unknown entity types and actions mean "any"."""
    entity_type = (entity_type or "").strip()
    action = (action or "").strip()
    return AuditFilter(
        entity_type=entity_type if entity_type in AUDITED.values() else "",
        action=action if action in AUDIT_ACTIONS else "",
        actor=(actor or "").strip()[:254],
    )


def _filtered(query: Select[Any], filters: AuditFilter) -> Select[Any]:
    if filters.entity_type:
        query = query.where(AuditEvent.entity_type == filters.entity_type)
    if filters.action:
        query = query.where(AuditEvent.action == filters.action)
    if filters.actor:
        query = query.where(func.lower(AuditEvent.actor_label) == filters.actor.lower())
    return query


def audit_page(filters: AuditFilter, page: int, per_page: int = PAGE_SIZE) -> AuditPage:
    """One page of matching events, newest first; a page past the end shows the last page."""
    total = db.session.scalar(_filtered(select(func.count(AuditEvent.id)), filters)) or 0
    pages = max(1, math.ceil(total / per_page))
    page = min(max(page, 1), pages)
    query = (
        _filtered(select(AuditEvent), filters)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return AuditPage(list(db.session.scalars(query)), page, pages, total)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def field_changes(changes: dict[str, Any] | None) -> list[FieldChange]:
    """Each recorded field as before/after text; "changed" entries carry no values."""
    result = []
    for field, change in sorted((changes or {}).items()):
        if isinstance(change, list) and len(change) == 2:
            result.append(FieldChange(field, _text(change[0]), _text(change[1]), hidden=False))
        else:
            result.append(FieldChange(field, "", "", hidden=True))
    return result


def _cell(value: str) -> str:
    if value.startswith(_FORMULA_START):
        try:
            float(value)
        except ValueError:
            return "'" + value
    return value


def _line(cells: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow([_cell(cell) for cell in cells])
    return buffer.getvalue()


def _iso(value: datetime) -> str:
    return value.isoformat(timespec="seconds")


def audit_csv_lines(filters: AuditFilter) -> Iterator[str]:
    """The matching events as CSV lines, one per changed field, newest first, fetched in batches."""
    yield _line(CSV_HEADER)
    columns = (
        AuditEvent.id,
        AuditEvent.at,
        AuditEvent.actor_label,
        AuditEvent.action,
        AuditEvent.entity_type,
        AuditEvent.entity_id,
        AuditEvent.changes,
    )
    query = _filtered(select(*columns), filters).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    rows = db.session.execute(query.execution_options(yield_per=STREAM_BATCH))
    for event_id, at, actor, action, entity_type, entity_id, changes in rows:
        lead = [str(event_id), _iso(at), actor, action, entity_type, entity_id]
        fields = field_changes(changes)
        if not fields:
            yield _line([*lead, "", "", ""])
        for change in fields:
            before, after = ("", "changed") if change.hidden else (change.before, change.after)
            yield _line([*lead, change.field, before, after])
