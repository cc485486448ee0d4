"""Hostile and damaged response files: bounded reading, a clear refusal, never a 500 or a traceback.

The red team's files are rebuilt here by generators (zipfile and a minimal SpreadsheetML sheet):
no binary fixtures.
"""

from __future__ import annotations

import io
import os
import struct
import tempfile
import tracemalloc
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd
import pyreadstat
import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from survey.datasets import files
from survey.datasets.imports import dry_run
from survey.models import Response
from tests.test_research_support import sign_in
from tests.test_response_import import _check, _count, _csv, _row, _rows, _upload

SHEET = "xl/worksheets/sheet1.xml"
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PARTS = {
    "[Content_Types].xml": (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        f'<Override PartName="/{SHEET}" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
    ),
    "_rels/.rels": (
        f'<Relationships xmlns="{_RELS}"><Relationship Id="rId1" Target="xl/workbook.xml" '
        f'Type="{_DOC}/officeDocument"/></Relationships>'
    ),
    "xl/workbook.xml": (
        f'<workbook xmlns="{_MAIN}" xmlns:r="{_DOC}"><sheets>'
        '<sheet name="responses" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        f'<Relationships xmlns="{_RELS}"><Relationship Id="rId1" Target="worksheets/sheet1.xml" '
        f'Type="{_DOC}/worksheet"/></Relationships>'
    ),
}


@pytest.fixture(autouse=True)
def _instance_in_tmp(request: pytest.FixtureRequest, tmp_path: Path) -> None:
    """The app's instance folder in the test's own; asked for only by tests that use the app, so the
    tests reading files alone run once, with no database, rather than once per database backend."""
    if "app" in request.fixturenames:
        request.getfixturevalue("app").instance_path = str(tmp_path / "instance")


def _sheet_xml(rows: Sequence[Sequence[object]], dimension: str, doctype: str = "", extra: str = "") -> str:
    """A worksheet holding `rows` as inline strings from A1, declaring `dimension`; `extra` rows appended."""
    body = "".join(
        f'<row r="{r}">'
        + "".join(
            f'<c r="{get_column_letter(c)}{r}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'
            for c, value in enumerate(row, start=1)
            if value != ""
        )
        + "</row>"
        for r, row in enumerate(rows, start=1)
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{doctype}<worksheet xmlns="{_MAIN}">'
        f'<dimension ref="{dimension}"/><sheetData>{body}{extra}</sheetData></worksheet>'
    )


def _xlsx(sheet_xml: str, shared_strings: Sequence[str] = ()) -> bytes:
    """A workbook of one sheet; `shared_strings` (raw XML text) are cells t="s" in Excel's own way."""
    parts = dict(_PARTS)
    if shared_strings:
        parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
            "</Relationships>",
            f'<Relationship Id="rId2" Target="sharedStrings.xml" Type="{_DOC}/sharedStrings"/></Relationships>',
        )
        parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
            "</Types>",
            '<Override PartName="/xl/sharedStrings.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
        )
        items = "".join(f"<si><t>{text}</t></si>" for text in shared_strings)
        parts["xl/sharedStrings.xml"] = f'<sst xmlns="{_MAIN}" count="{len(shared_strings)}">{items}</sst>'
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, xml in parts.items():
            archive.writestr(name, '<?xml version="1.0" encoding="UTF-8"?>' + xml)
        archive.writestr(SHEET, sheet_xml)
    return buffer.getvalue()


def _table(rows: list[dict[str, object]]) -> list[list[object]]:
    header = list(dict.fromkeys(key for row in rows for key in row))
    return [header, *([row.get(name, "") for name in header] for row in rows)]


def _patch_central_directory(data: bytes, member: str, *, crc: int | None = None, size: int | None = None) -> bytes:
    """The zip with `member`'s CRC-32 or uncompressed size changed in the central directory (a false entry)."""
    out = bytearray(data)
    end = data.rfind(b"PK\x05\x06")
    position = int.from_bytes(data[end + 16 : end + 20], "little")
    while data[position : position + 4] == b"PK\x01\x02":
        lengths = [int.from_bytes(data[position + at : position + at + 2], "little") for at in (28, 30, 32)]
        if data[position + 46 : position + 46 + lengths[0]].decode() == member:
            if crc is not None:
                out[position + 16 : position + 20] = crc.to_bytes(4, "little")
            if size is not None:
                out[position + 24 : position + 28] = size.to_bytes(4, "little")
        position += 46 + sum(lengths)
    return bytes(out)


