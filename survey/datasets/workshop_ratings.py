"""What impact workshops said about a community's assets, for its profiles and the profile pack.

Read from the workshop tables directly (the workshop mode sits above this package: its cards show
the profiles' evidence). One `analysis.profile.WorkshopRatings` per workshop and asset rated there,
oldest workshop first; comments a researcher hid are left out, their ratings still count (as on the
facilitator's screen and in the results CSV). `ratings_frame` gives the same counts as the
report's tidy table, without comments.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Sequence

import pandas as pd
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from analysis.profile import WorkshopRatings
from analysis.workshop_ratings import RATING_POINTS, WORKSHOP_RATING_COLUMNS
from survey.datasets.tables import engine_for, snapshot
from survey.extensions import db
from survey.localtime import long_date
from survey.models import Asset, Campaign, Community, Workshop, WorkshopParticipant, WorkshopRating


def ratings_for(community: Community, campaign_slug: str | None = None) -> list[WorkshopRatings]:
    """Every workshop of `community` (of one campaign's, or of all when `campaign_slug` is None) and
    its ratings of each asset; workshops without a campaign count for every campaign."""
    rated = _rated(db.session(), [community.id], None if campaign_slug is None else [campaign_slug])
    return [_summary(workshop, slug, rows) for (workshop, _community, slug), rows in rated]


def ratings_frame(
    engine_or_url: Engine | str, communities: Sequence[str], campaigns: Sequence[str] | None = None
) -> pd.DataFrame:
    """The report's tidy table of `analysis.workshop_ratings` (one row per workshop and asset rated
    there) for these community slugs and campaigns (None: all), counts and medians only."""
    engine = engine_for(engine_or_url) if isinstance(engine_or_url, str) else engine_or_url
    try:
        # A read snapshot (as the dataset reader's): on SQLite it never takes the write lock.
        with snapshot(engine) as connection, Session(bind=connection) as session:
            ids = list(session.scalars(select(Community.id).where(Community.slug.in_(list(communities)))))
            rows = [
                _frame_row(community, _summary(workshop, slug, ratings), workshop.held_on.isoformat(), workshop.title)
                for (workshop, community, slug), ratings in _rated(session, ids, campaigns)
            ]
    finally:
        if isinstance(engine_or_url, str):
            engine.dispose()
    return pd.DataFrame(rows, columns=list(WORKSHOP_RATING_COLUMNS))


def _rated(
    session: Session, community_ids: Sequence[int], campaigns: Sequence[str] | None
) -> list[tuple[tuple[Workshop, str, str], list[WorkshopRating]]]:
    """((workshop, community slug, asset slug), its ratings), oldest workshop first."""
    query = (
        select(Workshop, Community.slug, Asset.slug, WorkshopRating)
        .join(Community, Community.id == Workshop.community_id)
        .join(WorkshopParticipant, WorkshopParticipant.workshop_id == Workshop.id)
        .join(WorkshopRating, WorkshopRating.participant_id == WorkshopParticipant.id)
        .join(Asset, Asset.id == WorkshopRating.asset_id)
        .where(Workshop.community_id.in_(list(community_ids)))
        .order_by(Workshop.held_on, Workshop.id, WorkshopRating.rated_at, WorkshopRating.id)
    )
    if campaigns is not None:
        query = query.outerjoin(Campaign, Campaign.id == Workshop.campaign_id).where(
            (Workshop.campaign_id.is_(None)) | (Campaign.slug.in_(list(campaigns)))
        )
    grouped: dict[tuple[int, str], list[WorkshopRating]] = defaultdict(list)
    keys: dict[tuple[int, str], tuple[Workshop, str, str]] = {}
    for workshop, community_slug, slug, rating in session.execute(query).all():
        keys[(workshop.id, slug)] = (workshop, community_slug, slug)
        grouped[(workshop.id, slug)].append(rating)
    return [(keys[key], rows) for key, rows in grouped.items()]


def _frame_row(community: str, summary: WorkshopRatings, held_on: str, title: str) -> dict[str, object]:
    return {
        "community": community,
        "asset": summary.asset,
        "workshop": title,
        "held_on": held_on,
        "participants": summary.participants,
        "social_median": summary.social_median,
        "economic_median": summary.economic_median,
        **{f"social_{point}": count for point, count in zip(RATING_POINTS, summary.social, strict=True)},
        **{f"economic_{point}": count for point, count in zip(RATING_POINTS, summary.economic, strict=True)},
    }


def _summary(workshop: Workshop, slug: str, rows: list[WorkshopRating]) -> WorkshopRatings:
    social = [row.social_impact for row in rows]
    economic = [row.economic_impact for row in rows]
    return WorkshopRatings(
        asset=slug,
        workshop=f"{workshop.title} ({long_date(workshop.held_on)})",  # as every page writes a date
        participants=len(rows),
        social=_distribution(social),
        economic=_distribution(economic),
        social_median=float(statistics.median(social)),
        economic_median=float(statistics.median(economic)),
        comments=tuple(row.comment for row in rows if row.comment and not row.hidden),
    )


def _distribution(values: list[int]) -> tuple[int, int, int, int, int]:
    counts = [values.count(point) for point in RATING_POINTS]
    return (counts[0], counts[1], counts[2], counts[3], counts[4])
