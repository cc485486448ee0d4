"""Strategies, an oracle and database invariants for the fuzz tests (tests/test_fuzz.py).

The oracle predicts what the residents' survey must do with a page of form data by
applying the same rules the forms apply (first value of a repeated key wins, whole numbers
as Python's `int()` reads them, optional blanks are "no answer", text is stripped), so a
fuzzed post is checked against an exact expectation rather than only "not a 500".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from instruments import Instrument, Item
from survey.campaigns.operations import campaign_sections
from survey.extensions import db
from survey.models import Answer, AssetUse, CampaignAsset, ContactDetail, Response

Pairs = list[tuple[str, str]]

# Values that have broken form handling somewhere: numbers Python reads leniently, numbers too
# long for int(), floats, markup, SQL, control characters and the NUL byte PostgreSQL refuses.
NASTY_VALUES = [
    "",
    " ",
    "\t\n",
    "0",
    "-1",
    "+3",
    " 3 ",
    "03",
    "1_0",
    "\u0663",  # ARABIC-INDIC DIGIT THREE: int() reads it as 3
    "3.0",
    "1e3",
    "NaN",
    "inf",
    "NA",
    ".",
    "9" * 25,
    "9" * 5000,  # beyond Python's 4300-digit int() limit
    "\x00",
    "4\x00",
    "\x1f\x7f",
    "<script>alert(1)</script>",
    "'; DROP TABLE answer; --",
    "\u202e\ufeff",
    "ß" * 3,  # upper() makes it longer
]

junk_text = st.one_of(
    st.sampled_from(NASTY_VALUES),
    st.text(st.characters(codec="utf-8"), max_size=40),
    st.integers().map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)
junk_key = st.one_of(st.sampled_from(["csrf_token", "action", "consent", "start_token", "code", "x"]), junk_text)
# Arbitrary URL path segments and query strings (percent-encoded by the test client).
path_segment = st.one_of(
    st.sampled_from(["", ".", "..", "%00", "%2F", "0", "-1", "9" * 30, "dover-town", "page", "a" * 300]),
    st.text(st.characters(codec="utf-8", exclude_characters="/?#"), max_size=30),
)
query_pairs = st.lists(st.tuples(junk_key, junk_text), max_size=4)


def _valid_value(item: Item) -> st.SearchStrategy[str]:
    if item.type == "choice":
        return st.sampled_from([str(code) for code in item.codes] + (["declined"] if item.prefer_not_to_say else []))
    if item.type == "integer":
        return st.integers(item.min if item.min is not None else -(10**6), item.max or 10**6).map(str)
    if item.pattern:
        return st.from_regex(item.pattern, fullmatch=True)
    return st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=item.max_length or 200)


def mostly(usual: st.SearchStrategy[Any], rare: st.SearchStrategy[Any], percent: int = 80) -> st.SearchStrategy[Any]:
    """`usual` about `percent`% of the time: enough valid input to get past validation and go deeper."""
    return st.integers(0, 99).flatmap(lambda roll: usual if roll < percent else rare)


def item_value(item: Item) -> st.SearchStrategy[str | None]:
    """Mostly a valid answer (so pages get saved), sometimes none, sometimes junk; None = key left out."""
    return st.integers(0, 9).flatmap(
        lambda roll: _valid_value(item) if roll < 6 else st.none() if roll < 8 else junk_text
    )


@st.composite
def complete_section_pairs(draw: st.DrawFn, section: Instrument) -> Pairs:
    """A page as a careful resident fills it: every required item, some optional ones, all valid,
    and "How often" after each "Yes" to "Do you go to ...?"."""
    pairs = [(item.key, draw(_valid_value(item))) for item in section.items if item.required or draw(st.booleans())]
    chosen = dict(pairs)
    for key, value in list(chosen.items()):
        asset_key = key.removesuffix(SCREENER_SUFFIX)
        if key.endswith(SCREENER_SUFFIX) and value == "1" and asset_key not in chosen:
            pairs.append((asset_key, draw(_valid_value(section.item(asset_key)))))
    return pairs


@st.composite
def section_pairs(draw: st.DrawFn, section: Instrument) -> Pairs:
    """Form pairs for one page: its items (valid, missing or junk), repeated keys, unknown keys."""
    pairs: Pairs = []
    for item in section.items:
        value = draw(item_value(item))
        if value is not None:
            pairs.append((item.key, value))
    for _ in range(draw(st.integers(0, 2))):
        if draw(st.booleans()) and section.items:
            key = draw(st.sampled_from(section.item_keys))
            repeated = (key, draw(st.one_of(_valid_value(section.item(key)), junk_text)))
            # Ahead of the original the repeat is the value that counts; after it, it is ignored.
            pairs.insert(draw(st.integers(0, len(pairs))), repeated)
        else:
            pairs.append((draw(junk_key), draw(junk_text)))
    return pairs


def has_nul(pairs: Sequence[tuple[str, str]]) -> bool:
    return any("\x00" in key or "\x00" in value for key, value in pairs)


def first_value(pairs: Sequence[tuple[str, str]], key: str) -> str | None:
    return next((value for name, value in pairs if name == key), None)


def _whole(raw: str) -> int | None:
    try:
        return int(raw)
    except ValueError:
        return None


def _expected_answer(item: Item, raw: str | None, enforce_required: bool) -> tuple[bool, int | str | None]:
    """(valid, stored value) for one item, following survey/residents/forms.py."""
    required = item.required and enforce_required
    blank = raw is None or not raw.strip()
    if item.type == "choice" and item.prefer_not_to_say and raw == "declined":
        return True, "declined"  # "Prefer not to say": a missing reason, never a code
    if item.type == "text":
        text = None if raw is None else (raw.strip().upper() if item.pattern else raw.strip())
        if blank:
            return not required, None
        assert text is not None
        if item.max_length is not None and len(text) > item.max_length:
            return False, None
        return item.check(text) is None, text
    if required:
        # InputRequired lets any non-empty string through to the integer parse.
        if raw is None or raw == "":
            return False, None
    elif blank:
        return True, None
    number = _whole(raw or "")
    if number is None:
        return False, None
    return item.check(number) is None, number


@dataclass(frozen=True)
class PageOutcome:
    valid: bool
    values: dict[str, int | str | None]


SCREENER_SUFFIX = "-uses"  # "Do you go to ...?" (asset_use v2; survey.responses.pages.screen_key)


def expected_page(section: Instrument, pairs: Pairs, enforce_required: bool) -> PageOutcome:
    """Whether a page post must validate, and the answers it must store if it does (as stored:
    a screener's "No" is frequency 0; "How often" left out after "Yes" only shows the page again)."""
    values: dict[str, int | str | None] = {}
    valid = True
    for item in section.items:
        ok, value = _expected_answer(item, first_value(pairs, item.key), enforce_required)
        valid = valid and ok
        values[item.key] = value
    stored = {key: value for key, value in values.items() if not key.endswith(SCREENER_SUFFIX)}
    for key, value in values.items():
        if key.endswith(SCREENER_SUFFIX) and value == 0:
            stored[key.removesuffix(SCREENER_SUFFIX)] = 0
    return PageOutcome(valid, stored)


@dataclass(frozen=True)
class ResponseState:
    status: str
    submitted: bool
    has_resume_code: bool
    values: dict[str, int | str]


def _responses(public_ids: Sequence[str]) -> Sequence[Response]:
    query = select(Response).where(Response.public_id.in_(list(public_ids)))
    return db.session.scalars(query.options(selectinload(Response.answers), selectinload(Response.asset_uses))).all()


def response_states(public_ids: Sequence[str]) -> dict[str, ResponseState]:
    """These responses with their stored answers (asset answers under their item keys)."""
    states: dict[str, ResponseState] = {}
    for response in _responses(public_ids):
        values: dict[str, int | str] = {}
        for answer in response.answers:
            if answer.missing_reason == "declined":
                values[answer.item_key] = "declined"
                continue
            values[answer.item_key] = answer.text if answer.text is not None else answer.value  # type: ignore[assignment]
        for use in response.asset_uses:
            if use.frequency is not None:
                values[f"asset_{use.campaign_asset.slug}"] = use.frequency
            if use.importance is not None:
                values[f"asset_{use.campaign_asset.slug}_value"] = use.importance
        states[response.public_id] = ResponseState(
            response.status, response.submitted_at is not None, response.resume_code_hash is not None, values
        )
    db.session.expire_all()
    return states


def torn_state_problems(public_ids: Sequence[str]) -> list[str]:
    """What a torn or invalid write would leave behind in these responses, or anywhere as orphan rows."""
    problems: list[str] = []
    items_by_campaign: dict[int, dict[str, Item]] = {}
    sections_by_campaign: dict[int, list[Instrument]] = {}
    for response in _responses(public_ids):
        if response.campaign_id not in items_by_campaign:
            sections = campaign_sections(response.campaign)
            sections_by_campaign[response.campaign_id] = sections
            items_by_campaign[response.campaign_id] = {item.key: item for s in sections for item in s.items}
        items = items_by_campaign[response.campaign_id]
        where = f"response {response.public_id}"
        if response.status not in ("partial", "complete"):
            problems.append(f"{where}: status {response.status!r}")
        if (response.status == "complete") != (response.submitted_at is not None):
            problems.append(f"{where}: status {response.status} but submitted_at {response.submitted_at}")
        if response.status == "complete" and response.resume_code_hash is not None:
            problems.append(f"{where}: complete but still has a resume code")
        keys = [answer.item_key for answer in response.answers]
        if len(keys) != len(set(keys)):
            problems.append(f"{where}: an item answered twice: {sorted(keys)}")
        stored: dict[str, object] = {}
        for answer in response.answers:
            item = items.get(answer.item_key)
            value = answer.text if answer.text is not None else answer.value
            stored[answer.item_key] = value
            if item is None or item.key.startswith("asset_") and item.key != "asset_nominations":
                problems.append(f"{where}: answer to {answer.item_key!r}, not a plain item of its campaign")
            elif answer.missing_reason == "declined":
                if not item.prefer_not_to_say or answer.text is not None or answer.value is not None:
                    problems.append(f"{where}: {answer.item_key} declined with a value, or cannot be declined")
            elif (answer.text is None) == (answer.value is None) or (answer.text is not None) != (item.type == "text"):
                problems.append(f"{where}: {answer.item_key} stored as value={answer.value!r} text={answer.text!r}")
            elif value == "" or item.check(value) is not None:
                problems.append(f"{where}: {answer.item_key} holds {value!r}: {item.check(value)}")
        used = [use.campaign_asset_id for use in response.asset_uses]
        if len(used) != len(set(used)):
            problems.append(f"{where}: an asset answered twice")
        for use in response.asset_uses:
            slug = use.campaign_asset.slug
            if use.campaign_asset.campaign_id != response.campaign_id:
                problems.append(f"{where}: asset use of another campaign's asset {slug}")
            if use.uses is None and use.frequency is None and use.importance is None:
                problems.append(f"{where}: empty asset use row for {slug}")
            if use.uses is False and use.frequency != 0:
                problems.append(f"{where}: {slug}: 'No' stored with frequency {use.frequency!r}")
            for key, value in ((f"asset_{slug}", use.frequency), (f"asset_{slug}_value", use.importance)):
                if value is not None:
                    stored[key] = value
                    if key not in items or items[key].check(value) is not None:
                        problems.append(f"{where}: {key} holds {value!r}")
        if response.status == "complete":
            for item in items.values():
                if item.required and stored.get(item.key) is None:
                    problems.append(f"{where}: complete without required {item.key}")
    problems += _orphans()
    for contact in db.session.scalars(
        select(ContactDetail).where(ContactDetail.response_public_id.in_(list(public_ids)))
    ):
        owner = db.session.scalar(select(Response).filter_by(public_id=contact.response_public_id))
        if owner is None or owner.status != "complete":
            problems.append(f"contact {contact.id}: left for a response that is not complete")
        if not contact.purposes or not (contact.email or contact.phone) or not contact.name:
            problems.append(f"contact {contact.id}: incomplete ({contact.purposes!r})")
    db.session.expire_all()
    return problems


def _orphans() -> list[str]:
    """Rows pointing at nothing (foreign keys should prevent them; this checks they really do)."""
    problems = []
    checks: list[tuple[str, Any]] = [
        ("answer", select(func.count()).select_from(Answer).outerjoin(Response).where(Response.id.is_(None))),
        ("asset use", select(func.count()).select_from(AssetUse).outerjoin(Response).where(Response.id.is_(None))),
        (
            "asset use (asset)",
            select(func.count()).select_from(AssetUse).outerjoin(CampaignAsset).where(CampaignAsset.id.is_(None)),
        ),
        (
            "contact",
            select(func.count())
            .select_from(ContactDetail)
            .outerjoin(Response, Response.public_id == ContactDetail.response_public_id)
            .where(Response.id.is_(None)),
        ),
    ]
    per_response = (
        select(ContactDetail.response_public_id).group_by(ContactDetail.response_public_id).having(func.count() > 1)
    )
    # One query for every count (run after each step of the state machine, five round trips added up).
    *counts, several_contacts = db.session.execute(
        select(*(query.scalar_subquery() for _name, query in checks), per_response.exists())
    ).one()
    for (name, _query), count in zip(checks, counts, strict=True):
        if count:
            problems.append(f"{count} orphan {name} row(s)")
    if several_contacts:
        problems.append("a response has more than one contact row")
    return problems