def _damage_data(data: bytes, member: str) -> bytes:
    """The zip with a byte of `member`'s compressed data flipped (the entries still agree)."""
    offset = zipfile.ZipFile(io.BytesIO(data)).getinfo(member).header_offset
    name_length, extra_length = (int.from_bytes(data[offset + at : offset + at + 2], "little") for at in (26, 28))
    out = bytearray(data)
    out[offset + 30 + name_length + extra_length + 2] ^= 0xFF
    return bytes(out)


def _zip_of_csv(csv: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("dataset/responses.csv", csv)
    return buffer.getvalue()


def _zip_of(member: str, data: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(member, data)
    return buffer.getvalue()


def _stat(rows: list[dict[str, object]], suffix: str) -> bytes:
    """The rows as an SPSS (.sav) or Stata (.dta) file, written by pyreadstat as the export is."""
    table = _table(rows)
    frame = pd.DataFrame(table[1:], columns=table[0])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"responses{suffix}"
        (pyreadstat.write_sav if suffix == ".sav" else pyreadstat.write_dta)(frame, str(path))
        return path.read_bytes()


def _good_xlsx() -> bytes:
    return _xlsx(_sheet_xml(_table(_rows(3)), "A1"))


def _entity(name: str) -> str:
    """A row whose one cell refers to the entity `name`."""
    return f'<row r="1"><c r="A1" t="inlineStr"><is><t>&{name};</t></is></c></row>'


_LAUGHS = (
    '<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">'
    + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8))
    + "]>"
)
_BOMB = (
    "the Excel file expands to more than 100 times its size when unzipped, which real spreadsheets never do, "
    "so it was not read (it may be a zip bomb). Save it again from your spreadsheet, or as CSV UTF-8"
)


def _shared_strings_bomb() -> bytes:
    """The red team's 85 KB workbook: two million shared strings (34 MB of XML), 27 s for openpyxl to load."""
    return _xlsx(_sheet_xml(_table(_rows(2)), "A1"), ["a"] * 2_000_000)


def _empty_cells_bomb() -> bytes:
    """The red team's 240 KB workbook: four million formatted empty cells without references, 16 s to scan."""
    row = '<c s="1"/>' * 100
    extra = "".join(f'<row r="{number}">{row}</row>' for number in range(10, 40_010))
    return _xlsx(_sheet_xml(_table(_rows(2)), "A1", extra=extra))


