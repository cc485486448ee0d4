"""A response import's check holds a chunk of the file at a time, never the whole file as text cells.

A 64 MB CSV checked whole held 750 MB in the web worker (`bench/bench_import_memory.py`): every
cell a Python string, in several copies of the table. Measured here with tracemalloc (Python's
allocations, not time): with chunks lowered to CHUNK cells, a dry run of ROWS responses peaks
below BOUND_MB, set by the chunk and the ids, where the whole file as text cells took twice that
and more. Excel files are read by the same chunks (checked below, without tracemalloc, which makes
openpyxl ten times slower).
"""

from __future__ import annotations

import tracemalloc

import pandas as pd
import pytest
from flask import Flask

from survey.datasets import files
from survey.datasets.imports import dry_run
from tests.test_import_hardening import _sheet_xml, _stat, _table, _xlsx, _zip_of
from tests.test_response_import import _csv, _rows

ROWS = 10_000  # 41 columns: 410,000 cells, 1.2 MB of CSV
CHUNK = 10_000  # cells: about 250 rows
# Measured: 2.6 MB (CSV, zipped or not) and 3.4 MB (.sav) in chunks, of which the ids seen so far
# (for repeats) about 1 MB; 14.2, 15.5 and 33.7 MB read whole.
BOUND_MB = 8


def _file(suffix: str, rows: list[dict[str, object]]) -> bytes:
    return {
        "csv": lambda: _csv(rows),
        "zip": lambda: _zip_of("dataset/responses.csv", _csv(rows)),
        "sav": lambda: _stat(rows, ".sav"),
        "dta": lambda: _stat(rows, ".dta"),
        "xlsx": lambda: _xlsx(_sheet_xml(_table(rows), "A1")),
    }[suffix]()


def _peak_mb(app: Flask, data: bytes, filename: str, rows: int) -> float:
    """The dry run's peak of Python allocations; the file must check clean with `rows` new responses."""
    with app.app_context():
        tracemalloc.start()
        try:
            report = dry_run(data, filename)
            _current, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert (report.ok, report.new) == (True, rows), report.problems[:3]
    return peak / 2**20


@pytest.mark.parametrize("suffix", ["csv", "zip", "sav"])
def test_a_dry_run_holds_a_chunk_of_the_file_not_the_file(
    app: Flask, make_campaign, monkeypatch: pytest.MonkeyPatch, suffix: str
) -> None:
    make_campaign()
    # raising=False: the whole-file reader had no chunks, and this test measured it too.
    monkeypatch.setattr(files, "CHUNK_CELLS", CHUNK, raising=False)
    rows = _rows(ROWS)
    name = f"responses.{suffix}"
    _peak_mb(app, _file(suffix, rows[:10]), name, 10)  # modules and the campaign's questions loaded first
    peak = _peak_mb(app, _file(suffix, rows), name, ROWS)
    assert peak < BOUND_MB


@pytest.mark.parametrize("suffix", ["csv", "wide csv", "zip", "xlsx", "sav", "dta"])
def test_chunks_hold_at_most_chunk_cells_and_read_as_the_whole_file(
    monkeypatch: pytest.MonkeyPatch, suffix: str
) -> None:
    """Chunk by chunk the file reads as it does in one piece: the same cells, spreadsheet row numbers
    and control characters (a blank row and a control character in the middle of the file)."""
    rows = _rows(300)
    rows[100] = {key: "" for key in rows[0]}  # row 102: blank, left out
    kind = suffix.removeprefix("wide ")
    rows[150]["wemwbs_2"] = "3_x0001_" if kind == "xlsx" else "3\x01"  # row 152; Excel escapes it in its XML
    data = _file(kind, rows)
    if suffix == "wide csv":
        monkeypatch.setattr(files, "WIDE_COLUMNS", 1)  # the csv module's reader
    whole = files.read_table(data, f"responses.{kind}")
    assert len(whole.cells) == 299 and whole.controls == [(152, whole.header.index("wemwbs_2"), "\x01")]
    monkeypatch.setattr(files, "CHUNK_CELLS", 1000)
    chunks = list(files.read_chunks(data, f"responses.{kind}"))
    assert len(chunks) >= 12 and all(chunk.cells.size <= 1000 for chunk in chunks)
    assert all(chunk.header == whole.header for chunk in chunks)
    assert [control for chunk in chunks for control in chunk.controls] == whole.controls
    pd.testing.assert_frame_equal(pd.concat([chunk.cells for chunk in chunks]), whole.cells)
