"""Reading an uploaded responses file (CSV, Excel, SPSS, Stata or a dataset .zip) into a table of text cells.

Every cell stays text, exactly as typed, so the checks can name a stray letter by row and column
instead of it silently becoming "missing". Rows keep their spreadsheet numbers: row 1 is the
header and row 2 the first data row, as in Excel, even when blank lines are dropped.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import PurePosixPath
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import load_workbook

from instruments.answers import quoted
from survey.web.uploads import CONTROL

# Excel writes characters XML cannot hold (control characters) as _xHHHH_ (ECMA-376 Part 1, 22.9.2.19,
# ST_Xstring), and a literal "_x" as "_x005F_x"; openpyxl leaves them escaped, Excel shows them decoded.
XML_ESCAPE = re.compile("_x([0-9A-Fa-f]{4})_")
SUFFIXES = (".csv", ".txt", ".xlsx", ".sav", ".dta", ".zip")
STAT_SUFFIXES = (".sav", ".dta")  # read back by `stat_reading`
HEADER_ROW = 1
SHEET_NAME = "responses"  # the dataset export's sheet; otherwise the first sheet is read
ZIP_MEMBER = "responses.csv"
ZIP_WORKBOOK = "dataset.xlsx"  # the Excel download's zip: its sheet "responses" is read
# What a dataset download's zip holds, by format: the first name found is read.
ZIP_MEMBERS = (ZIP_MEMBER, ZIP_WORKBOOK, "responses.sav", "responses.dta")
# Bounds on what an upload may hold, far above any real dataset (Excel's own sheet is 1,048,576 rows):
# they keep a small hostile file from holding a worker's memory or CPU. Read when called, so tests
# can lower them.
MAX_ROWS = 1_048_576
MAX_COLUMNS = 65_536
# Rows x columns of the table built from the file: above what the largest CSV the import takes
# (IMPORT_MAX_MB, 64 MB, at two bytes a cell) can hold, so only a spreadsheet's own bulk meets it.
MAX_CELLS = 40_000_000
# From this many columns a CSV is read by the csv module rather than pandas (see _read_csv).
WIDE_COLUMNS = 1_000
SCAN_FACTOR = 10  # spreadsheet cells looked at (formatted empty ones too) per allowed cell


class UnreadableFile(Exception):
    """The file cannot be read as a table at all; the message says why, in words for the user."""


def _over_limit(rows: int, columns: int) -> str | None:
    """The refusal for a table of `rows` (header included) x `columns`, or None within the limits."""
    if rows > MAX_ROWS:
        return f"the file has more than {MAX_ROWS:,} rows, the limit for imports: split it into smaller files"
    if columns > MAX_COLUMNS:
        return f"the file has more than {MAX_COLUMNS:,} columns, the limit for imports"
    if rows * columns > MAX_CELLS:
        return _too_many_cells()
    return None


def _too_many_cells() -> str:
    return (
        f"the file has more than {MAX_CELLS:,} cells (rows x columns), the limit for imports: "
        "split it into smaller files"
    )


@dataclass
class TextTable:
    """A file as text: `header` names, and `cells` with one column per header cell ('' = blank).

    `cells.index` holds each row's spreadsheet row number; rows with no value at all are left out.
    """

    header: list[str]
    cells: pd.DataFrame
    controls: list[tuple[int, int, str]] = field(default_factory=list)  # (row, column position, character)


def sha256(data: bytes) -> str:
    """Hex SHA-256 of an upload: proves the confirmed file is the one that was checked."""
    return hashlib.sha256(data).hexdigest()


def suffix_of(filename: str) -> str:
    """The file's lower-cased suffix ('.csv', '.xlsx', ...), or '' if none."""
    return PurePosixPath(filename.replace("\\", "/")).suffix.lower()


def read_table(data: bytes, filename: str, max_bytes: int | None = None) -> TextTable:
    """Read `data` by the suffix of `filename`; `max_bytes` bounds a zipped CSV once uncompressed."""
    suffix = suffix_of(filename)
    if suffix in (".csv", ".txt"):
        return _read_csv(data)
    if suffix == ".xlsx":
        return _read_xlsx(data)
    if suffix in STAT_SUFFIXES:
        return _read_stat(data, suffix)
    if suffix == ".zip":
        return _read_zip(data, max_bytes)
    raise UnreadableFile(f"{quoted(filename)} is not a .csv, .xlsx, .sav, .dta or .zip file")


