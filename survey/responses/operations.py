"""Responses: starting one, saving a page of answers, resuming, submitting, scoring.

Concurrency: every write first takes the response row `FOR UPDATE` (PostgreSQL;
on SQLite the transaction's `BEGIN IMMEDIATE` already serialises writers), so a
double-clicked button is applied once and the second click sees the first's
result. Each page is saved in one transaction: a page is never half-written.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, insert, select
from sqlalchemy.exc import IntegrityError

from instruments import Instrument
from instruments.single import score_one
from survey.audit.trail import item_changes_audited
from survey.campaigns.operations import ASSET_TEMPLATE_KEY, campaign_asset_ids, campaign_sections
from survey.database import holds_write_lock, utcnow
from survey.exceptions import ServiceError
from survey.extensions import db
from survey.models import Answer, AssetUse, Campaign, CampaignAsset, Response, User

# No 0/O or 1/I: codes are read aloud and written on paper.
RESUME_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
RESUME_CODE_LENGTH = 12  # 32**12 = 2**60 codes: unguessable even without rate limits
CONTACT_TOKEN_MINUTES = 30  # the thank-you page's contact form works this long after submitting


class Declined:
    """The answer "Prefer not to say": stored as the missing reason "declined", never as a code."""

    _instance: Declined | None = None

    def __new__(cls) -> Declined:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "DECLINED"


DECLINED = Declined()
Value = int | str | Declined | None

# The statements every survey page runs, built once: a statement built per call makes SQLAlchemy
# derive its cache key again, about 0.2 ms a query (bench/bench_load.py).
_BY_START_TOKEN = select(Response).where(Response.start_token == bindparam("token"))
_BY_PUBLIC_ID = select(Response).where(
    Response.public_id == bindparam("public_id"), Response.campaign_id == bindparam("campaign_id")
)
# Read afresh even if the session holds the response already: another writer may have changed it.
_LOCKED_BY_ID = (
    select(Response).where(Response.id == bindparam("id")).with_for_update().execution_options(populate_existing=True)
)
_ASSET_USES = select(AssetUse).where(
    AssetUse.response_id == bindparam("response_id"), AssetUse.campaign_asset_id.in_(bindparam("ids", expanding=True))
)
# Plain rows, and the asset slug joined in: loading each use's campaign asset was one query per asset.
_ANSWER_ROWS = select(Answer.item_key, Answer.text, Answer.value, Answer.missing_reason).where(
    Answer.response_id == bindparam("response_id")
)
# A page's answers are read as rows (`stored_values`), never as objects in its session: nothing to keep in step.
_DELETE_ANSWERS = (
    delete(Answer)
    .where(Answer.response_id == bindparam("response_id"), Answer.item_key.in_(bindparam("keys", expanding=True)))
    .execution_options(synchronize_session=False)
)
_ASSET_USE_ROWS = (
    select(CampaignAsset.slug, AssetUse.uses, AssetUse.frequency, AssetUse.importance)
    .join(CampaignAsset, CampaignAsset.id == AssetUse.campaign_asset_id)
    .where(AssetUse.response_id == bindparam("response_id"))
)


def start_response(
    campaign: Campaign, start_token: str, mode: str = "online", entered_by: User | None = None
) -> Response:
    """Create a partial response with consent given; the same `start_token` gives the same response."""
    existing = db.session.scalar(_BY_START_TOKEN, {"token": start_token})
    if existing is not None:
        return existing
    response = Response(
        public_id=secrets.token_hex(16),
        campaign=campaign,
        community_id=campaign.community_id,
        mode=mode,
        # From the campaign's cached sections (the versions it opened with): loading its instrument
        # links for this was a query per resident.
        instrument_versions={section.key: section.version for section in campaign_sections(campaign)},
        consent=True,
        status="partial",
        start_token=start_token,
        entered_by=entered_by,
        # Paper forms are keyed in one go: their pages and resuming say nothing about the respondent.
        pages_saved=None if mode == "paper" else 0,
        resumed=None if mode == "paper" else False,
    )
    db.session.add(response)
    try:
        db.session.flush()
    except IntegrityError:
        # A concurrent request with the same token won the race: use its response.
        db.session.rollback()
        existing = db.session.scalar(_BY_START_TOKEN, {"token": start_token})
        if existing is None:
            raise
        return existing
    return response


def lock_loaded(response: Response) -> Response | None:
    """`response`, read earlier in this request's transaction, locked for writing (None if deleted).

    On SQLite the write transaction has held the database's write lock since its first read, so
    the response is already locked and current: reading it again was a query on every page saved.
    """
    if holds_write_lock(db.session):
        return response
    return db.session.scalar(_LOCKED_BY_ID, {"id": response.id})


def find_response(public_id: str, campaign: Campaign) -> Response | None:
    return db.session.scalar(_BY_PUBLIC_ID, {"public_id": public_id, "campaign_id": campaign.id})


def asset_item_fields(response: Response) -> dict[str, tuple[int, str]]:
    """Map asset item keys to (campaign asset id, 'frequency' | 'importance')."""
    keys: dict[str, tuple[int, str]] = {}
    for slug, asset_id in campaign_asset_ids(response.campaign).items():
        keys[f"asset_{slug}"] = (asset_id, "frequency")
        keys[f"asset_{slug}_value"] = (asset_id, "importance")
    return keys


def _asset_form_fields(response: Response) -> dict[str, tuple[int, str]]:
    """`asset_item_fields` plus the screener fields ("asset_<slug>-uses", see survey_pages)."""
    keys = asset_item_fields(response)
    for slug, asset_id in campaign_asset_ids(response.campaign).items():
        keys[f"asset_{slug}-uses"] = (asset_id, "uses")
    return keys


UseFields = tuple[bool | None, int | None, int | None]  # uses, frequency, importance


def _changed_use(before: UseFields, change: Mapping[str, Value]) -> UseFields:
    """An asset use after `change` (its form fields on one page); the fields not on the page are kept.

    "No" to "Do you go to ...?" stores frequency 0 ("Never"), whatever a hidden follow-up still
    held; "Yes" after an earlier "No" clears it, so that "How often" is asked.
    """
    uses, frequency, importance = before
    if "frequency" in change:
        frequency = _code(change["frequency"])
    if "importance" in change:
        importance = _code(change["importance"])
    if "uses" in change:
        answer = change["uses"]
        uses = None if answer is None else bool(answer)
        if uses is False:
            frequency = 0
        elif frequency == 0:
            frequency = None
    return uses, frequency, importance


def _code(value: Value) -> int | None:
    return value if isinstance(value, int) else None


def _save_asset_answers(response: Response, keys: Sequence[str], values: Mapping[str, Value]) -> None:
    """Update the asset answers named by `keys` (a whole section or one of its pages), keeping the rest.

    A use with nothing left is deleted. New uses are inserted in one statement, as answers are
    (`_insert`): one INSERT per asset was a third of saving the asset page.
    """
    fields = _asset_form_fields(response)
    changes: dict[int, dict[str, Value]] = {}
    for key in keys:
        if key in fields:
            asset_id, field = fields[key]
            changes.setdefault(asset_id, {})[field] = values.get(key)
    if not changes:
        return
    existing = {
        use.campaign_asset_id: use
        for use in db.session.scalars(_ASSET_USES, {"response_id": response.id, "ids": list(changes)})
    }
    new_rows = []
    for asset_id, change in changes.items():
        use = existing.get(asset_id)
        before = (None, None, None) if use is None else (use.uses, use.frequency, use.importance)
        uses, frequency, importance = after = _changed_use(before, change)
        if use is None:
            if after != (None, None, None):
                new_rows.append(
                    {
                        "response_id": response.id,
                        "campaign_asset_id": asset_id,
                        "uses": uses,
                        "frequency": frequency,
                        "importance": importance,
                    }
                )
        elif after == (None, None, None):
            db.session.delete(use)
        else:
            use.uses, use.frequency, use.importance = after
    _insert(AssetUse, new_rows)


def save_section(response: Response, section: Instrument, values: Mapping[str, Value]) -> None:
    """Replace this response's answers to the items of one section with `values`."""
    if response.status != "partial":
        raise ServiceError("This response has already been submitted and can no longer be changed.")
    item_keys = [item.key for item in section.items]
    if section.key == ASSET_TEMPLATE_KEY:
        _save_asset_answers(response, item_keys, values)
        asset_keys = _asset_form_fields(response)
        item_keys = [key for key in item_keys if key not in asset_keys]
    db.session.execute(_DELETE_ANSWERS, {"response_id": response.id, "keys": item_keys})
    answers = []
    for key in item_keys:
        value = values.get(key)
        if value is DECLINED:
            answers.append(
                {"response_id": response.id, "item_key": key, "text": None, "value": None, "missing_reason": "declined"}
            )
            continue
        if value is None or value == "":
            continue
        # DECLINED was handled above, but mypy does not narrow `value is DECLINED`.
        text, number = (value, None) if isinstance(value, str) else (None, int(value))  # type: ignore[arg-type]
        answers.append({"response_id": response.id, "item_key": key, "text": text, "value": number})
    _insert(Answer, answers)
    # Flushed with the caller's bookkeeping (last page, pages saved): one UPDATE of the response per page.
    response.updated_at = utcnow()


