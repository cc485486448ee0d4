"""Interviews in progress: which unfinished interviews a member of staff has, how far each got,
and discarding one (the delete is recorded by the audit trail like any other)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from survey.access import scope_to_user
from survey.campaigns.operations import campaign_sections
from survey.exceptions import ServiceError
from survey.extensions import db
from survey.models import Campaign, Response, User
from survey.responses.operations import first_incomplete_section, stored_values


@dataclass(frozen=True)
class UnfinishedInterview:
    """A partial interview and the part to carry on from (1-based) out of `parts`."""

    response: Response
    part: int
    parts: int


def resume_part(response: Response) -> tuple[int, int]:
    """(part to carry on from, number of parts): the first part still missing a required answer."""
    sections = campaign_sections(response.campaign)
    missing = first_incomplete_section(sections, stored_values(response))
    return (len(sections) if missing is None else missing + 1), len(sections)


def unfinished_interviews(user: User) -> list[UnfinishedInterview]:
    """`user`'s own partial interviews in the communities they may see, newest first."""
    query = (
        select(Response)
        .join(Campaign, Response.campaign_id == Campaign.id)
        .options(joinedload(Response.campaign).joinedload(Campaign.community))
        .where(
            Response.entered_by_id == user.id,
            Response.mode == "interview",
            Response.status == "partial",
        )
        .order_by(Response.started_at.desc(), Response.id.desc())
    )
    rows = db.session.scalars(scope_to_user(query, Response.community_id, user)).unique()
    return [UnfinishedInterview(response, *resume_part(response)) for response in rows]


def discard_interview(response: Response) -> None:
    """Delete an unfinished interview and its answers (a finished one is kept: it is data)."""
    if response.mode != "interview" or response.status != "partial":
        raise ServiceError("Only an unfinished interview can be discarded.")
    db.session.delete(response)
    db.session.flush()
