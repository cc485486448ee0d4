"""What the room's ratings add up to (the facilitator's screen and its JSON), and the results CSV.

Per asset and rating: how many rated, the median (the middle of an ordinal 1-5 scale; the mean of
the two middle ratings when the count is even, as `statistics.median`) and the count at each point.
Hidden comments are left off the screen's text and out of the CSV (a researcher hid them for a
reason); the ratings that came with them still count.
"""

from __future__ import annotations

import csv
import io
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from survey.assets.csv_files import guard_formula
from survey.extensions import db
from survey.models import Asset, Workshop, WorkshopParticipant, WorkshopRating
from survey.workshops.codes import display_code

RATING_LABELS = {1: "Very low", 2: "Low", 3: "Medium", 4: "High", 5: "Very high"}
SCALES = {"social": "Social impact", "economic": "Economic impact"}
GROUP_LABELS = {
    "resident": "Resident",
    "voluntary_group": "Voluntary or community group",
    "council": "Council",
    "health": "Health",
    "business": "Business",
    "other": "Other",
}
CSV_COLUMNS = (
    "workshop",
    "participant",
    "participant_group",
    "asset",
    "social_impact",
    "economic_impact",
    "comment",
    "rated_at",
)


@dataclass(frozen=True)
class Scale:
    """One rating scale's summary for one asset."""

    count: int
    median: float | None
    distribution: tuple[int, ...]  # ratings at 1, 2, 3, 4, 5

    def as_json(self) -> dict[str, Any]:
        return {"count": self.count, "median": self.median, "distribution": list(self.distribution)}


def summarise(values: Iterable[int]) -> Scale:
    ratings = list(values)
    distribution = tuple(ratings.count(point) for point in RATING_LABELS)
    return Scale(len(ratings), float(statistics.median(ratings)) if ratings else None, distribution)


@dataclass
class AssetSummary:
    asset: Asset
    social: Scale
    economic: Scale
    comments: list[WorkshopRating] = field(default_factory=list)


def _ratings(workshop: Workshop) -> list[tuple[WorkshopRating, WorkshopParticipant]]:
    query = (
        select(WorkshopRating, WorkshopParticipant)
        .join(WorkshopParticipant, WorkshopParticipant.id == WorkshopRating.participant_id)
        .where(WorkshopParticipant.workshop_id == workshop.id)
        .order_by(WorkshopRating.rated_at, WorkshopRating.id)
    )
    return [(rating, participant) for rating, participant in db.session.execute(query).all()]


def asset_summaries(workshop: Workshop) -> list[AssetSummary]:
    """Each discussed asset, in the workshop's order, with its two scales and its comments (oldest first)."""
    by_asset: dict[int, list[WorkshopRating]] = {}
    for rating, _participant in _ratings(workshop):
        by_asset.setdefault(rating.asset_id, []).append(rating)
    summaries = []
    for link in workshop.assets:
        rows = by_asset.get(link.asset_id, [])
        summaries.append(
            AssetSummary(
                link.asset,
                summarise(row.social_impact for row in rows),
                summarise(row.economic_impact for row in rows),
                [row for row in rows if row.comment],
            )
        )
    return summaries


def participant_count(workshop: Workshop) -> int:
    query = select(func.count()).select_from(WorkshopParticipant).where(WorkshopParticipant.workshop_id == workshop.id)
    return int(db.session.scalar(query) or 0)


def summary_json(workshop: Workshop) -> dict[str, Any]:
    """The numbers the facilitator's screen polls for (no comment text: the page shows those)."""
    return {
        "status": workshop.status,
        "participants": participant_count(workshop),
        "assets": [
            {
                "slug": item.asset.slug,
                "social": item.social.as_json(),
                "economic": item.economic.as_json(),
                "comments": len(item.comments),
            }
            for item in asset_summaries(workshop)
        ],
    }


def results_csv(workshop: Workshop) -> tuple[str, int]:
    """One row per participant and asset rated, in CSV_COLUMNS (`workshop` is the join code as
    shown), and how many rows (for the access log).

    Text cells are guarded against spreadsheet formulas; hidden comments are blank.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    code = display_code(workshop.code)
    rows = sorted(_ratings(workshop), key=lambda pair: (pair[1].number, pair[0].asset.slug))
    for rating, participant in rows:
        writer.writerow(
            [
                code,
                participant.number,
                participant.participant_group or "",
                rating.asset.slug,
                rating.social_impact,
                rating.economic_impact,
                "" if rating.hidden else guard_formula(rating.comment),
                rating.rated_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            ]
        )
    return out.getvalue(), len(rows)
