"""``python -m instruments score`` run as a subprocess, as a user would."""

from __future__ import annotations

import csv
import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

Run = Callable[..., subprocess.CompletedProcess[str]]

WEMWBS = [f"wemwbs_{n}" for n in range(1, 15)]
SWEMWBS = ["wemwbs_1", "wemwbs_2", "wemwbs_3", "wemwbs_6", "wemwbs_7", "wemwbs_9", "wemwbs_11"]
DIMENSIONS = ["connect", "be_active", "keep_learning", "take_notice", "give", "care"]
SIXWAYS = [f"sixways_{d}_{n}" for d in DIMENSIONS for n in (1, 2)]
EXAMPLE = ["5", "4", "3", "2", "1", "5", "4", "3", "2", "1", "5", "4", "3", "2"]  # 44; SWEMWBS 28 -> 25.03


def write_csv(path: Path, rows: Sequence[Sequence[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def test_scores_a_file_and_keeps_every_other_cell(tmp_path: Path, run_cli: Run) -> None:
    header = ["id", "", "note", *WEMWBS, *SIXWAYS, "note"]  # a blank and a repeated header, as found
    rows = [
        header,
        ["007", "x", ' "quoted", comma ', *EXAMPLE, *["3"] * 12, "café"],
        ["0.50", "", "NA", *[" 3 "] * 13, "NA", "4", ".", *["5"] * 10, "1e3"],
        ["-0", "TRUE", "", *["3.0"] * 14, *["1"] * 12, ""],
    ]
    source = write_csv(tmp_path / "in.csv", rows)
    result = run_cli("score", source, tmp_path / "out.csv")
    assert result.returncode == 0, result.stderr
    out = read_csv(tmp_path / "out.csv")
    added = ["wemwbs", "swemwbs_raw", "swemwbs", *(f"sixways_{d}" for d in DIMENSIONS)]
    assert out[0] == header + added
    assert [row[: len(header)] for row in out] == rows  # untouched, including "007", " 3 " and "NA"
    scores = [dict(zip(added, row[len(header) :], strict=True)) for row in out[1:]]
    assert scores[0] == {
        "wemwbs": "44", "swemwbs_raw": "28", "swemwbs": "25.03", "sixways_connect": "3.0",
        "sixways_be_active": "3.0", "sixways_keep_learning": "3.0", "sixways_take_notice": "3.0",
        "sixways_give": "3.0", "sixways_care": "3.0",
    }  # fmt: skip
    assert (scores[1]["wemwbs"], scores[1]["swemwbs_raw"], scores[1]["swemwbs"]) == ("", "21", "19.25")
    assert (scores[1]["sixways_connect"], scores[1]["sixways_be_active"]) == ("", "5.0")
    assert (scores[2]["wemwbs"], scores[2]["swemwbs"], scores[2]["sixways_care"]) == ("42", "19.25", "1.0")
    assert "3 rows" in result.stderr and "wemwbs (2 scored)" in result.stderr
    assert "Traceback" not in result.stderr


def test_only_swemwbs_columns_scores_only_swemwbs(tmp_path: Path, run_cli: Run) -> None:
    source = write_csv(tmp_path / "in.csv", [["ref", *SWEMWBS], ["1", "5", "4", "3", "5", "4", "2", "5"]])
    result = run_cli("score", source, tmp_path / "out.csv")
    assert result.returncode == 0, result.stderr
    assert read_csv(tmp_path / "out.csv") == [
        ["ref", *SWEMWBS, "swemwbs_raw", "swemwbs"],
        ["1", "5", "4", "3", "5", "4", "2", "5", "28", "25.03"],
    ]
    assert "wemwbs not scored, missing column(s): wemwbs_4, wemwbs_5, wemwbs_8" in result.stderr


@pytest.mark.parametrize("bad", ["6", "3.5", "x"])
def test_invalid_code_stops_with_status_2(tmp_path: Path, run_cli: Run, bad: str) -> None:
    second = list(EXAMPLE)
    second[4] = bad
    source = write_csv(tmp_path / "in.csv", [WEMWBS, EXAMPLE, EXAMPLE, second])
    target = tmp_path / "out.csv"
    result = run_cli("score", source, target)
    assert result.returncode == 2
    assert f'{source}: row 3, column wemwbs_5: "{bad}" is not an allowed code (allowed: 1, 2, 3, 4, 5)' in result.stderr
    assert "no output written" in result.stderr and "Traceback" not in result.stderr
    assert not target.exists()


def test_many_invalid_codes_are_capped(tmp_path: Path, run_cli: Run) -> None:
    source = write_csv(tmp_path / "in.csv", [WEMWBS, *[["9"] * 14] * 10])
    result = run_cli("score", source, tmp_path / "out.csv")
    assert result.returncode == 2
    assert result.stderr.count("is not an allowed code") == 50
    assert "... and 90 more invalid cells (140 in all)" in result.stderr


def test_prorate_adds_the_marker_column(tmp_path: Path, run_cli: Run) -> None:
    one_missing = list(EXAMPLE)
    one_missing[4] = ""  # 13 answered, sum 43 -> 43 * 14 / 13 = 46.3 -> 46
    source = write_csv(tmp_path / "in.csv", [WEMWBS, one_missing, EXAMPLE])
    result = run_cli("score", source, tmp_path / "out.csv", "--prorate")
    assert result.returncode == 0, result.stderr
    out = read_csv(tmp_path / "out.csv")
    assert out[0][-4:] == ["wemwbs", "swemwbs_raw", "swemwbs", "score_missing_rule"]
    assert [row[-4:] for row in out[1:]] == [["46", "28", "25.03", "prorate"], ["44", "28", "25.03", "prorate"]]
    assert "NON-STANDARD" in result.stderr


def test_a_wide_file_is_scored_without_pandas_warnings(tmp_path: Path, run_cli: Run) -> None:
    # An export's responses.csv (hundreds of columns) made pandas print a PerformanceWarning with a
    # source line and advice about frame.insert.
    header = [*(f"x{n}" for n in range(120)), *WEMWBS]
    source = write_csv(tmp_path / "in.csv", [header, [*["a"] * 120, *EXAMPLE]])
    result = run_cli("score", source, tmp_path / "out.csv", "--prorate")
    assert result.returncode == 0, result.stderr
    assert read_csv(tmp_path / "out.csv")[1][-4:] == ["44", "28", "25.03", "prorate"]
    assert "Warning" not in result.stderr and ".py:" not in result.stderr, result.stderr


def test_existing_score_columns_are_overwritten_in_place(tmp_path: Path, run_cli: Run) -> None:
    header = ["swemwbs", "id", *WEMWBS, "wemwbs", "score_missing_rule", "after"]
    source = write_csv(tmp_path / "in.csv", [header, ["1.00", "a", *EXAMPLE, "99", "prorate", "z"]])
    result = run_cli("score", source, source)  # the output may replace the input
    assert result.returncode == 0, result.stderr
    assert read_csv(source) == [
        [*header, "swemwbs_raw"],
        ["25.03", "a", *EXAMPLE, "44", "complete_cases", "z", "28"],
    ]
    assert "replaced existing column(s): wemwbs, swemwbs, score_missing_rule" in result.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        (b"", "the file is empty"),
        (b"wemwbs_1,wemwbs_2\n1,2,3\n", "line 2 has 3 fields but the header has 2"),
        (b"wemwbs_1\n\xff\xfe\n", "not UTF-8 text"),
    ],
    ids=["missing", "empty", "ragged", "binary"],
)
def test_unreadable_input_exits_2_without_traceback(
    tmp_path: Path, run_cli: Run, content: bytes | None, message: str
) -> None:
    source = tmp_path / "in.csv"
    if content is not None:
        source.write_bytes(content)
    result = run_cli("score", source, tmp_path / "out.csv")
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out.csv").exists()


def test_file_without_instrument_columns_is_passed_through_unscored(tmp_path: Path, run_cli: Run) -> None:
    source = write_csv(tmp_path / "in.csv", [["id", "notes"], ["007", "x"]])
    result = run_cli("score", source, tmp_path / "out.csv")
    assert result.returncode == 0, result.stderr
    assert "nothing scored" in result.stderr
    assert read_csv(tmp_path / "out.csv") == [["id", "notes"], ["007", "x"]]
