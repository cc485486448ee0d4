"""Residents' nominations: the free-text "other places, groups or people you value" answers.

Only complete responses count, and practice campaigns are left out (their answers are
made up by trainees). There is no "handled" flag in the schema; instead each nomination
lists the asset-log entries whose name it mentions (case-insensitive), so a researcher
can see at a glance which ones are already in the log.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import Select, func, select

from survey.database import MAX_ID
from survey.exceptions import NotFoundError
from survey.extensions import db
from survey.models import Answer, Asset, Campaign, Community, Response

NOMINATION_ITEM = "asset_nominations"


@dataclass(frozen=True)
class Nomination:
    """One resident's nomination and the existing assets it names."""

    answer_id: int
    text: str
    submitted_at: datetime
    campaign_title: str
    mentions: tuple[str, ...]  # names of existing assets the text mentions


def _nominations(community: Community) -> Select[int, str | None, datetime | None, str]:
    return (
        select(Answer.id, Answer.text, Response.submitted_at, Campaign.title)
        .join(Response, Answer.response_id == Response.id)
        .join(Campaign, Response.campaign_id == Campaign.id)
        .where(
            Response.community_id == community.id,
            Response.status == "complete",
            Campaign.practice.is_(False),
            Answer.item_key == NOMINATION_ITEM,
            Answer.text.is_not(None),
            Answer.text != "",
        )
    )


def count_nominations(community: Community) -> int:
    """How many nominations a community has (for paging)."""
    return db.session.scalar(select(func.count()).select_from(_nominations(community).subquery())) or 0


def list_nominations(community: Community, page: int = 1, per_page: int = 50) -> list[Nomination]:
    """One page of a community's nominations, newest first."""
    # The query keeps complete responses (submitted_at set) with a text, so neither is None here.
    rows = cast(
        Sequence[tuple[int, str, datetime, str]],
        db.session.execute(
            _nominations(community)
            .order_by(Response.submitted_at.desc(), Answer.id.desc())
            .limit(per_page)
            .offset(max(page - 1, 0) * per_page)
        ).all(),
    )
    names = db.session.scalars(select(Asset.name).where(Asset.community_id == community.id)).all()
    return [
        Nomination(answer_id, text, submitted_at, title, mentioned_assets(text, names))
        for answer_id, text, submitted_at, title in rows
    ]


def mentioned_assets(text: str, names: Sequence[str]) -> tuple[str, ...]:
    """The asset names that appear in `text`, ignoring case."""
    folded = text.casefold()
    return tuple(sorted(name for name in names if name.strip() and name.casefold() in folded))


def nomination_text(community: Community, answer_id: int) -> str:
    """The text of one of this community's nominations (to pre-fill a new asset)."""
    if not 0 < answer_id <= MAX_ID:  # no row has it, and the database cannot even compare it (a 500)
        raise NotFoundError("That nomination is not one of this community's.")
    text = db.session.scalar(_nominations(community).where(Answer.id == answer_id).with_only_columns(Answer.text))
    if text is None:
        raise NotFoundError("That nomination is not one of this community's.")
    return text
