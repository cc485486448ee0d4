"""Opening and closing workshops, joining them, rating assets, hiding comments, agreeing adjustments.

Functions flush; the caller (one view or one command) commits. Workshops, staff-hidden comments
and the adjustments they write are audited by `survey.audit.trail`; participants' own ratings are
not (they are the data, as a resident's answers are).
"""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import date, timedelta

from sqlalchemy import func, select

from survey.assets.adjustments import AdjustmentValues, set_adjustment
from survey.assets.operations import FieldErrors
from survey.database import take_turns, utcnow
from survey.extensions import db
from survey.models import (
    PARTICIPANT_GROUPS,
    Asset,
    Campaign,
    CampaignAsset,
    Community,
    User,
    ValuationAdjustment,
    Workshop,
    WorkshopAsset,
    WorkshopParticipant,
    WorkshopRating,
)
from survey.workshops.codes import new_code, normalise_code

TITLE_MAX = 200
COMMENT_MAX = 1000
# The same workshop opened again within this time is taken for a double click.
REPEAT_WINDOW = timedelta(minutes=1)
# Advisory lock keys (PostgreSQL; SQLite writers take turns anyway), offset by the row's id:
# openings in one community take turns (a double click opens one), joins to one workshop for its
# participant numbers, one participant's ratings for their upsert (a double click stores one row).
_OPEN_LOCK_BASE = 7_400_000_000
_JOIN_LOCK_BASE = 7_500_000_000
_RATING_LOCK_BASE = 7_600_000_000


def current_assets(community: Community) -> list[Asset]:
    """The community's asset log as it stands: every asset not retired, by name."""
    return [asset for asset in community.assets if not asset.retired]


def open_workshop(
    community: Community,
    title: str,
    held_on: date,
    user: User | None = None,
    campaign: Campaign | None = None,
    assets: list[Asset] | None = None,
) -> Workshop:
    """A new open workshop with a fresh join code; `assets` default to the community's current ones.

    The same title, date and opener again within REPEAT_WINDOW returns the workshop just opened.
    """
    problems: dict[str, str] = {}
    title = (title or "").strip()
    if not title:
        problems["title"] = "Enter a title for the workshop, like Dover Town impact workshop."
    elif len(title) > TITLE_MAX:
        problems["title"] = f"Use at most {TITLE_MAX} characters."
    if campaign is not None and (campaign.community_id != community.id or campaign.practice):
        problems["campaign"] = f"Choose a campaign of {community.name} that is not a practice run."
    chosen = current_assets(community) if not assets else assets
    if any(asset.community_id != community.id for asset in chosen):
        problems["assets"] = f"Choose assets from {community.name}'s asset log."
    elif not chosen:
        problems["assets"] = f"{community.name} has no assets to discuss: add some to its asset log first."
    if problems:
        raise FieldErrors(problems)
    take_turns(db.session, _OPEN_LOCK_BASE + community.id)
    repeated = _just_opened(community, title, held_on, user)
    if repeated is not None:
        return repeated
    workshop = Workshop(
        community=community, campaign=campaign, title=title, held_on=held_on, code=_unused_code(), opened_by=user
    )
    workshop.assets = [WorkshopAsset(asset=asset, position=position) for position, asset in enumerate(chosen)]
    db.session.add(workshop)
    db.session.flush()
    return workshop


def _just_opened(community: Community, title: str, held_on: date, user: User | None) -> Workshop | None:
    """The same workshop opened by the same person moments ago: a double-clicked Open opens one."""
    query = select(Workshop).where(
        Workshop.community_id == community.id,
        Workshop.title == title,
        Workshop.held_on == held_on,
        Workshop.status == "open",
        Workshop.opened_by_id == user.id if user is not None else Workshop.opened_by_id.is_(None),
        Workshop.opened_at >= utcnow() - REPEAT_WINDOW,
    )
    return db.session.scalars(query.order_by(Workshop.id.desc())).first()


def _unused_code() -> str:
    while True:  # a repeat among ~3.8e10 codes is rare; the unique constraint backs this check
        code = new_code()
        if db.session.scalar(select(Workshop.id).where(Workshop.code == code)) is None:
            return code


def find_workshop(typed: str) -> Workshop | None:
    """The workshop a typed code names (any case, with or without hyphens and spaces), or None."""
    code = normalise_code(typed)
    if code is None:
        return None
    return db.session.scalar(select(Workshop).where(Workshop.code == code))


def _refuse_unless_open(workshop_id: int) -> None:
    """FieldErrors unless the workshop is open, read under a share lock on its row.

    The status the request loaded first may be stale on PostgreSQL: a close committed since then
    let a rating in after it (the participant told "Saved", the staff told it was closed). Under
    the lock, a close in progress is waited for and then seen, and a close waits for this write.
    SQLite needs no lock (a writing request holds the database's one writing turn from its start).
    """
    status = db.session.scalar(select(Workshop.status).where(Workshop.id == workshop_id).with_for_update(read=True))
    if status != "open":
        raise FieldErrors({"workshop": "This workshop has closed."})