def count_saved_page(response: Response) -> None:
    """Paradata: one more page saved (NULL stays NULL: a response stored before pages were counted)."""
    if response.pages_saved is not None:
        response.pages_saved += 1


def _insert(model: type[Answer] | type[AssetUse], rows: list[dict[str, Any]]) -> None:
    """Insert answer rows: as ORM objects when staff key them (the audit trail records each item),
    else in one executemany, which took half the time of a resident's page save."""
    if not rows:
        return
    if item_changes_audited():
        db.session.add_all(model(**row) for row in rows)
    else:
        db.session.execute(insert(model), rows)


def stored_values(response: Response) -> dict[str, Value]:
    """All answers of a response keyed by item key, asset answers included."""
    values: dict[str, Value] = {}
    for item_key, text, value, reason in db.session.execute(_ANSWER_ROWS, {"response_id": response.id}):
        if reason == "declined":
            values[item_key] = DECLINED
        elif text is not None or value is not None:
            values[item_key] = text if text is not None else value
    for slug, used, frequency, importance in db.session.execute(_ASSET_USE_ROWS, {"response_id": response.id}):
        if frequency is not None:
            values[f"asset_{slug}"] = frequency
        if importance is not None:
            values[f"asset_{slug}_value"] = importance
        if used is None and frequency is not None:
            used = frequency > 0  # answered as a grid (paper, version 1): "Never" is a "No"
        if used is not None:
            values[f"asset_{slug}-uses"] = 1 if used else 0
    return values


