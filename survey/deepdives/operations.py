"""Recording, editing and erasing deep-dive interviews, and what their pages show of them.

Functions flush; the caller (one view or one command) commits. Deep dives, excerpts and codes are
audited by `survey.audit.trail` without the participant's code or words (PERSONAL_FIELDS).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from survey.access import RESEARCH, scope_to_user
from survey.assets.operations import FieldErrors
from survey.audit.access_log import record_access
from survey.database import take_turns, utcnow
from survey.deepdives.anchoring import Span, reanchor
from survey.deepdives.quoted_results import release_quoting_files
from survey.deepdives.uploads import normalise, text_problem
from survey.exceptions import EditedMeanwhileError
from survey.extensions import db
from survey.localtime import local_today
from survey.models import PARTICIPANT_CODE_PATTERN, Campaign, Community, DeepDive, Excerpt, ExcerptCode, User

CODE_MESSAGE = (
    "Enter the participant's code: a pseudonym such as DOV-07, never a name or email (letters and digits, "
    "with dots, dashes or underscores, up to 40 characters)."
)
# The data access log's name for a read of a deep dive's words.
ACCESS_RESOURCE = "deep-dive"
# The same deep dive recorded again by the same person within this time is taken for a double-clicked
# Record (as a workshop opened twice is): one row, not two copies to code and quote twice.
REPEAT_WINDOW = timedelta(minutes=1)
# Recordings in one community take turns (PostgreSQL; SQLite writers do anyway), so that check sees
# the other click's row.
_RECORD_LOCK_BASE = 8_000_000_000


@dataclass(frozen=True)
class DeepDiveValues:
    """What a deep-dive form or command gives, checked by `record_deep_dive` and `update_deep_dive`."""

    participant_code: str
    community: Community
    campaign: Campaign | None
    held_on: date
    interviewer: User | None
    consent_recording: bool
    consent_quotation: bool
    consent_sharing: bool
    transcript: str
    source_filename: str = ""


@dataclass(frozen=True)
class EditOutcome:
    """What an edit did to the deep dive's excerpts: moved with their words, or removed with their codes."""

    moved: int
    removed_excerpts: int
    removed_codes: int
    # Reports and packs that may have quoted the deep dive, released when quotation consent was
    # withdrawn: the caller deletes them once committed.
    released_files: tuple[Path, ...] = ()


@dataclass(frozen=True)
class Erasure:
    """How many rows an erasure of one participant takes (or took)."""

    deep_dives: int
    excerpts: int
    codes: int
    # Reports and packs that may have quoted them (an erasure, not a preview): deleted once committed.
    released_files: tuple[Path, ...] = field(default=(), compare=False)


def normalise_code(code: str) -> str:
    """A participant code as stored: trimmed, upper case (DOV-07 and dov-07 are one participant)."""
    return (code or "").strip().upper()


def _problems(values: DeepDiveValues) -> dict[str, str]:
    problems: dict[str, str] = {}
    if not re.fullmatch(PARTICIPANT_CODE_PATTERN, values.participant_code):
        problems["participant_code"] = CODE_MESSAGE
    campaign = values.campaign
    if campaign is not None and campaign.community_id != values.community.id:
        problems["campaign"] = f"Choose a campaign of {values.community.name}, or none."
    if values.held_on > local_today():
        problems["held_on"] = "The date of the interview must be today or in the past."
    problem = text_problem(values.transcript)
    if problem or not values.transcript:
        problems["transcript"] = problem or "Type the notes or transcript, or upload a .txt, .docx or .odt file."
    return problems


def _apply(deep_dive: DeepDive, values: DeepDiveValues) -> None:
    deep_dive.participant_code = values.participant_code
    deep_dive.community = values.community
    deep_dive.campaign = values.campaign
    deep_dive.held_on = values.held_on
    deep_dive.interviewer = values.interviewer
    deep_dive.consent_recording = values.consent_recording
    deep_dive.consent_quotation = values.consent_quotation
    deep_dive.consent_sharing = values.consent_sharing


