"""The export's fast paths (issue 14, point 5) give what the pandas code they replace gives.

`csv_rows` is checked against ``DataFrame.to_csv`` (the independent computation) on every kind of
column a response chunk holds, and on the text the csv module must quote; `Positions` against a
plain dict lookup; the text checks that work once per distinct value (`analysis.cells`) against
the pandas string methods they replace.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.cells import FORMULA_STARTS, blank_cells, guard_formulas, stripped_text, text_cells
from survey.datasets.csvtext import csv_rows
from survey.datasets.pivot import Positions


def _to_csv(frame: pd.DataFrame) -> str:
    return frame.to_csv(index=False, header=False, lineterminator="\n")


def test_csv_rows_match_to_csv_on_every_column_kind() -> None:
    frame = pd.DataFrame(
        {
            "response_id": ["a1", "b2", "c3", "d4"],
            "community": pd.Series(["dover", "dover", "deal", "deal"], dtype="str"),
            "code": pd.array([1, None, -3, 10], dtype="Int64"),
            "big": pd.array([10**12, 5, None, -(10**9)], dtype="Int64"),
            "score": [52.0, np.nan, 23.21, 1e-7],
            "when": pd.to_datetime(["2026-06-01T10:00:00Z", None, "2026-06-02T11:30:05Z", "2026-06-03T00:00:00Z"]),
            "keyer": [None, "S7KQ2M", np.nan, "S7KQ2M"],
            "label": ['Yes, "often"', "line\nbreak", "carriage\rreturn", "'=SUM(A1)"],
            "mixed": [1, 1.0, True, None],
        }
    )
    assert csv_rows(frame) == _to_csv(frame)


def test_csv_rows_corners_fall_back_to_pandas() -> None:
    one_column = pd.DataFrame({"only": ["", "x"]})
    assert csv_rows(one_column) == _to_csv(one_column)
    empty = pd.DataFrame({"a": pd.Series(dtype="Int64"), "b": pd.Series(dtype=object)})
    assert csv_rows(empty) == _to_csv(empty)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_csv_rows_match_to_csv_on_random_codes(seed: int) -> None:
    rng = np.random.default_rng(seed)
    values = rng.integers(-5, 70, size=(500, 6)).astype("float64")
    values[rng.random(values.shape) < 0.2] = np.nan
    frame = pd.DataFrame({f"item_{n}": pd.array(values[:, n], dtype="Int64") for n in range(6)})
    frame["score"] = rng.normal(50, 10, 500).round(2)
    assert csv_rows(frame) == _to_csv(frame)


def test_positions_find_ids_in_any_order() -> None:
    ids = np.array([40, 7, 19, 3])
    rows, found = Positions(ids).find(np.array([3, 19, 5, 40, 41, 7]))
    expected = {int(i): position for position, i in enumerate(ids)}
    assert found.tolist() == [True, True, False, True, False, True]
    assert rows[found].tolist() == [expected[i] for i in (3, 19, 40, 7)]
    _, none_found = Positions(np.array([], dtype=np.int64)).find(np.array([1, 2]))
    assert not none_found.any()


@pytest.mark.parametrize(
    "when",
    [
        pd.to_datetime(["2026-06-01T10:00:00Z", None, "1999-12-31T23:59:59Z"], utc=True),
        pd.to_datetime(["2026-06-01T10:00:00Z", "2026-06-02T00:00:00Z"], utc=True).astype("datetime64[s, UTC]"),
        pd.to_datetime(["2026-06-01T10:00:00.5Z", None], utc=True),  # a fraction: pandas' own text
        pd.to_datetime(["2026-06-01T10:00:00"]).tz_localize("Europe/London"),  # not UTC: pandas' own text
        pd.to_datetime([None, None], utc=True),
    ],
)
def test_csv_rows_match_to_csv_on_date_times(when: pd.DatetimeIndex) -> None:
    frame = pd.DataFrame({"when": when, "n": pd.array(range(len(when)), dtype="Int64")})
    assert csv_rows(frame) == _to_csv(frame)


def test_csv_rows_match_to_csv_on_scores_with_few_values_and_signed_zeros() -> None:
    rng = np.random.default_rng(4)
    scores = rng.choice([14.0, 45.0, 23.21, 70.0, np.nan, 1e-7, 3.3333333333333335], size=300)
    frame = pd.DataFrame({"wemwbs": scores, "zero": np.where(scores == 45.0, 0.0, scores)})
    assert csv_rows(frame) == _to_csv(frame)
    frame["zero"] = np.where(scores == 45.0, -0.0, scores)  # -0.0 and 0.0 are one value to factorize
    frame.loc[0, "zero"] = 0.0
    assert csv_rows(frame) == _to_csv(frame)


_TEXT_COLUMNS = {
    "ids": pd.Series(["r1", " r2 ", "", None, "=cmd", "  "], dtype="str"),
    "objects": pd.Series(["x", None, "  ", "-y", "@z", "\tq"], dtype=object),
    "mixed": pd.Series([1, -3, None, "+a", -0.0, 0], dtype=object),  # not text: cell by cell
    "empty": pd.Series([None, None], dtype=object),
}


@pytest.mark.parametrize("name", list(_TEXT_COLUMNS))
def test_text_checks_match_the_pandas_string_methods_they_replace(name: str) -> None:
    series = _TEXT_COLUMNS[name]
    pd.testing.assert_series_equal(blank_cells(series), series.isna() | (series.astype(str).str.strip() == ""))
    pd.testing.assert_series_equal(stripped_text(series), series.astype(str).str.strip())
    old = series.astype(object).where(~blank_cells(series), None)
    pd.testing.assert_series_equal(text_cells(series), old.map(lambda v: None if v is None else str(v).strip()))
    lowered = old.map(lambda v: None if v is None else str(v).strip().lower())
    pd.testing.assert_series_equal(text_cells(series, lower=True), lowered)


@pytest.mark.parametrize("name", list(_TEXT_COLUMNS))
def test_guard_formulas_prefixes_the_cells_the_per_cell_rule_picks(name: str) -> None:
    series = _TEXT_COLUMNS[name]
    risky = [v is not None and not pd.isna(v) and str(v).startswith(FORMULA_STARTS) for v in series]
    expected = series.where(~np.array(risky, dtype=bool), "'" + series.astype(str))
    guarded = guard_formulas(pd.DataFrame({"cell": series}))["cell"]
    pd.testing.assert_series_equal(guarded, expected, check_names=False)
    assert guarded.tolist() != series.tolist() or not any(risky)
