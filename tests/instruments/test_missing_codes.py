"""The export's missing-data codes (-1 ... -5, instruments/missing.py) are missing answers to the scoring."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from instruments import score, validate_codes
from instruments.missing import MISSING_DATA_CODES
from tests.instruments.test_instrument_cli import WEMWBS, read_csv, write_csv

ANSWERS = [5, 4, 3, 2, 1, 5, 4, 3, 2, 1, 5, 4, 3, 2]  # WEMWBS 44, SWEMWBS raw 28


def _frame(code: object, column: str = "wemwbs_5") -> pd.DataFrame:
    frame = pd.DataFrame([ANSWERS], columns=WEMWBS).astype(object)
    frame.loc[0, column] = code
    return frame


@pytest.mark.parametrize("code", [*MISSING_DATA_CODES, *(float(c) for c in MISSING_DATA_CODES), "-2", " -4 "])
def test_a_missing_data_code_scores_as_a_blank_answer(code: object) -> None:
    blank = score(_frame(None), missing_rule="prorate")
    coded = score(_frame(code), missing_rule="prorate")
    pd.testing.assert_frame_equal(coded, blank)
    assert pd.isna(score(_frame(code))["wemwbs"].iloc[0])  # complete cases: missing, as a blank is
    assert validate_codes(_frame(code)).total == 0


def test_other_negative_numbers_are_still_wrong() -> None:
    assert validate_codes(_frame(-6)).total == 1
    with pytest.raises(ValueError, match="not a valid answer"):
        score(_frame(-6))


def test_the_command_scores_coded_cells_as_blank(
    tmp_path: Path, run_cli: Callable[..., subprocess.CompletedProcess[str]]
) -> None:
    answers = [str(value) for value in ANSWERS]
    coded = write_csv(tmp_path / "coded.csv", [WEMWBS, ["-2", *answers[1:]], answers])
    blank = write_csv(tmp_path / "blank.csv", [WEMWBS, ["", *answers[1:]], answers])
    for source in (coded, blank):
        result = run_cli("score", source, source.with_suffix(".out.csv"), "--prorate")
        assert result.returncode == 0, result.stderr
    scored, expected = read_csv(coded.with_suffix(".out.csv")), read_csv(blank.with_suffix(".out.csv"))
    assert scored[0] == expected[0]
    assert [row[len(WEMWBS) :] for row in scored] == [row[len(WEMWBS) :] for row in expected]
    assert scored[1][0] == "-2"  # the cell itself is written back as it was