def _checked(values: DeepDiveValues) -> DeepDiveValues:
    values = replace(
        values, participant_code=normalise_code(values.participant_code), transcript=normalise(values.transcript)
    )
    problems = _problems(values)
    if problems:
        raise FieldErrors(problems)
    return values


def record_deep_dive(values: DeepDiveValues, user: User | None) -> DeepDive:
    """A new deep dive; raises FieldErrors with what is wrong."""
    values = _checked(values)
    take_turns(db.session, _RECORD_LOCK_BASE + values.community.id)
    repeated = _just_recorded(values, user)
    if repeated is not None:
        return repeated
    deep_dive = DeepDive(
        transcript=values.transcript, source_filename=values.source_filename, created_by_id=user.id if user else None
    )
    _apply(deep_dive, values)
    db.session.add(deep_dive)
    db.session.flush()
    return deep_dive


def _just_recorded(values: DeepDiveValues, user: User | None) -> DeepDive | None:
    """The same deep dive (participant, date, words) recorded by the same person moments ago."""
    query = select(DeepDive).where(
        DeepDive.community_id == values.community.id,
        DeepDive.participant_code == values.participant_code,
        DeepDive.held_on == values.held_on,
        DeepDive.created_by_id == user.id if user is not None else DeepDive.created_by_id.is_(None),
        DeepDive.created_at >= utcnow() - REPEAT_WINDOW,
    )
    rows = db.session.scalars(query.order_by(DeepDive.id.desc()))
    return next((row for row in rows if row.transcript == values.transcript), None)


def edit_version(deep_dive: DeepDive) -> str:
    """What the edit form carries to tell whether the deep dive was saved since it was opened."""
    return deep_dive.updated_at.isoformat()


def update_deep_dive(deep_dive: DeepDive, values: DeepDiveValues, opened_version: str | None = None) -> EditOutcome:
    """Change a deep dive; a changed transcript re-anchors its excerpts (survey.deepdives.anchoring).

    A deep dive moved to another community loses the codes that name the old community's assets
    (they would point across communities); those count as removed codes too. With `opened_version`
    (`edit_version` when the form was opened), EditedMeanwhileError if it was saved since: two people
    editing at once, the later save put back every field as its form had it (a withdrawn consent to
    quotation came back, and the quotes with it). The row is locked first, so of two saves at once the
    second sees the first.
    """
    values = _checked(values)
    if opened_version is not None:
        locked = select(DeepDive).where(DeepDive.id == deep_dive.id).with_for_update()
        db.session.scalar(locked.execution_options(populate_existing=True))
        if edit_version(deep_dive) != opened_version:
            raise EditedMeanwhileError(
                "Someone saved this deep dive after you opened it (perhaps you, in another tab), so your changes "
                "were not saved: that would have undone theirs. What you typed is below. Open the deep dive in "
                "another tab to see their version; press Save again to replace it with yours."
            )
    # Quotes already in reports and packs are this community's (and the new one's if it moves).
    withdrawn_from = {deep_dive.community_id, values.community.id}
    withdrawn = deep_dive.consent_quotation and not values.consent_quotation
    moved = removed_excerpts = removed_codes = 0
    if values.transcript != deep_dive.transcript:
        for excerpt in list(deep_dive.excerpts):
            place = reanchor(values.transcript, Span(excerpt.start, excerpt.end, excerpt.text))
            if place is None:
                removed_excerpts += 1
                removed_codes += len(excerpt.codes)
                deep_dive.excerpts.remove(excerpt)
            elif place != (excerpt.start, excerpt.end):
                moved += 1
                excerpt.start, excerpt.end = place
        deep_dive.transcript = values.transcript
        deep_dive.source_filename = values.source_filename
    elif values.source_filename:
        deep_dive.source_filename = values.source_filename
    if values.community.id != deep_dive.community_id:
        for excerpt in deep_dive.excerpts:
            foreign = [code for code in excerpt.codes if code.asset is not None]
            removed_codes += len(foreign)
            for code in foreign:
                excerpt.codes.remove(code)
    _apply(deep_dive, values)
    db.session.flush()
    released = release_quoting_files(withdrawn_from) if withdrawn else []
    return EditOutcome(moved, removed_excerpts, removed_codes, tuple(released))