def _many_sheets(count: int) -> bytes:
    """A workbook listing `count` sheets, every one the same part (the red team's: 20,000 in 209 KB, 16 s)."""
    sheets = "".join(f'<sheet name="s{n}" sheetId="{n + 1}" r:id="rId{n + 1}"/>' for n in range(count))
    links = "".join(
        f'<Relationship Id="rId{n + 1}" Target="worksheets/sheet1.xml" Type="{_DOC}/worksheet"/>' for n in range(count)
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, xml in _PARTS.items():
            if name == "xl/workbook.xml":
                xml = f'<workbook xmlns="{_MAIN}" xmlns:r="{_DOC}"><sheets>{sheets}</sheets></workbook>'
            elif name == "xl/_rels/workbook.xml.rels":
                xml = f'<Relationships xmlns="{_RELS}">{links}</Relationships>'
            archive.writestr(name, '<?xml version="1.0" encoding="UTF-8"?>' + xml)
        archive.writestr(SHEET, _sheet_xml(_table(_rows(2)), "A1"))
    return buffer.getvalue()


def _workbook(setup: Callable[[Workbook], None]) -> bytes:
    book = Workbook()
    setup(book)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _formula_without_result(book: Workbook) -> None:
    """Two good rows, one answer written as a formula by a script (openpyxl saves no result)."""
    table = _table(_rows(2))
    for row in table:
        book.active.append(row)
    book.active.cell(3, table[0].index("wemwbs_1") + 1).value = "=1+2"


MALFORMED: dict[str, tuple[str, Callable[[], bytes], str]] = {
    "xlsx listing 20,000 sheets": (
        "x.xlsx",
        lambda: _many_sheets(20_000),
        "the Excel file lists more than 1,000 sheets, which no dataset needs, so it was not read: "
        "copy the sheet with the responses into a new workbook, or save it as CSV UTF-8",
    ),
    "csv separated by semicolons": (
        "x.csv",
        lambda: _csv(_rows(3)).replace(b",", b";"),
        "the columns are separated by semicolons or tabs, not commas. In your spreadsheet, save it as CSV UTF-8 "
        "(Comma delimited), or as .xlsx, and try again",
    ),
    "csv with a row too long": (
        "x.csv",
        lambda: _csv(_rows(3)).replace(b"r-002,", b"r-002,,"),
        "row 3 has 42 cells, more than the 41 of the header (row 1): look in that row for a comma too many "
        "or a quote mark that is not closed",
    ),
    "csv with a quote never closed": (
        "x.csv",
        lambda: _csv(_rows(3)).replace(b"r-002", b'"r-002'),
        "a quote mark in row 3 is never closed: look in that row for a stray quote mark",
    ),
    "xlsx formula without a saved result": (
        "x.xlsx",
        lambda: _workbook(_formula_without_result),
        "cell K3 holds a formula (=1+2) whose result was never saved, so its value cannot be read: "
        "open the file in Excel or LibreOffice, save it, and import it again",
    ),
    "xlsx with a shared-strings bomb": ("x.xlsx", _shared_strings_bomb, _BOMB),
    "xlsx with an empty-cells bomb": ("x.xlsx", _empty_cells_bomb, _BOMB),
    "zip holding an xlsx bomb": ("x.zip", lambda: _zip_of("dataset/dataset.xlsx", _shared_strings_bomb()), _BOMB),
    "xlsx with an external entity": (
        "x.xlsx",
        lambda: _xlsx(
            _sheet_xml([], "A1", '<!DOCTYPE worksheet [<!ENTITY x SYSTEM "file:///etc/passwd">]>', _entity("x"))
        ),
        # openpyxl reads through defusedxml (installed for the deep-dive uploads): entities are refused
        # and it reports the sheet as unreadable.
        "not a readable Excel .xlsx file (ValueError)",
    ),
    "xlsx with a billion laughs": (
        "x.xlsx",
        lambda: _xlsx(_sheet_xml([], "A1", _LAUGHS, _entity("i"))),
        "not a readable Excel .xlsx file (ValueError)",
    ),
    "xlsx sheet with a bad CRC": (
        "x.xlsx",
        lambda: _patch_central_directory(_good_xlsx(), SHEET, crc=1234),
        "not a readable Excel .xlsx file (BadZipFile)",
    ),
    "xlsx sheet with a false size": (
        "x.xlsx",
        lambda: _patch_central_directory(_good_xlsx(), SHEET, size=10),
        "not a readable Excel .xlsx file (BadZipFile)",
    ),
    "xlsx sheet with damaged data": (
        "x.xlsx",
        lambda: _damage_data(_good_xlsx(), SHEET),
        "not a readable Excel .xlsx file (damaged compressed data)",
    ),
    "truncated xlsx": ("x.xlsx", lambda: _good_xlsx()[:-30], "not a readable Excel .xlsx file (BadZipFile)"),
    "random bytes named .xlsx": ("x.xlsx", lambda: os.urandom(4096), "not a readable Excel .xlsx file (BadZipFile)"),
    "zip member with a bad CRC": (
        "x.zip",
        lambda: _patch_central_directory(_zip_of_csv(_csv(_rows(3))), "dataset/responses.csv", crc=1234),
        "not a readable .zip file (BadZipFile)",
    ),
    "zip member with a false size": (
        "x.zip",
        lambda: _patch_central_directory(_zip_of_csv(_csv(_rows(3))), "dataset/responses.csv", size=10),
        "not a readable .zip file (BadZipFile)",
    ),
    "zip member with damaged data": (
        "x.zip",
        lambda: _damage_data(_zip_of_csv(_csv(_rows(300))), "dataset/responses.csv"),
        "not a readable .zip file (damaged compressed data)",
    ),
    "truncated zip": ("x.zip", lambda: _zip_of_csv(_csv(_rows(3)))[:-30], "not a readable .zip file"),
    "text named .sav": (
        "x.sav",
        lambda: b"not an SPSS file " * 64,
        "not a readable SPSS .sav file (Invalid file, or file has unsupported features)",
    ),
    "text named .dta": (
        "x.dta",
        lambda: b"not a Stata file " * 64,
        "not a readable Stata .dta file (Invalid file, or file has unsupported features)",
    ),
    "truncated sav": (
        "x.sav",
        lambda: _stat(_rows(50), ".sav")[:4000],
        "not a readable SPSS .sav file (File did not contain the expected number of rows)",
    ),
    "zip holding a truncated dta": (
        "x.zip",
        lambda: _zip_of("dataset/responses.dta", _stat(_rows(50), ".dta")[:4000]),
        "not a readable Stata .dta file (Invalid file, or file has unsupported features)",
    ),
}


def _refused_everywhere(app, client, runner, tmp_path, data: bytes, filename: str, reason: str) -> None:
    """The dry run, the upload page (422) and the command line (exit 2, one line) all refuse with `reason`."""
    report = _check(app, data, filename)
    assert report.unreadable and [p.reason for p in report.problems] == [reason]
    page = _upload(client, data, filename)
    assert page.status_code == 422 and reason in page.get_data(as_text=True)
    path = tmp_path / filename
    path.write_bytes(data)
    for args in (["import-responses", str(path), "--dry-run"], ["import-responses", str(path)]):
        result = runner.invoke(args=args)
        assert result.exit_code == 2, result.output
        assert result.output.splitlines() == [f"Error: {filename}: {reason}"]
    assert _count(app, Response) == 0


# --- 1. declared dimensions and limits ----------------------------------------------------------


def test_a_stale_declared_dimension_does_not_cut_the_sheet(app, make_campaign):
    make_campaign()
    report = _check(app, _xlsx(_sheet_xml(_table(_rows(4)), "A1")), "responses.xlsx")
    assert (report.ok, report.new) == (True, 4)


def test_a_huge_declared_dimension_is_ignored(app, make_campaign):
    """The red team's 1.6 KB file: A1:ZZ60000 held a worker for 48 s at about 1.5 GB."""
    make_campaign()
    bomb = _xlsx(_sheet_xml(_table(_rows(2)), "A1:ZZ60000"))
    assert len(bomb) < 4000
    tracemalloc.start()
    try:
        report = _check(app, bomb, "responses.xlsx")
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (report.ok, report.new) == (True, 2)
    assert peak < 30 * 1024 * 1024


def test_a_stray_formatted_cell_far_down_and_right_is_dropped(app, make_campaign):
    make_campaign()
    stray = '<row r="1048576"><c r="XFD1048576" s="1"/></row>'
    report = _check(app, _xlsx(_sheet_xml(_table(_rows(2)), "A1:XFD1048576", extra=stray)), "responses.xlsx")
    assert (report.ok, report.new, report.rows) == (True, 2, 2)


def test_blank_rows_are_skipped_as_read_not_padded_into_chunks():
    """The blank rows above a row far down cost no chunks (a million of them, padded and checked, took
    a minute for a file of a few KB), and the rows read keep their spreadsheet numbers."""
    far = '<row r="100000"><c r="A100000" t="inlineStr"><is><t>x</t></is></c><c r="XFD100000" s="1"/></row>'
    chunks = list(files.read_chunks(_xlsx(_sheet_xml(_table(_rows(2)), "A1", extra=far)), "responses.xlsx"))
    assert len(chunks) == 1
    assert list(chunks[0].cells.index) == [2, 3, 100000] and chunks[0].cells.loc[100000, 0] == "x"


@pytest.mark.parametrize(
    ("limit", "value", "reason"),
    [
        ("MAX_ROWS", 4, "the file has more than 4 rows, the limit for imports: split it into smaller files"),
        ("MAX_COLUMNS", 20, "the file has more than 20 columns, the limit for imports"),
        (
            "MAX_CELLS",
            100,
            "the file has more than 100 cells (rows x columns), the limit for imports: split it into smaller files",
        ),
    ],
)
@pytest.mark.parametrize("suffix", ["csv", "xlsx", "zip", "sav", "dta", "zipped dta"])
def test_files_past_a_limit_are_refused_naming_it(
    app, client, runner, make_campaign, make_user, login, tmp_path, monkeypatch, limit, value, reason, suffix
):
    make_campaign()
    sign_in(make_user, login)
    monkeypatch.setattr(files, limit, value)
    rows = _rows(5)
    data = {
        "csv": lambda: _csv(rows),
        "xlsx": lambda: _xlsx(_sheet_xml(_table(rows), "A1")),
        "zip": lambda: _zip_of_csv(_csv(rows)),
        "sav": lambda: _stat(rows, ".sav"),
        "dta": lambda: _stat(rows, ".dta"),
        "zipped dta": lambda: _zip_of("dataset/responses.dta", _stat(rows, ".dta")),
    }[suffix]()
    name = "responses.zip" if suffix == "zipped dta" else f"responses.{suffix}"
    _refused_everywhere(app, client, runner, tmp_path, data, name, reason)


def test_a_zipped_spss_file_past_the_upload_limit_is_refused_before_it_is_read(app, make_campaign):
    """The zip member limit (IMPORT_MAX_MB) holds for responses.sav as for responses.csv."""
    make_campaign()
    data = _zip_of("dataset/responses.sav", _stat(_rows(3000), ".sav"))
    with app.app_context():
        report = dry_run(data, "export.zip", max_bytes=1024 * 1024)
        assert report.unreadable and report.problems[0].reason == "responses.sav in the .zip is larger than 1 MB"
        assert dry_run(data, "export.zip", max_bytes=8 * 1024 * 1024).ok


def test_endless_blank_rows_stop_at_the_row_limit(app, make_campaign, monkeypatch):
    make_campaign()
    monkeypatch.setattr(files, "MAX_ROWS", 1000)
    far = '<row r="2000000000"><c r="A2000000000" t="inlineStr"><is><t>x</t></is></c></row>'
    report = _check(app, _xlsx(_sheet_xml(_table(_rows(2)), "A1", extra=far)), "responses.xlsx")
    assert report.unreadable and report.problems[0].reason.startswith("the file has more than 1,000 rows")


@pytest.mark.parametrize("wide", [False, True], ids=["pandas", "csv module"])
def test_line_ends_under_a_wide_header_stop_at_the_cell_limit_without_filling_memory(
    app: Flask, make_campaign, monkeypatch: pytest.MonkeyPatch, wide: bool
) -> None:
    """The red team's zip: a 200-column header and 2 MB of line ends (a few KB zipped) was read whole,
    every blank line a row of 200 cells, 9.5 GB and 45 s before the cell limit refused it."""
    make_campaign()
    monkeypatch.setattr(files, "MAX_CELLS", 1_000_000)
    if wide:
        monkeypatch.setattr(files, "WIDE_COLUMNS", 1)
    header = ",".join(f"column_{n}" for n in range(100))
    bomb = _zip_of("dataset/responses.csv", (header + "\n" * 400_000).encode())
    assert len(bomb) < 4000
    tracemalloc.start()
    try:
        with app.app_context():
            report = dry_run(bomb, "responses.zip", max_bytes=64 * 1024 * 1024)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert report.unreadable
    assert report.problems[0].reason.startswith("the file has more than 1,000,000 cells (rows x columns)")
    assert peak < 60 * 1024 * 1024


def test_an_spss_file_of_unknown_length_stops_at_the_cell_limit(
    app: Flask, make_campaign, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The red team's 200 KB .zsav of missing values, its case count set to -1 (unknown, as SPSS
    allows), was read to the row limit whatever its width: 50 million cells, 1.7 GB, before the refusal.
    Now it is read one row past what the cell limit lets through at its width."""
    make_campaign()
    monkeypatch.setattr(files, "MAX_CELLS", 500_000)
    frame = pd.DataFrame(np.full((20_000, 100), np.nan), columns=[f"v{n}" for n in range(100)])
    path = tmp_path / "wide.sav"
    pyreadstat.write_sav(frame, str(path), compress=True)
    data = bytearray(path.read_bytes())
    assert struct.unpack("<i", data[80:84]) == (20_000,)  # the header's case count
    data[80:84] = struct.pack("<i", -1)
    limits: list[int] = []
    read_sav = pyreadstat.read_sav

    def watched(*args: object, **kwargs: object) -> object:
        if "row_limit" in kwargs:
            limits.append(int(kwargs["row_limit"]))  # type: ignore[call-overload]
        return read_sav(*args, **kwargs)

    monkeypatch.setattr(pyreadstat, "read_sav", watched)
    report = _check(app, bytes(data), "responses.sav")
    assert report.unreadable
    assert report.problems[0].reason.startswith("the file has more than 500,000 cells")
    # 500,000 cells / 100 columns: the header and 4,999 rows fit, one more refuses; read in chunks.
    assert sum(limits) == 5_000 and max(limits) <= files.CHUNK_CELLS // 100


# --- 2. malformed files -------------------------------------------------------------------------


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_files_get_a_clear_refusal_not_a_500_or_a_traceback(
    app, client, runner, make_campaign, make_user, login, tmp_path, case
):
    make_campaign()
    sign_in(make_user, login)
    filename, build, reason = MALFORMED[case]
    _refused_everywhere(app, client, runner, tmp_path, build(), filename, reason)


def test_a_row_problem_still_exits_1_with_the_report(app, runner, make_campaign, tmp_path):
    make_campaign()
    bad = tmp_path / "bad.csv"
    bad.write_bytes(_csv([_row("r-1", wemwbs_1=9)]))
    result = runner.invoke(args=["import-responses", str(bad), "--dry-run"])
    assert result.exit_code == 1 and "row 2, column wemwbs_1:" in result.output


@pytest.mark.parametrize("name", ["responses", "responses.ods", "responses.csv.exe"])
def test_a_file_of_another_kind_exits_2_with_one_line_like_any_unreadable_file(app, runner, tmp_path, name):
    # It exited 1, the code for rows with problems, so a script could not tell the two apart.
    path = tmp_path / name
    path.write_bytes(_csv(_rows(1)))
    for args in (["import-responses", str(path), "--dry-run"], ["import-responses", str(path)]):
        result = runner.invoke(args=args)
        assert result.exit_code == 2, result.output
        assert result.output.splitlines() == [f"Error: {name}: choose a .csv, .xlsx, .sav, .dta or .zip file"]
    assert _count(app, Response) == 0


def test_formulas_with_saved_results_are_read_as_their_results(app, make_campaign):
    """What Excel writes: <f> with the result in <v>, shared formulas too; imported as the results."""
    make_campaign()
    table = _table(_rows(2))
    column = get_column_letter(table[0].index("wemwbs_1") + 1)
    sheet = _sheet_xml(table, "A1").replace(
        f'<c r="{column}2" t="inlineStr"><is><t>3</t></is></c>', f'<c r="{column}2"><f>1+1</f><v>2</v></c>'
    )
    sheet = sheet.replace(
        f'<c r="{column}3" t="inlineStr"><is><t>3</t></is></c>',
        f'<c r="{column}3"><f t="shared" ref="{column}3" si="0">2+3</f><v>5</v></c>',
    )
    assert sheet.count("<f") == 2
    report = _check(app, _xlsx(sheet), "responses.xlsx")
    assert (report.ok, report.new) == (True, 2), report.problems
    table_read = files.read_table(_xlsx(sheet), "responses.xlsx")
    assert table_read.cells[table_read.header.index("wemwbs_1")].tolist() == ["2", "5"]


def test_a_hidden_first_sheet_is_passed_over_for_the_first_visible_one(app, make_campaign):
    # A lookup list hidden in front of the data was read instead of it ("unknown columns code, label").
    make_campaign()

    def hidden_lookup_first(book: Workbook) -> None:
        book.active.title = "lookup"
        book.active.append(["code", "label"])
        book.active.sheet_state = "hidden"
        data = book.create_sheet("data")
        for row in _table(_rows(2)):
            data.append(row)

    report = _check(app, _workbook(hidden_lookup_first), "responses.xlsx")
    assert (report.ok, report.new) == (True, 2), report.problems


def test_a_workbook_of_a_thousand_sheets_is_still_read(app, make_campaign):
    make_campaign()
    report = _check(app, _many_sheets(1_000), "responses.xlsx")
    assert (report.ok, report.new) == (True, 2), report.problems


# --- 3. control characters ------------------------------------------------------------------------

CONTROL_REASON = "holds the control character U+{:04X}, which no spreadsheet shows: remove it"


def test_control_characters_in_a_csv_are_refused_by_row_and_column(app, make_campaign):
    make_campaign()
    rows = _rows(4)
    rows[1]["wemwbs_3"] = "3\x00"  # a NUL byte: PostgreSQL refuses it, SQLite stores it
    rows[2]["response_id"] = "r-\x07x"
    rows[3]["mode"] = "paper\x1b"
    rows[0]["gender"] = "1\t"  # tab, CR and LF are ordinary whitespace
    report = _check(app, _csv(rows))
    assert not report.ok
    shown = [(p.row, p.column, p.reason) for p in report.problems if "control character" in p.reason]
    assert shown == [
        (3, "wemwbs_3", CONTROL_REASON.format(0)),
        (4, "response_id", CONTROL_REASON.format(7)),
        (5, "mode", CONTROL_REASON.format(0x1B)),
    ]
    assert _count(app, Response) == 0


def test_control_characters_in_a_header_and_at_a_cell_edge_are_refused(app, make_campaign):
    make_campaign()
    data = _csv(_rows(2)).replace(b"gender", b"gender\x01", 1).replace(b"r-002", b"r-002\x1f", 1)
    report = _check(app, data)
    shown = [(p.row, p.column, p.reason) for p in report.problems if "control character" in p.reason]
    header = next(n for n, name in enumerate(data.split(b"\n")[0].split(b","), start=1) if name == b"gender\x01")
    assert shown == [(1, f"column {header}", CONTROL_REASON.format(1)), (3, "response_id", CONTROL_REASON.format(0x1F))]


def test_control_characters_in_xlsx_cells_are_refused_by_row_and_column(app, client, make_campaign, make_user, login):
    make_campaign()
    sign_in(make_user, login)
    table = _table(_rows(3))
    column = table[0].index("wemwbs_5") + 1
    cell = f'<c r="{get_column_letter(column)}3" t="s"><v>0</v></c>'
    sheet = _sheet_xml(table, "A1").replace(
        f'<c r="{get_column_letter(column)}3" t="inlineStr"><is><t>3</t></is></c>', cell
    )
    assert cell in sheet
    data = _xlsx(sheet, ["_x0002_4"])  # how Excel writes a control character into its XML
    report = _check(app, data, "responses.xlsx")
    shown = [(p.row, p.column, p.reason) for p in report.problems if "control character" in p.reason]
    assert shown == [(3, "wemwbs_5", CONTROL_REASON.format(2))] and not report.ok
    page = _upload(client, data, "responses.xlsx")
    assert page.status_code == 422 and "U+0002" in page.get_data(as_text=True)


@pytest.mark.parametrize(
    "text",
    [
        "a,b,c\n1,2,3\n",
        "a,b,c\n\n1,,3\n4\n",  # a blank line and a short row keep their row numbers, padded with blanks
        'a,b,c\n"x, y","line\nbreak",NA\n',
        "\ufeffa,b\r\n1,2\r\n",
        "a,b\n1,2,3\n",  # a long row is refused by both
        'a,b\n"x\ny",1\n"open,2\n3,4\n',  # a quote never closed: refused by both, not the rest in one cell
    ],
)
def test_wide_and_narrow_csv_readers_read_alike(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    """Files from WIDE_COLUMNS columns are read by the csv module, others by pandas: the same table or refusal."""
    data = text.encode("utf-8")

    def read() -> object:
        try:
            table = files.read_table(data, "f.csv")
        except files.UnreadableFile as refusal:
            return str(refusal).split(" (")[0]
        return table.header, table.cells.to_dict("split")

    narrow = read()
    monkeypatch.setattr(files, "WIDE_COLUMNS", 1)
    assert read() == narrow


_GOOD_STAT = {suffix: _stat(_rows(3), suffix) for suffix in (".sav", ".dta")}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    suffix=st.sampled_from(sorted(_GOOD_STAT)),
    changes=st.lists(st.tuples(st.integers(min_value=0), st.integers(min_value=0, max_value=255)), max_size=8),
    cut=st.integers(min_value=0),
)
def test_a_damaged_spss_or_stata_file_is_read_or_refused_in_words(suffix, changes, cut):
    """ReadStat parses the file in C: whatever bytes it meets, the reader gives a table or UnreadableFile."""
    data = bytearray(_GOOD_STAT[suffix])
    for position, value in changes:
        data[position % len(data)] = value
    damaged = bytes(data[: len(data) - cut % len(data)])
    try:
        table = files.read_table(damaged, f"responses{suffix}")
    except files.UnreadableFile as error:
        assert str(error)
    else:
        assert len(table.header) == table.cells.shape[1]
