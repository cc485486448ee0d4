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
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import PurePosixPath
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import load_workbook

from instruments.answers import quoted
from survey.datasets.xlsx_guards import data_sheet, formula_refusal, package_refusal, too_big_to_check_here
from survey.web.uploads import CONTROL

# Excel writes characters XML cannot hold (control characters) as _xHHHH_ (ECMA-376 Part 1, 22.9.2.19,
# ST_Xstring), and a literal "_x" as "_x005F_x"; openpyxl leaves them escaped, Excel shows them decoded.
XML_ESCAPE = re.compile("_x([0-9A-Fa-f]{4})_")
SUFFIXES = (".csv", ".txt", ".xlsx", ".sav", ".dta", ".zip")
STAT_SUFFIXES = (".sav", ".dta")  # read back by `stat_reading`
HEADER_ROW = 1
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


def read_table(
    data: bytes, filename: str, max_bytes: int | None = None, *, xlsx_budget: int | None = None
) -> TextTable:
    """Read `data` by the suffix of `filename`; `max_bytes` bounds a zipped CSV once uncompressed.

    `xlsx_budget` bounds an Excel workbook's unzipped size when it is read within a web request
    (`xlsx_guards.too_big_to_check_here`).
    """
    suffix = suffix_of(filename)
    if suffix in (".csv", ".txt"):
        return _read_csv(data)
    if suffix == ".xlsx":
        return _read_xlsx(data, xlsx_budget)
    if suffix in STAT_SUFFIXES:
        return _read_stat(data, suffix)
    if suffix == ".zip":
        return _read_zip(data, max_bytes, xlsx_budget)
    raise UnreadableFile(f"{quoted(filename)} is not a .csv, .xlsx, .sav, .dta or .zip file")


def _read_csv(data: bytes) -> TextTable:
    """The CSV's cells as text. Wide files go to the csv module: pandas pays about 25 us a column
    (1.1 s for the red team's 40,000 columns, the csv module 0.02 s), while on long files its C
    parser is twice as fast. Both keep blank lines as rows of blanks and refuse a row longer than
    the first, and both stop reading once the rows x columns limit is passed: a blank line is one
    byte but a row of the header's width, so 2 MB of line ends under a 200-column header (a few KB
    zipped) would otherwise become 400 million cells, 10 GB of memory."""
    try:
        text_start = data[: data.find(b"\n")].decode("utf-8-sig", errors="replace")
        if "," not in text_start and ("\t" in text_start or ";" in text_start):
            raise UnreadableFile(
                "the columns are separated by semicolons or tabs, not commas. In your spreadsheet, "
                "save it as CSV UTF-8 (Comma delimited), or as .xlsx, and try again"
            )
        wide = text_start.count(",") + 1 >= WIDE_COLUMNS
        values = _csv_module_cells(data) if wide else _pandas_cells(data)
    except UnicodeDecodeError:
        raise UnreadableFile(
            'the file is not UTF-8 text. In your spreadsheet, save it as "CSV UTF-8" (or as .xlsx) and try again'
        ) from None
    except pd.errors.EmptyDataError:
        raise UnreadableFile("the file is empty") from None
    except (pd.errors.ParserError, csv.Error) as error:
        raise UnreadableFile(_csv_problem(error)) from None
    refusal = _over_limit(*values.shape)
    if refusal:
        raise UnreadableFile(refusal)
    return _text_table(values[0].tolist(), values[1:])


def _csv_problem(error: Exception) -> str:
    """The parser's complaint in words and spreadsheet rows, on one line (pandas ends some with a line break)."""
    text = " ".join(str(error).split()).removeprefix("Error tokenizing data. C error: ")
    if found := re.fullmatch(r"Expected (\d+) fields in line (\d+), saw (\d+)", text):
        expected, line, saw = found.groups()
        return (
            f"row {line} has {saw} cells, more than the {expected} of the header (row 1): "
            "look in that row for a comma too many or a quote mark that is not closed"
        )
    if found := re.fullmatch(r"EOF inside string starting at row (\d+)", text):
        return f"a quote mark in row {int(found.group(1)) + 1} is never closed: look in that row for a stray quote mark"
    return f"not a readable CSV file ({text})"


def _rows_allowed(width: int) -> int:
    """How many rows (header included) a table `width` columns wide may have within the limits."""
    return min(MAX_ROWS, MAX_CELLS // max(width, 1))


def _pandas_cells(data: bytes) -> np.ndarray:
    options: dict[str, Any] = {
        "header": None,
        "dtype": str,
        "na_filter": False,  # '' is blank and 'NA' stays text: nothing silently becomes missing
        "skip_blank_lines": False,  # keep counting lines, so row numbers match the spreadsheet
        "encoding": "utf-8-sig",  # Excel's "CSV UTF-8" starts with a byte-order mark
    }
    width = pd.read_csv(io.BytesIO(data), nrows=1, **options).shape[1]
    allowed = _rows_allowed(width)
    # One row past the limit is enough to refuse the file: pandas stops reading there.
    raw = pd.read_csv(io.BytesIO(data), nrows=allowed + 1, **options)
    if len(raw) > allowed:
        raise UnreadableFile(_over_limit(len(raw), width) or _too_many_cells())
    return raw.to_numpy(dtype=object)  # one block: pandas' per-column overhead made wide files slow


def _csv_module_cells(data: bytes) -> np.ndarray:
    rows: list[list[str]] = []
    width = allowed = 0
    for number, row in enumerate(_strict_records(data), start=1):
        if number == 1:
            width, allowed = len(row), _rows_allowed(len(row))
            refusal = _over_limit(1, width)
            if refusal:
                raise UnreadableFile(refusal)
        elif number > allowed:
            raise UnreadableFile(_over_limit(number, width) or _too_many_cells())
        if len(row) > width:  # as pandas says it, so both readers refuse alike
            raise csv.Error(f"Expected {width} fields in line {number}, saw {len(row)}")
        if len(row) < width:
            row.extend([""] * (width - len(row)))  # a blank line, or a short row, padded with blanks
        rows.append(row)
    if not rows:
        raise pd.errors.EmptyDataError
    return np.array(rows, dtype=object)


def _strict_records(data: bytes) -> Iterator[list[str]]:
    """The CSV's records; a quote mark never closed is an error, as in pandas (the csv module's
    default reads the rest of the file into that one cell)."""
    done = 0  # records read whole: the unclosed one is the next, counted from 0 as pandas does
    try:
        for record in csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), strict=True):
            yield record
            done += 1
    except csv.Error as error:
        if "unexpected end of data" not in str(error):
            raise
        raise csv.Error(f"EOF inside string starting at row {done}") from None


def _read_xlsx(data: bytes, budget: int | None = None) -> TextTable:
    refusal = package_refusal(data) or (None if budget is None else too_big_to_check_here(data, budget))
    if refusal:
        raise UnreadableFile(refusal)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many types: BadZipFile, KeyError, InvalidFileException...
        raise UnreadableFile(f"not a readable Excel .xlsx file ({_kind(error)})") from None
    try:
        sheet = data_sheet(workbook)
        rows = _sheet_rows(sheet)
        refusal = formula_refusal(data, sheet, rows)
        if refusal:
            raise UnreadableFile(refusal)
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
        header, body = stat_cells(data, suffix, _rows_allowed, _over_limit)
    except StatFileError as error:
        raise UnreadableFile(str(error)) from None
    return _text_table(header, body)


def _read_zip(data: bytes, max_bytes: int | None, xlsx_budget: int | None) -> TextTable:
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
            return _read_xlsx(content, xlsx_budget)
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