def _participant_query(code: str, community: Community | None) -> Select[DeepDive]:
    query = select(DeepDive).where(func.upper(DeepDive.participant_code) == normalise_code(code))
    if community is not None:
        query = query.where(DeepDive.community_id == community.id)
    return query.options(selectinload(DeepDive.excerpts).selectinload(Excerpt.codes))


def erasure_preview(code: str, community: Community | None) -> Erasure:
    """What erasing this participant's deep dives (in `community`, or everywhere) would delete."""
    found = list(db.session.scalars(_participant_query(code, community)))
    excerpts = [excerpt for deep_dive in found for excerpt in deep_dive.excerpts]
    return Erasure(len(found), len(excerpts), sum(len(excerpt.codes) for excerpt in excerpts))


def erase_participant(code: str, community: Community | None) -> Erasure:
    """Delete every deep dive of this participant (in `community`, or everywhere), with its excerpts
    and their codes. Each deletion is in the audit trail without the code or the words."""
    found = list(db.session.scalars(_participant_query(code, community)))
    excerpts = [excerpt for deep_dive in found for excerpt in deep_dive.excerpts]
    files = release_quoting_files(deep_dive.community_id for deep_dive in found)
    erased = Erasure(len(found), len(excerpts), sum(len(excerpt.codes) for excerpt in excerpts), tuple(files))
    for deep_dive in found:
        db.session.delete(deep_dive)
    db.session.flush()
    return erased


def deep_dives_query(user: User, community: Community | None = None) -> Select[DeepDive]:
    """The deep dives `user` may see (a peer: their communities'), newest first, optionally of one community."""
    query = select(DeepDive).order_by(DeepDive.held_on.desc(), DeepDive.id.desc())
    if community is not None:
        query = query.where(DeepDive.community_id == community.id)
    return scope_to_user(query, DeepDive.community_id, user)


def visible_communities(user: User) -> list[Community]:
    """The communities whose deep dives `user` may record and see, by name."""
    return list(db.session.scalars(scope_to_user(select(Community).order_by(Community.name), Community.id, user)))


def campaign_options(communities: list[Community]) -> list[Campaign]:
    """The campaigns a deep dive in these communities may belong to (practice runs are not research)."""
    ids = [community.id for community in communities]
    query = select(Campaign).where(Campaign.community_id.in_(ids), Campaign.practice.is_(False))
    return list(db.session.scalars(query.order_by(Campaign.title)))


def interviewer_options(user: User) -> list[User]:
    """Who a deep dive may name as its interviewer: any active staff account for researchers and
    admins; peers record the interviews they held themselves."""
    if user.role not in RESEARCH:
        return [user]
    return list(db.session.scalars(select(User).where(User.active.is_(True)).order_by(User.email)))


def person_label(person: User | None, viewer: User) -> str:
    """A staff account as this viewer sees it: researchers and admins by email, as on other research
    screens; peers see themselves as "You" and colleagues by their pseudonymous staff code."""
    if person is None:
        return "Not recorded"
    if viewer.role in RESEARCH:
        return person.email
    return "You" if person.id == viewer.id else f"Staff member {person.staff_code}"


def interviewer_label(deep_dive: DeepDive, viewer: User) -> str:
    """The deep dive's interviewer as this viewer sees them (`person_label`)."""
    return person_label(deep_dive.interviewer, viewer)


def code_count(deep_dive: DeepDive) -> int:
    """How many codes the deep dive's excerpts carry (the edit form warns that an edit may remove some)."""
    return int(
        db.session.scalar(select(func.count(ExcerptCode.id)).join(Excerpt).where(Excerpt.deep_dive_id == deep_dive.id))
        or 0
    )


def record_transcript_read(user: User, deep_dive: DeepDive, page: str) -> None:
    """Log that `user` saw this deep dive's words (its page or its edit form) in the data access log."""
    filters = {"deep_dive": deep_dive.id, "community": deep_dive.community.slug, "page": page}
    record_access(user, "web", ACCESS_RESOURCE, filters=filters, row_count=1)