def close_workshop(workshop: Workshop) -> bool:
    """Stop ratings; True if it was open. Staff still see it, and its code still exports it."""
    if workshop.status == "closed":
        return False
    workshop.status = "closed"
    workshop.closed_at = utcnow()
    db.session.flush()
    return True


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def participant_for(workshop: Workshop, token: str | None) -> WorkshopParticipant | None:
    """The participant whose browser holds `token` in this workshop, or None."""
    if not token:
        return None
    return db.session.scalar(
        select(WorkshopParticipant).where(
            WorkshopParticipant.workshop_id == workshop.id, WorkshopParticipant.token_hash == hash_token(token)
        )
    )


def join_workshop(workshop: Workshop, token: str, group: str | None) -> WorkshopParticipant:
    """Add a participant holding `token` (or return the one already holding it: a double click joins once)."""
    if group is not None and group not in PARTICIPANT_GROUPS:
        raise FieldErrors({"participant_group": "Choose one of the groups, or leave it blank."})
    take_turns(db.session, _JOIN_LOCK_BASE + workshop.id)
    _refuse_unless_open(workshop.id)
    existing = participant_for(workshop, token)
    if existing is not None:
        return existing
    number = db.session.scalar(
        select(func.coalesce(func.max(WorkshopParticipant.number), 0)).where(
            WorkshopParticipant.workshop_id == workshop.id
        )
    )
    participant = WorkshopParticipant(
        workshop=workshop, number=int(number or 0) + 1, participant_group=group, token_hash=hash_token(token)
    )
    db.session.add(participant)
    db.session.flush()
    return participant


def workshop_asset(workshop: Workshop, slug: str) -> Asset | None:
    """One of the assets the workshop discusses, by slug."""
    return next((link.asset for link in workshop.assets if link.asset.slug == slug), None)


def rate_asset(
    participant: WorkshopParticipant, asset: Asset, social: int, economic: int, comment: str
) -> WorkshopRating:
    """Store the participant's rating of `asset`: a new row, or their earlier one updated."""
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise FieldErrors({"comment": f"Use at most {COMMENT_MAX} characters."})
    take_turns(db.session, _RATING_LOCK_BASE + participant.id)
    _refuse_unless_open(participant.workshop_id)
    rating = own_rating(participant, asset)
    if rating is None:
        rating = WorkshopRating(participant=participant, asset=asset)
        db.session.add(rating)
    rating.social_impact, rating.economic_impact, rating.comment = social, economic, comment
    rating.rated_at = utcnow()
    db.session.flush()
    return rating


def own_rating(participant: WorkshopParticipant, asset: Asset) -> WorkshopRating | None:
    return db.session.scalar(
        select(WorkshopRating).where(
            WorkshopRating.participant_id == participant.id, WorkshopRating.asset_id == asset.id
        )
    )


def own_ratings(participant: WorkshopParticipant) -> dict[int, WorkshopRating]:
    """{asset id: rating} of this participant only."""
    rows = db.session.scalars(select(WorkshopRating).where(WorkshopRating.participant_id == participant.id))
    return {row.asset_id: row for row in rows}


def set_comment_hidden(workshop: Workshop, rating_id: int, hidden: bool) -> WorkshopRating | None:
    """Hide a comment from the room and the results (or show it again); None if not this workshop's."""
    rating = db.session.scalar(
        select(WorkshopRating)
        .join(WorkshopParticipant, WorkshopParticipant.id == WorkshopRating.participant_id)
        .where(WorkshopRating.id == rating_id, WorkshopParticipant.workshop_id == workshop.id)
    )
    if rating is not None and rating.hidden != hidden:
        rating.hidden = hidden
        db.session.flush()
    return rating


def target_campaign(workshop: Workshop) -> Campaign | None:
    """Where the workshop's adjustments go: its campaign, else the community's latest non-practice one."""
    if workshop.campaign is not None:
        return workshop.campaign
    campaigns = [c for c in workshop.community.campaigns if not c.practice and c.status != "draft"]
    # Latest by opening time, then id, as the dataset reader picks "the latest campaign".
    return max(campaigns, key=lambda c: (c.opened_at or c.created_at, c.id), default=None)


def agree_adjustment(
    workshop: Workshop, asset: Asset, values: AdjustmentValues, user: User | None
) -> ValuationAdjustment:
    """Record what the room agreed for `asset` as the campaign's adjustments, with the workshop as source."""
    campaign = target_campaign(workshop)
    if campaign is None:
        raise FieldErrors({"campaign": f"{workshop.community.name} has no opened campaign to record adjustments in."})
    asked = db.session.scalar(
        select(CampaignAsset.id).where(CampaignAsset.campaign_id == campaign.id, CampaignAsset.asset_id == asset.id)
    )
    if asked is None:
        message = f"{asset.name} was not asked about in {campaign.title}, so it has no value to adjust."
        raise FieldErrors({"asset": message})
    if values.agreed_on is None:
        values = dataclasses.replace(values, agreed_on=workshop.held_on)
    return set_adjustment(campaign, asset, values, user, workshop=workshop)
