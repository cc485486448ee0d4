"""Report text on impact workshops: what each room said about each asset, beside the survey's evidence.

Only counts and medians (`analysis.workshop_ratings`); comments never reach the report, which is
shared widely. The section's template is ``templates/sections/workshop.html.j2``; it is left out
when the result carries no ratings.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from analysis.dataset import records
from analysis.evidence_grades import EVIDENCE_LABELS
from analysis.report.ledger import suppressed, withheld
from analysis.report.names import Names
from analysis.report.phrases import blank, money
from analysis.report.tables import table
from analysis.report.templating import Context
from analysis.result import AnalysisTables
from analysis.workshop_ratings import RATING_POINTS

# The scale participants rated on (the workshop mode's labels, survey/workshops/results.py).
SCALE = "1 = very low, 2 = low, 3 = medium, 4 = high, 5 = very high"


def _distribution(row: dict[str, Any], kind: str) -> str:
    return " / ".join(str(int(row[f"{kind}_{point}"])) for point in RATING_POINTS)


def _median(value: Any) -> str:
    return "" if blank(value) else f"{float(value):g}"


def _evidence(values: pd.DataFrame, slug: str, threshold: int) -> tuple[str, str]:
    """The asset's evidence grade and value range, worded as the value section's ledger words them."""
    rows = values[values["asset"].astype(str) == slug]
    if not len(rows):
        return EVIDENCE_LABELS["not_estimated"], "not estimated"
    row = records(rows)[0]
    grade = str(row["evidence"])
    if suppressed(row):
        return EVIDENCE_LABELS.get(grade, grade), withheld(threshold)
    low, high, effect = (
        float("nan") if blank(row[key]) else float(row[key]) for key in ("value_low", "value_high", "effect")
    )
    if grade == "not_estimated" or not (math.isfinite(low) and math.isfinite(high)):
        return EVIDENCE_LABELS.get(grade, grade), "not estimated"
    span = f"{money(low)} to {money(high)}"
    if grade == "clear":
        return EVIDENCE_LABELS[grade], span if effect > 0 else f"negative association, not a value (face value {span})"
    return EVIDENCE_LABELS.get(grade, grade), f"not established; if real: {span}"


def workshop_section(result: AnalysisTables, names: Names) -> Context | None:
    """Per asset and workshop: participants, medians and 1-5 counts, with the asset's evidence grade and value range."""
    ratings = result.workshop_ratings
    if ratings is None or not len(ratings):
        return None
    rows = []
    for row in records(ratings):
        grade, span = _evidence(result.asset_value, str(row["asset"]), result.config.disclosure_threshold)
        rows.append(
            {
                "asset": names.asset(row["asset"]),
                "community": names.community(row["community"]),
                "workshop": f"{row['workshop']} ({row['held_on']})",
                "participants": row["participants"],
                "social_median": _median(row["social_median"]),
                "social": _distribution(row, "social"),
                "economic_median": _median(row["economic_median"]),
                "economic": _distribution(row, "economic"),
                "evidence": grade,
                "range": span,
            }
        )
    workshops = ratings.drop_duplicates(["workshop", "held_on"])
    sentences = [
        f"{len(workshops)} impact workshop{'' if len(workshops) == 1 else 's'} rated the assets below: each "
        f"participant gave every asset discussed a social and an economic impact rating ({SCALE}). The table puts "
        "the room's view beside the survey's evidence grade and value range from this report.",
        "These ratings are the opinions of the people in the room, not a measure of the asset's effect: a room "
        "may rate an asset highly where the survey finds no clear association, and the other way round. "
        "Participants' comments are not in this report, which is shared widely; only counts are shown.",
    ]
    return {
        "sentences": sentences,
        "table": table(
            pd.DataFrame(rows),
            [
                ("asset", "Asset", "text"),
                ("community", "Community", "text"),
                ("workshop", "Workshop", "text"),
                ("participants", "Participants", "int"),
                ("social_median", "Social impact, median", "text"),
                ("social", "Social impact, how many rated 1 / 2 / 3 / 4 / 5", "text"),
                ("economic_median", "Economic impact, median", "text"),
                ("economic", "Economic impact, how many rated 1 / 2 / 3 / 4 / 5", "text"),
                ("evidence", "Survey evidence", "text"),
                ("range", "Survey value range", "text"),
            ],
            "What the impact workshops said (ratings 1-5), beside the survey's evidence for each asset",
        ),
    }
