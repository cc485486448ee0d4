"""The audit trail: every create, change and delete of audited rows, with who, when, before and after.

Recorded automatically after each ORM flush, so no service can forget it; the
rows are written with the same transaction, so a rolled-back change leaves no
audit row either. Contact details are recorded as "changed" without values,
so erasing them leaves nothing behind. Nothing in the app updates or deletes
audit rows. (Bulk `insert()` statements, used only by the demo loader, are not seen.)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import Session

from survey.database import utcnow
from survey.models import (
    Answer,
    ApiToken,
    Asset,
    AssetUse,
    AuditEvent,
    Campaign,
    CampaignQuota,
    Community,
    ContactDetail,
    DeepDive,
    Discrepancy,
    Excerpt,
    ExcerptCode,
    Licence,
    PaperBatch,
    PaperForm,
    Response,
    Theme,
    User,
    ValuationAdjustment,
    Workshop,
    WorkshopRating,
)

AUDITED = {
    Response: "response",
    Asset: "asset",
    Campaign: "campaign",
    CampaignQuota: "campaign_quota",
    Community: "community",
    User: "user",
    Licence: "licence",
    ContactDetail: "contact_detail",
    PaperForm: "paper_form",
    PaperBatch: "paper_batch",
    Discrepancy: "discrepancy",
    ApiToken: "api_token",
    ValuationAdjustment: "valuation_adjustment",
    # Item-level answers are audited when staff key or correct them; a resident filling in
    # their own anonymous survey is recorded at the response level only.
    Answer: "answer",
    AssetUse: "asset_use",
    Workshop: "workshop",
    # Participants' own ratings are their data, like residents' answers; a researcher hiding a comment is audited.
    WorkshopRating: "workshop_rating",
    DeepDive: "deep_dive",
    Theme: "theme",
    Excerpt: "excerpt",
    ExcerptCode: "excerpt_code",
}
# Response imports are audited as one event per import (written by their operation), not row by row.
IMPORT_ENTITY = "response_import"
STAFF_ONLY = {Answer, AssetUse, WorkshopRating}
NEVER_VALUES = {ContactDetail}  # "changed", never the values: erasure must really erase
# The same for the personal fields of otherwise ordinary rows: a deep dive's consents, dates and
# community stay readable in the trail, its participant's pseudonym and words do not.
PERSONAL_FIELDS = {DeepDive: {"participant_code", "transcript", "source_filename"}, Excerpt: {"text"}}
SECRET_FIELDS = {
    "password_hash",
    "session_token",
    "resume_code_hash",
    "start_token",
    "token_hash",
    "contact_token_hash",
}
# last_page: where a resident last saved (navigation, not data).
SKIPPED_FIELDS = {"updated_at", "pdf", "last_used_at", "last_page"}
# Many-to-many links recorded as lists of slugs (a peer's community assignments).
COLLECTIONS = {User: ("communities",)}

# (user id or None, label) of whoever is acting in this request or command.
_actor: ContextVar[tuple[int | None, str]] = ContextVar("audit_actor", default=(None, "system"))


def set_actor(user_id: int | None, label: str) -> Token[tuple[int | None, str]]:
    return _actor.set((user_id, label))


def reset_actor(token: Token[tuple[int | None, str]]) -> None:
    _actor.reset(token)


@contextmanager
def acting_as(user_id: int | None, label: str) -> Iterator[None]:
    token = set_actor(user_id, label)
    try:
        yield
    finally:
        reset_actor(token)


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, list | dict):
        return value
    return str(value)


def _changes(obj: Any, action: str) -> dict[str, Any]:
    state = inspect(obj)
    hide_values = type(obj) in NEVER_VALUES
    personal = PERSONAL_FIELDS.get(type(obj), set())
    changes: dict[str, Any] = {}
    for column in state.mapper.column_attrs:
        key = column.key
        if key in SKIPPED_FIELDS or key == "id":
            continue
        if action == "update":
            history = state.attrs[key].history
            if not history.has_changes():
                continue
            before = history.deleted[0] if history.deleted else None
            after = history.added[0] if history.added else None
            if before == after:
                continue
        else:
            value = state.attrs[key].value
            before, after = (None, value) if action == "create" else (value, None)
            if value is None:
                continue
        if hide_values or key in SECRET_FIELDS or key in personal:
            changes[key] = "changed"
        else:
            changes[key] = [_plain(before), _plain(after)]
    for key in COLLECTIONS.get(type(obj), ()):
        history = state.attrs[key].history
        if history.added or history.deleted:
            before = sorted(item.slug for item in [*history.unchanged, *history.deleted])
            after = sorted(item.slug for item in [*history.unchanged, *history.added])
            if before != after:
                changes[key] = [before, after]
    return changes


def item_changes_audited() -> bool:
    """Whether answers written now are audited item by item (staff keying, not a resident)."""
    return _actor.get()[0] is not None


def _record(session: Session, _context: Any) -> None:
    actor_id, label = _actor.get()
    rows = []
    for action, objects in (("create", session.new), ("update", session.dirty), ("delete", session.deleted)):
        for obj in objects:
            kind = type(obj)
            if kind not in AUDITED or (kind in STAFF_ONLY and actor_id is None):
                continue
            if action == "update" and not session.is_modified(obj, include_collections=kind in COLLECTIONS):
                continue
            changes = _changes(obj, action)
            if action == "update" and not changes:
                continue
            rows.append(
                {
                    "at": utcnow(),
                    "actor_id": actor_id,
                    "actor_label": label,
                    "action": action,
                    "entity_type": AUDITED[kind],
                    "entity_id": ":".join(str(v) for v in inspect(obj).mapper.primary_key_from_instance(obj)),
                    "changes": changes,
                }
            )
    if rows:
        session.connection().execute(insert(AuditEvent), rows)


def _keep_previous_value(_target: Any, value: Any, _old: Any, _initiator: Any) -> Any:
    return value


def register() -> None:
    """Listen to every ORM flush (once per process)."""
    if event.contains(Session, "after_flush", _record):
        return
    event.listen(Session, "after_flush", _record)
    # A value set on an expired attribute (after a commit) would otherwise have no "before":
    # active history makes SQLAlchemy load the stored value first.
    for model in AUDITED:
        for column in inspect(model).column_attrs:
            event.listen(getattr(model, column.key), "set", _keep_previous_value, active_history=True, retval=True)
