"""Fieldwork progress for researchers: every count is an SQL aggregate, never a loop over responses.

Days are calendar days in the display time zone (Europe/London by default), so a
response submitted at 00:30 BST counts on the day the resident saw. PostgreSQL converts
with `timezone()`; SQLite has no time-zone database, so the connection is lent a small
Python function (`survey_local_date`) that does the same conversion inside the query.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, case, exists, func, select

from survey.database import local_date
from survey.extensions import db
from survey.models import MODES, PAPER_FORM_STATUSES, Campaign, Discrepancy, PaperEntry, PaperForm, Response, User

# An import's rows are "importing" until its batch publishes: not counted until then.
COUNTED = ("complete", "partial")


@dataclass(frozen=True)
class ResponseCounts:
    """Complete and partial responses."""

    complete: int = 0
    partial: int = 0


@dataclass(frozen=True)
class PaperProgress:
    """Where a campaign's paper forms are; a form is in exactly one `by_status` bucket."""

    by_status: dict[str, int]
    awaiting_second_entry: int  # keyed once, sampled for double entry, second entry not yet made
    unresolved_discrepancies: int  # both entries made, some items still disagree

    @property
    def issued(self) -> int:
        return sum(self.by_status.values())

    @property
    def not_returned(self) -> int:
        return self.by_status.get("issued", 0)

    @property
    def returned_not_keyed(self) -> int:
        return self.by_status.get("returned", 0)


@dataclass(frozen=True)
class InterviewerCounts:
    """One interviewer's interviews in a campaign."""

    name: str
    complete: int
    partial: int


@dataclass(frozen=True)
class CampaignDashboard:
    """A campaign's fieldwork progress, as the dashboard shows it."""

    campaign: Campaign
    counts: ResponseCounts
    by_day: list[tuple[date, int]]
    by_mode: dict[str, ResponseCounts]
    verified: int
    awaiting_verification: int
    paper: PaperProgress
    interviewers: list[InterviewerCounts] = field(default_factory=list)
    busiest_day: int = field(init=False)
    by_week: list[tuple[date, int]] = field(init=False)  # (Monday, complete responses that week)
    busiest_week: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "busiest_day", max((count for _, count in self.by_day), default=0))
        weeks: dict[date, int] = {}
        for day, count in self.by_day:  # every day from first to last, so no week is missing
            monday = day - timedelta(days=day.weekday())
            weeks[monday] = weeks.get(monday, 0) + count
        object.__setattr__(self, "by_week", sorted(weeks.items()))
        object.__setattr__(self, "busiest_week", max(weeks.values(), default=0))

    @property
    def target(self) -> int | None:
        return self.campaign.target_sample_size

    @property
    def percent_of_target(self) -> int | None:
        if not self.target:
            return None
        return round(100 * self.counts.complete / self.target)


def response_counts(campaign_ids: Iterable[int]) -> dict[int, ResponseCounts]:
    """Complete and partial responses per campaign, in one grouped query."""
    ids = list(campaign_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(Response.campaign_id, Response.status, func.count(Response.id))
        .where(Response.campaign_id.in_(ids), Response.status.in_(COUNTED))
        .group_by(Response.campaign_id, Response.status)
    )
    tallies: dict[int, dict[str, int]] = {campaign_id: {} for campaign_id in ids}
    for campaign_id, status, count in rows:
        tallies[campaign_id][status] = count
    return {campaign_id: ResponseCounts(**tally) for campaign_id, tally in tallies.items()}


def campaign_dashboard(campaign: Campaign, zone_name: str) -> CampaignDashboard:
    """Everything the campaign dashboard shows."""
    by_mode = _by_mode(campaign)
    counts = ResponseCounts(
        complete=sum(c.complete for c in by_mode.values()), partial=sum(c.partial for c in by_mode.values())
    )
    verified, awaiting = _verification(campaign)
    return CampaignDashboard(
        campaign=campaign,
        counts=counts,
        by_day=complete_by_day(campaign, zone_name),
        by_mode=by_mode,
        verified=verified,
        awaiting_verification=awaiting,
        paper=paper_progress(campaign),
        interviewers=interviewer_counts(campaign),
    )


