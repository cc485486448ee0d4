"""The report's impact workshop section from the optional `workshop_ratings` table: absent without
it (the notebook path unchanged), the room's counts beside the survey's evidence with it, bad tables
refused with a clear ValueError."""

from __future__ import annotations

import html
import re

import pandas as pd
import pytest

from analysis import with_workshop_ratings
from analysis.evidence_grades import EVIDENCE_LABELS
from analysis.report import render_report
from analysis.report.phrases import money
from analysis.workshop_ratings import WORKSHOP_RATING_COLUMNS, check_workshop_ratings

HEADING = "What the impact workshop said"


def ratings(asset: str, community: str, social: list[int], economic: list[int]) -> pd.DataFrame:
    """One workshop's row for `asset`, counted here from the individual ratings."""
    row: dict[str, object] = {
        "community": community,
        "asset": asset,
        "workshop": "Town hall <workshop>",
        "held_on": "2026-11-30",
        "participants": len(social),
        "social_median": float(pd.Series(social).median()),
        "economic_median": float(pd.Series(economic).median()),
    }
    for point in range(1, 6):
        row[f"social_{point}"] = social.count(point)
        row[f"economic_{point}"] = economic.count(point)
    return pd.DataFrame([row])


def section_rows(document: str) -> list[list[str]]:
    """The cells of the workshop section's table, unescaped."""
    section = document.split("<h2 id='workshop'>", 1)[1].split("<h2", 1)[0]
    body = re.findall(r"<tbody>(.*?)</tbody>", section)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", body)
    return [[html.unescape(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)] for row in rows]


def test_without_ratings_the_report_and_tables_are_unchanged(synthetic_result) -> None:
    assert synthetic_result.workshop_ratings is None
    assert "workshop_ratings" not in synthetic_result.tables()
    assert with_workshop_ratings(synthetic_result, None) is synthetic_result
    assert with_workshop_ratings(synthetic_result, ratings("x", "y", [], [])[0:0]) is synthetic_result
    assert HEADING not in render_report(synthetic_result)


def test_the_section_puts_the_room_beside_the_evidence(synthetic_result) -> None:
    value = synthetic_result.asset_value
    clear = value[(value["evidence"] == "clear") & (value["effect"] > 0)].iloc[0]
    social, economic = [5, 4, 4, 2, 3], [2, 1, 3, 2, 5]
    unclear = value[(value["evidence"] != "clear") & value["value_low"].notna()].iloc[0]
    frame = pd.concat(
        [
            ratings(str(clear["asset"]), str(clear["community"]), social, economic),
            ratings(str(unclear["asset"]), str(unclear["community"]), [1, 1], [3, 4]),
        ]
    )
    result = with_workshop_ratings(synthetic_result, frame)
    assert result.provenance["workshops"] == ["Town hall <workshop> (2026-11-30)"]
    assert "workshops" not in synthetic_result.provenance  # the original result is left alone
    pd.testing.assert_frame_equal(result.tables()["workshop_ratings"], check_workshop_ratings(frame))
    document = render_report(result)
    assert HEADING in document and "Town hall <workshop>" not in document  # escaped
    assert "opinions of the people in the room, not a measure of the asset" in document
    names = synthetic_result.dataset.assets.set_index("slug")["name"]
    row, other = sorted(section_rows(document), key=lambda cells: cells[0] != names[clear["asset"]])
    name = names[clear["asset"]]
    assert row[0] == name and row[2] == "Town hall <workshop> (2026-11-30)" and row[3] == "5"
    assert row[4] == "4" and row[5] == "0 / 1 / 1 / 2 / 1"  # social: median and counts of 1..5
    assert row[6] == "2" and row[7] == "1 / 2 / 1 / 0 / 1"
    assert row[8] == EVIDENCE_LABELS["clear"]
    assert row[9] == f"{money(clear['value_low'])} to {money(clear['value_high'])}"  # the ledger's range
    assert float(clear["value_low"]) > 0 and row[9].startswith("£")
    assert other[0] == names[unclear["asset"]]
    assert other[3:8] == ["2", "1", "2 / 0 / 0 / 0 / 0", "3.5", "0 / 0 / 1 / 1 / 0"]
    assert other[8] == EVIDENCE_LABELS[unclear["evidence"]]
    assert other[9] == f"not established; if real: {money(unclear['value_low'])} to {money(unclear['value_high'])}"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: f.drop(columns=["economic_3"]), "missing column"),
        (lambda f: f.assign(asset=" "), "asset is blank"),
        (lambda f: f.assign(social_1=f["social_1"] + 1), "social counts 1-5 do not add up"),
        (lambda f: f.assign(participants=-1), "participants must be a whole number"),
        (lambda f: f.assign(economic_2=1.5), "economic_2 must be a whole number"),
        (lambda f: f.assign(social_median=7.0), "social_median must be between 1 and 5"),
        (lambda f: pd.concat([f, f]), "more than one row"),
    ],
)
def test_bad_ratings_tables_are_refused_with_the_reason(synthetic_result, change, message) -> None:
    frame = ratings("north_library", "north", [3, 4], [1, 2])
    assert list(check_workshop_ratings(frame).columns) == list(WORKSHOP_RATING_COLUMNS)
    with pytest.raises(ValueError, match=message):
        with_workshop_ratings(synthetic_result, change(frame))