def _read_csv(data: bytes) -> TextTable:
    """The CSV's cells as text. Wide files go to the csv module: pandas pays about 25 us a column
    (1.1 s for the red team's 40,000 columns, the csv module 0.02 s), while on long files its C
    parser is twice as fast. Both keep blank lines as rows of blanks and refuse a row longer than
    the first."""
    try:
        text_start = data[: data.find(b"\n")].decode("utf-8-sig", errors="replace")
        wide = text_start.count(",") + 1 >= WIDE_COLUMNS
        values = _csv_module_cells(data) if wide else _pandas_cells(data)
    except UnicodeDecodeError:
        raise UnreadableFile(
            'the file is not UTF-8 text. In your spreadsheet, save it as "CSV UTF-8" (or as .xlsx) and try again'
        ) from None
    except pd.errors.EmptyDataError:
        raise UnreadableFile("the file is empty") from None
    except (pd.errors.ParserError, csv.Error) as error:
        raise UnreadableFile(f"not a readable CSV file ({error})") from None
    refusal = _over_limit(*values.shape)
    if refusal:
        raise UnreadableFile(refusal)
    return _text_table(values[0].tolist(), values[1:])


def _pandas_cells(data: bytes) -> np.ndarray:
    raw = pd.read_csv(
        io.BytesIO(data),
        header=None,
        dtype=str,
        na_filter=False,  # '' is blank and 'NA' stays text: nothing silently becomes missing
        skip_blank_lines=False,  # keep counting lines, so row numbers match the spreadsheet
        encoding="utf-8-sig",  # Excel's "CSV UTF-8" starts with a byte-order mark
    )
    return raw.to_numpy(dtype=object)  # one block: pandas' per-column overhead made wide files slow


def _csv_module_cells(data: bytes) -> np.ndarray:
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    if not rows:
        raise pd.errors.EmptyDataError
    width = len(rows[0])
    for number, row in enumerate(rows, start=1):
        if len(row) > width:  # as pandas says it, so both readers refuse alike
            raise csv.Error(f"Expected {width} fields in line {number}, saw {len(row)}")
        if len(row) < width:
            row.extend([""] * (width - len(row)))  # a blank line, or a short row, padded with blanks
    if len(rows) * width > MAX_CELLS:
        raise UnreadableFile(_too_many_cells())
    return np.array(rows, dtype=object)


def _read_xlsx(data: bytes) -> TextTable:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many types: BadZipFile, KeyError, InvalidFileException...
        raise UnreadableFile(f"not a readable Excel .xlsx file ({_kind(error)})") from None
    try:
        sheet = workbook[SHEET_NAME] if SHEET_NAME in workbook.sheetnames else workbook.worksheets[0]
        rows = _sheet_rows(sheet)
    except UnreadableFile:
        raise
    except Exception as error:  # a damaged member (BadZipFile, zlib.error) or bad XML (ParseError) inside
        raise UnreadableFile(f"not a readable Excel .xlsx file ({_kind(error)})") from None
    finally:
        workbook.close()
    if not rows:
        raise UnreadableFile("the sheet is empty")
    width = max(len(row) for row in rows)
    body = np.full((len(rows) - 1, width), "", dtype=object)
    for number, row in enumerate(rows[1:]):
        body[number, : len(row)] = row
    return _text_table(rows[0] + [""] * (width - len(rows[0])), body)


def _sheet_rows(sheet: Any) -> list[list[str]]:
    """The sheet's rows as text, up to the last cell holding a value; refused past the limits.

    The sheet's declared ``<dimension>`` is ignored: a stale or hostile one (``A1:XFD1048576``)
    would otherwise pad every row to its size.
    """
    sheet.reset_dimensions()
    rows: list[list[str]] = []
    blank: list[str] = []  # shared by every blank row: a stray cell far down costs a pointer a row
    kept = width = scanned = 0
    for values in sheet.iter_rows(values_only=True):
        scanned += max(len(values), 1)
        row = [_cell_text(value) for value in values]
        while row and not row[-1].strip():
            row.pop()  # trailing blank cells, e.g. formatted but empty
        rows.append(row or blank)
        if row:
            kept, width = len(rows), max(width, len(row))
        refusal = _over_limit(kept, width)
        if refusal is None and len(rows) > MAX_ROWS:
            refusal = _over_limit(len(rows), 0)  # blank rows without end: more than any real sheet holds
        if refusal is None and scanned > SCAN_FACTOR * MAX_CELLS:
            refusal = _too_many_cells()  # formatted empty cells without end
        if refusal:
            raise UnreadableFile(refusal)
    return rows[:kept]