def interviewer_counts(campaign: Campaign) -> list[InterviewerCounts]:
    """Complete and unfinished interviews per member of staff who ran them, most completes first."""
    rows = db.session.execute(
        select(User.id, User.name, User.email, Response.status, func.count(Response.id))
        .join(User, User.id == Response.entered_by_id)
        .where(Response.campaign_id == campaign.id, Response.mode == "interview", Response.status.in_(COUNTED))
        .group_by(User.id, User.name, User.email, Response.status)
    )
    tallies: dict[int, dict[str, Any]] = {}  # InterviewerCounts keyword arguments
    for user_id, name, email, status, count in rows:
        tally = tallies.setdefault(user_id, {"name": name or email, "complete": 0, "partial": 0})
        tally[status] = count
    counts = [InterviewerCounts(**tally) for tally in tallies.values()]
    return sorted(counts, key=lambda row: (-row.complete, row.name.lower()))


def _by_mode(campaign: Campaign) -> dict[str, ResponseCounts]:
    rows = db.session.execute(
        select(Response.mode, Response.status, func.count(Response.id))
        .where(Response.campaign_id == campaign.id, Response.status.in_(COUNTED))
        .group_by(Response.mode, Response.status)
    )
    tallies: dict[str, dict[str, int]] = {mode: {} for mode in MODES}
    for mode, status, count in rows:
        tallies[mode][status] = count
    return {mode: ResponseCounts(**tally) for mode, tally in tallies.items()}


def _verification(campaign: Campaign) -> tuple[int, int]:
    """(verified, awaiting verification) among complete responses."""
    row = db.session.execute(
        select(
            func.count(case((Response.verified.is_(True), 1))),
            func.count(case((Response.verified.is_(False), 1))),
        ).where(Response.campaign_id == campaign.id, Response.status == "complete")
    ).one()
    return int(row[0]), int(row[1])


def complete_by_day(campaign: Campaign, zone_name: str) -> list[tuple[date, int]]:
    """Complete responses per local calendar day, days without any included (first to last)."""
    # Grouping on a subquery's column: PostgreSQL would not match the time-zone bind parameter
    # of a repeated expression between SELECT and GROUP BY.
    days = (
        select(local_date(db.session, Response.submitted_at, zone_name).label("day"))
        .where(Response.campaign_id == campaign.id, Response.status == "complete")
        .subquery()
    )
    rows = db.session.execute(select(days.c.day, func.count()).group_by(days.c.day)).all()
    counts = {_as_date(value): count for value, count in rows}
    if not counts:
        return []
    first, last = min(counts), max(counts)
    every_day = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    return [(day, counts.get(day, 0)) for day in every_day]


def _as_date(value: Any) -> date:
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def paper_progress(campaign: Campaign) -> PaperProgress:
    """Paper forms by status, plus keyed forms still waiting for a second entry or a resolution."""
    rows = db.session.execute(
        select(PaperForm.status, func.count(PaperForm.id))
        .where(PaperForm.campaign_id == campaign.id)
        .group_by(PaperForm.status)
    )
    by_status = dict.fromkeys(PAPER_FORM_STATUSES, 0)
    by_status.update({status: count for status, count in rows})
    has_second = exists().where(PaperEntry.form_id == PaperForm.id, PaperEntry.entry_number == 2)
    has_open_discrepancy = exists().where(Discrepancy.form_id == PaperForm.id, Discrepancy.resolved.is_(False))
    live = and_(PaperForm.campaign_id == campaign.id, PaperForm.status != "spoiled")
    awaiting = db.session.scalar(
        select(func.count(PaperForm.id)).where(
            live, PaperForm.status == "keyed", PaperForm.needs_double_entry.is_(True), ~has_second
        )
    )
    disputed = db.session.scalar(select(func.count(PaperForm.id)).where(live, has_open_discrepancy))
    return PaperProgress(
        by_status=by_status, awaiting_second_entry=awaiting or 0, unresolved_discrepancies=disputed or 0
    )