def first_incomplete_section(sections: Sequence[Instrument], values: Mapping[str, Value]) -> int | None:
    """Index of the first section with an unanswered required item, or None when all are done."""
    for index, section in enumerate(sections):
        if any(item.required and values.get(item.key) in (None, "") for item in section.items):
            return index
    return None


def submit_response(response: Response, sections: Sequence[Instrument]) -> bool:
    """Mark the response complete; False (and nothing changed) if required answers are missing."""
    if response.status == "complete":
        return True
    if first_incomplete_section(sections, stored_values(response)) is not None:
        return False
    now = utcnow()
    response.status = "complete"
    response.submitted_at = now
    # A finished response cannot be reopened, so its resume code has no further use.
    response.resume_code_hash = None
    response.resume_expires_at = None
    db.session.flush()
    return True


def _hash_code(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def normalise_resume_code(raw: str) -> str:
    return "".join(ch for ch in raw.upper() if ch.isalnum())


def format_resume_code(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def issue_resume_code(response: Response, valid_days: int) -> tuple[str, datetime]:
    """Give the response a new resume code (replacing any older one); returns (code, expiry)."""
    code = "".join(secrets.choice(RESUME_ALPHABET) for _ in range(RESUME_CODE_LENGTH))
    expires_at = utcnow() + timedelta(days=valid_days)
    response.resume_code_hash = _hash_code(code)
    response.resume_expires_at = expires_at
    db.session.flush()
    return format_resume_code(code), expires_at


def resume_response(campaign: Campaign, raw_code: str) -> Response:
    """The partial response a resume code belongs to, or a ServiceError saying why not."""
    code = normalise_resume_code(raw_code)
    response = None
    if len(code) == RESUME_CODE_LENGTH:
        response = db.session.scalar(
            select(Response).where(Response.resume_code_hash == _hash_code(code), Response.campaign_id == campaign.id)
        )
    if response is None or response.status != "partial":
        raise ServiceError("We could not find that resume code for this survey. Check it and try again.")
    if response.resume_expires_at is None or response.resume_expires_at < utcnow():
        raise ServiceError("That resume code has expired. You are welcome to start the survey again.")
    response.resumed = True  # paradata: the resident came back later with the code
    db.session.flush()
    return response


def response_scores(sections: Sequence[Instrument], values: Mapping[str, Value]) -> dict[str, float]:
    """Score one response as the scoring library would; unscorable scores are left out."""
    return score_one({key: value for key, value in values.items() if isinstance(value, int)}, sections)