def _read_stat(data: bytes, suffix: str) -> TextTable:
    """An SPSS or Stata file of the dataset download, within the row, column and cell limits."""
    from survey.datasets.stat_reading import StatFileError, stat_cells  # pyreadstat loads for these files only

    try:
        header, body = stat_cells(data, suffix, MAX_ROWS, _over_limit)
    except StatFileError as error:
        raise UnreadableFile(str(error)) from None
    return _text_table(header, body)


def _read_zip(data: bytes, max_bytes: int | None) -> TextTable:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise UnreadableFile("not a readable .zip file") from None
    with archive:
        # A CSV download holds responses.csv; an Excel, SPSS or Stata download its own file instead.
        members: list[zipfile.ZipInfo] = []
        for member_name in ZIP_MEMBERS:
            members = [info for info in archive.infolist() if PurePosixPath(info.filename).name == member_name]
            if members:
                break
        if len(members) != 1:
            raise UnreadableFile(
                f"the .zip file must hold exactly one {', '.join(ZIP_MEMBERS[:-1])} or {ZIP_MEMBERS[-1]}, "
                "as a dataset download does"
            )
        # Checked before reading: a small zip can expand enormously.
        if max_bytes is not None and members[0].file_size > max_bytes:
            raise UnreadableFile(f"{member_name} in the .zip is larger than {max_bytes // (1024 * 1024)} MB")
        try:
            # Stops at the declared size, so a false small size cannot expand past the limit either.
            content = archive.read(members[0])
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as error:
            # A bad CRC or false size, damaged data, an unknown compression method, a password.
            raise UnreadableFile(f"not a readable .zip file ({_kind(error)})") from None
        if member_name == ZIP_MEMBER:
            return _read_csv(content)
        if member_name == ZIP_WORKBOOK:
            return _read_xlsx(content)
        return _read_stat(content, suffix_of(member_name))


def _kind(error: Exception) -> str:
    """What went wrong, for the message: the exception's name, or words where the name says nothing."""
    return "damaged compressed data" if isinstance(error, zlib.error) else type(error).__name__


def _cell_text(value: Any) -> str:
    """An Excel cell as the text a CSV would hold: 3.0 -> '3', a date -> ISO 8601, empty -> ''."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, str) and "_x" in value:
        return XML_ESCAPE.sub(lambda found: chr(int(found.group(1), 16)), value)
    return str(value)


def _text_table(header: Sequence[Any], body: np.ndarray) -> TextTable:
    """The table from the header cells and a 2-D array of body cells, stripped, blank rows left out."""
    controls = _controls([header], HEADER_ROW) + _controls(body.tolist(), HEADER_ROW + 1)
    rows, columns = body.shape
    stripped = np.array([str(text).strip() for text in body.ravel().tolist()], dtype=object).reshape(rows, columns)
    index = pd.RangeIndex(HEADER_ROW + 1, HEADER_ROW + 1 + rows)
    cells = pd.DataFrame(stripped, index=index, columns=pd.RangeIndex(columns), dtype=object)
    blank = (stripped == "").all(axis=1)
    return TextTable([str(name).strip() for name in header], cells[~blank], controls)


def _controls(rows: Any, first_row: int) -> list[tuple[int, int, str]]:
    """(row, column position, character) of each cell holding a control character, rows from `first_row`."""
    texts = [[str(value) for value in row] for row in rows]
    if not CONTROL.search("".join("".join(row) for row in texts)):
        return []  # the usual case, in one pass over the text
    return [
        (first_row + number, position, found.group())
        for number, row in enumerate(texts)
        for position, text in enumerate(row)
        if (found := CONTROL.search(text))
    ]
