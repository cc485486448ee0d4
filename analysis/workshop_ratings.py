"""Impact workshop ratings as a tidy table: checked, then attached to an analysis result for the report.

The workshop mode (in the app) counts what each workshop's participants said about each asset;
the report shows those counts beside the survey's evidence. Only counts and medians travel here,
never comments: the report is shared widely. Without this table the analysis is unchanged.
"""

from __future__ import annotations

import dataclasses
from typing import TypeVar

import pandas as pd

from analysis.result import AnalysisTables

RATING_POINTS = (1, 2, 3, 4, 5)
COUNT_COLUMNS = tuple(f"{kind}_{point}" for kind in ("social", "economic") for point in RATING_POINTS)
WORKSHOP_RATING_COLUMNS = (
    "community",
    "asset",
    "workshop",
    "held_on",
    "participants",
    "social_median",
    "economic_median",
    *COUNT_COLUMNS,
)

Result = TypeVar("Result", bound=AnalysisTables)


def check_workshop_ratings(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with the columns of ``WORKSHOP_RATING_COLUMNS`` in that order, typed, one row per workshop and asset.

    Raises ValueError naming the problem: a missing column, a blank name, a count that is not a
    whole number from 0, counts that do not add up to ``participants`` (each participant gives one
    social and one economic rating), or a median outside 1-5.
    """
    missing = [column for column in WORKSHOP_RATING_COLUMNS if column not in frame.columns]
    if missing:
        raise ValueError(f"workshop ratings: missing column(s) {', '.join(missing)}")
    out = frame.loc[:, list(WORKSHOP_RATING_COLUMNS)].reset_index(drop=True).copy()
    for column in ("community", "asset", "workshop", "held_on"):
        text = out[column].astype("string").str.strip()
        if text.isna().any() or (text == "").any():
            raise ValueError(f"workshop ratings: {column} is blank in some rows")
        out[column] = text.astype(str)
    for column in ("participants", *COUNT_COLUMNS):
        numbers = pd.to_numeric(out[column], errors="coerce")
        if numbers.isna().any() or (numbers < 0).any() or (numbers != numbers.round()).any():
            raise ValueError(f"workshop ratings: {column} must be a whole number of participants, 0 or more")
        out[column] = numbers.astype("int64")
    for kind in ("social", "economic"):
        total = out[[f"{kind}_{point}" for point in RATING_POINTS]].sum(axis=1)
        if (total != out["participants"]).any():
            raise ValueError(f"workshop ratings: the {kind} counts 1-5 do not add up to participants")
        median = pd.to_numeric(out[f"{kind}_median"], errors="coerce")
        if ((median < 1) | (median > 5)).any() or (median.isna() & (out["participants"] > 0)).any():
            raise ValueError(f"workshop ratings: {kind}_median must be between 1 and 5")
        out[f"{kind}_median"] = median.astype("float64")
    if out.duplicated(["community", "asset", "workshop", "held_on"]).any():
        raise ValueError("workshop ratings: more than one row for the same workshop and asset")
    return out.sort_values(["held_on", "workshop", "community", "asset"], kind="stable").reset_index(drop=True)


def with_workshop_ratings(result: Result, frame: pd.DataFrame | None) -> Result:
    """`result` carrying the checked ratings (written as ``workshop_ratings.csv``, summarised by the report)
    and naming each workshop in its provenance; `result` itself when `frame` is None or empty."""
    if frame is None or len(frame) == 0:
        return result
    checked = check_workshop_ratings(frame)
    workshops = checked.drop_duplicates(["workshop", "held_on"])
    provenance = dict(result.provenance) | {
        "workshops": [f"{row.workshop} ({row.held_on})" for row in workshops.itertuples(index=False)]
    }
    return dataclasses.replace(result, workshop_ratings=checked, provenance=provenance)
