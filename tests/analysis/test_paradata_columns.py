"""The paradata columns as the analysis reads them (issue 13): checked, typed, partial rows set aside."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import DatasetError
from analysis.columns import PARADATA_COLUMNS
from analysis.paradata import drop_partial, prepare_paradata


def _frame(**columns: list[object]) -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(values, dtype=object) for name, values in columns.items()})


def test_a_file_from_before_paradata_reads_as_complete_with_blanks():
    out = prepare_paradata(_frame(response_id=["a", "b"]), "responses.csv")
    assert list(out.columns) == list(PARADATA_COLUMNS)
    assert out["status"].tolist() == ["complete", "complete"]
    assert out[["duration_seconds", "pages_saved", "resumed", "wave"]].isna().all().all()
    assert out["interviewer"].tolist() == [None, None]


def test_values_are_typed_as_text_reads_them():
    frame = _frame(
        status=["complete", " Partial "],
        started_at=["2026-11-02T10:00:00Z", ""],
        duration_seconds=["750", ""],
        pages_saved=["5", "2"],
        resumed=["1", "0"],
        wave=["2", "2"],
        keyer=["SABCDE", ""],
    )
    out = prepare_paradata(frame, "responses.csv")
    assert out["status"].tolist() == ["complete", "partial"]
    assert out["started_at"].iloc[0] == pd.Timestamp("2026-11-02 10:00", tz="UTC") and pd.isna(out["started_at"][1])
    assert out["duration_seconds"].tolist()[0] == 750 and out["resumed"].tolist() == [1, 0]
    assert out["keyer"].tolist() == ["SABCDE", None]


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("status", "done", r"""column 'status', row 2: "done" is not one of complete, partial"""),
        ("resumed", "2", r"column 'resumed', row 2: must be 0 or 1"),
        ("wave", "0", r"column 'wave', row 2: must be a whole number of at least 1"),
        ("duration_seconds", "-5", r"column 'duration_seconds', row 2: must be a whole number of at least 0"),
        ("started_at", "yesterday", r"column 'started_at': not an ISO 8601 date and time"),
    ],
)
def test_a_bad_value_is_named_by_column_and_row(column, value, message):
    good = {"status": "complete", "resumed": "0", "wave": "1", "duration_seconds": "3", "started_at": ""}
    with pytest.raises(DatasetError, match=message):
        prepare_paradata(_frame(**{column: [good[column], value]}), "responses.csv")


def test_partial_rows_are_dropped_and_counted():
    kept, dropped = drop_partial(_frame(response_id=["a", "b", "c"], status=["complete", "partial", "complete"]))
    assert kept["response_id"].tolist() == ["a", "c"] and dropped == 1
    assert drop_partial(_frame(response_id=["a"]))[1] == 0
