"""What impact workshops said about a community's assets, for its profiles and the profile pack.

Read from the workshop tables directly (the workshop mode sits above this package: its cards show
the profiles' evidence). One `analysis.profile.WorkshopRatings` per workshop and asset rated there,
oldest workshop first; comments a researcher hid are left out, their ratings still count (as on the
facilitator's screen and in the results CSV).
"""

from __future__ import annotations

import statistics
from collections import defaultdict

from sqlalchemy import select

from analysis.profile import WorkshopRatings
from survey.extensions import db
from survey.models import Asset, Campaign, Community, Workshop, WorkshopParticipant, WorkshopRating

RATING_POINTS = (1, 2, 3, 4, 5)


def ratings_for(community: Community, campaign_slug: str | None = None) -> list[WorkshopRatings]:
    """Every workshop of `community` (of one campaign's, or of all when `campaign_slug` is None) and
    its ratings of each asset; workshops without a campaign count for every campaign."""
    query = (
        select(Workshop, Asset.slug, WorkshopRating)
        .join(WorkshopParticipant, WorkshopParticipant.workshop_id == Workshop.id)
        .join(WorkshopRating, WorkshopRating.participant_id == WorkshopParticipant.id)
        .join(Asset, Asset.id == WorkshopRating.asset_id)
        .where(Workshop.community_id == community.id)
        .order_by(Workshop.held_on, Workshop.id, WorkshopRating.rated_at, WorkshopRating.id)
    )
    if campaign_slug is not None:
        query = query.outerjoin(Campaign, Campaign.id == Workshop.campaign_id).where(
            (Workshop.campaign_id.is_(None)) | (Campaign.slug == campaign_slug)
        )
    grouped: dict[tuple[int, str], list[WorkshopRating]] = defaultdict(list)
    workshops: dict[int, Workshop] = {}
    for workshop, slug, rating in db.session.execute(query).all():
        workshops[workshop.id] = workshop
        grouped[(workshop.id, slug)].append(rating)
    return [_summary(workshops[workshop_id], slug, rows) for (workshop_id, slug), rows in grouped.items()]


def _summary(workshop: Workshop, slug: str, rows: list[WorkshopRating]) -> WorkshopRatings:
    social = [row.social_impact for row in rows]
    economic = [row.economic_impact for row in rows]
    return WorkshopRatings(
        asset=slug,
        workshop=f"{workshop.title} ({workshop.held_on.isoformat()})",
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
