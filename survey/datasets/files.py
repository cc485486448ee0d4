"""Reading an uploaded responses file (CSV, Excel, SPSS, Stata or a dataset .zip) as text cells, in chunks.

Every cell stays text, exactly as typed, so the checks can name a stray letter by row and column
instead of it silently becoming "missing". Rows keep their spreadsheet numbers: row 1 is the
header and row 2 the first data row, as in Excel, even when blank lines are dropped.

The file is read from disk a chunk of about CHUNK_CELLS cells at a time, and each chunk is checked
before the next is read: a 64 MB CSV (20 million cells) read whole held 750 MB in the web worker,
every cell a Python string in several copies of the table. Nothing but the chunk being checked is
held, so a dry run's memory no longer grows with the file (`bench/bench_import_memory.py`).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Generator, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

import numpy as np
import pandas as pd

from instruments.answers import quoted
from survey.datasets.xlsx_reading import XlsxError, sheet_rows
from survey.web.uploads import CONTROL

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
# Cells read and checked at a time: about 15 MB of text cells and their checks; a chunk of 1,000
# rows of the dataset's 40 columns costs the checks' fixed work (a few queries) once per 40,000 cells.
CHUNK_CELLS = 250_000
# From this many columns a CSV is read by the csv module rather than pandas (see _csv_chunks).
WIDE_COLUMNS = 1_000
SCAN_FACTOR = 10  # spreadsheet cells looked at (formatted empty ones too) per allowed cell

# An upload: its bytes, or the file it waits in (the web route's and the job's, the command line's).
Source = bytes | Path


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
    """Rows of a file as text: `header` names, and `cells` with one column per position ('' = blank).

    `cells.index` holds each row's spreadsheet row number; rows with no value at all are left out.
    A chunk of a spreadsheet may be wider than its header (cells right of the last named column).
    `controls` are the control characters of these rows, and of the header in a file's first chunk.
    """

    header: list[str]
    cells: pd.DataFrame
    controls: list[tuple[int, int, str]] = field(default_factory=list)  # (row, column position, character)


def sha256(source: Source) -> str:
    """Hex SHA-256 of an upload: proves the confirmed file is the one that was checked."""
    if isinstance(source, bytes):
        return hashlib.sha256(source).hexdigest()
    with source.open("rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


def suffix_of(filename: str) -> str:
    """The file's lower-cased suffix ('.csv', '.xlsx', ...), or '' if none."""
    return PurePosixPath(filename.replace("\\", "/")).suffix.lower()


def read_chunks(
    source: Source, filename: str, max_bytes: int | None = None, *, xlsx_budget: int | None = None
) -> Generator[TextTable]:
    """The file's rows in chunks of about CHUNK_CELLS cells, read by the suffix of `filename`; at
    least one chunk (the header's). Raises `UnreadableFile` when a chunk cannot be read, so a
    caller discards what earlier chunks told it.

    `max_bytes` bounds a zipped member once uncompressed; `xlsx_budget` an Excel workbook's
    unzipped size when it is read within a web request (`xlsx_guards.too_big_to_check_here`).
    """
    suffix = suffix_of(filename)
    opener: Callable[[], IO[bytes]] = (
        (lambda: io.BytesIO(source)) if isinstance(source, bytes) else (lambda: source.open("rb"))
    )
    if suffix in (".csv", ".txt"):
        return _csv_chunks(opener)
    if suffix == ".xlsx":
        return _xlsx_chunks(opener, xlsx_budget)
    if suffix in STAT_SUFFIXES:
        return _stat_chunks(source, suffix)
    if suffix == ".zip":
        return _zip_chunks(opener, max_bytes, xlsx_budget)
    raise UnreadableFile(f"{quoted(filename)} is not a .csv, .xlsx, .sav, .dta or .zip file")


def read_table(source: Source, filename: str, max_bytes: int | None = None) -> TextTable:
    """The whole file as one table, its header as wide as its widest row (small files: tests, notebooks)."""
    chunks = list(read_chunks(source, filename, max_bytes))
    cells = pd.concat([chunk.cells for chunk in chunks]).fillna("")
    header = chunks[0].header + [""] * (cells.shape[1] - len(chunks[0].header))
    return TextTable(header, cells, [control for chunk in chunks for control in chunk.controls])


def _csv_chunks(opener: Callable[[], IO[bytes]]) -> Generator[TextTable]:
    """The CSV's cells as text. Wide files go to the csv module: pandas pays about 25 us a column
    (1.1 s for the red team's 40,000 columns, the csv module 0.02 s), while on long files its C
    parser is twice as fast. Both keep blank lines as rows of blanks and refuse a row longer than
    the first, and both stop reading once the rows x columns limit is passed: a blank line is one
    byte but a row of the header's width, so 2 MB of line ends under a 200-column header (a few KB
    zipped) would otherwise become 400 million cells, 10 GB of memory."""
    try:
        with opener() as file:
            first_line = file.readline().rstrip(b"\r\n")
        text_start = first_line.decode("utf-8-sig", errors="replace")
        if "," not in text_start and ("\t" in text_start or ";" in text_start):
            raise UnreadableFile(
                "the columns are separated by semicolons or tabs, not commas. In your spreadsheet, "
                "save it as CSV UTF-8 (Comma delimited), or as .xlsx, and try again"
            )
        wide = text_start.count(",") + 1 >= WIDE_COLUMNS
        yield from _csv_module_chunks(opener) if wide else _pandas_chunks(opener)
    except UnicodeDecodeError:
        raise UnreadableFile(
            'the file is not UTF-8 text. In your spreadsheet, save it as "CSV UTF-8" (or as .xlsx) and try again'
        ) from None
    except pd.errors.EmptyDataError:
        raise UnreadableFile("the file is empty") from None
    except (pd.errors.ParserError, csv.Error) as error:
        raise UnreadableFile(_csv_problem(error)) from None


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


def _pandas_chunks(opener: Callable[[], IO[bytes]]) -> Generator[TextTable]:
    options: dict[str, Any] = {
        "header": None,
        "dtype": str,
        "na_filter": False,  # '' is blank and 'NA' stays text: nothing silently becomes missing
        "skip_blank_lines": False,  # keep counting lines, so row numbers match the spreadsheet
        "encoding": "utf-8-sig",  # Excel's "CSV UTF-8" starts with a byte-order mark
    }
    with opener() as file:
        width = pd.read_csv(file, nrows=1, **options).shape[1]
    refusal = _over_limit(1, width)
    if refusal:
        raise UnreadableFile(refusal)
    allowed = _rows_allowed(width)
    header: list[str] = []
    # One row past the limit is enough to refuse the file: pandas stops reading there.
    with opener() as file, pd.read_csv(file, nrows=allowed + 1, chunksize=_chunk_rows(width), **options) as reader:
        for frame in reader:
            body = frame.to_numpy(dtype=object)  # one block: pandas' per-column overhead made wide files slow
            first = int(frame.index[0]) + 1  # pandas numbers the lines read from 0, the header's
            with_header = first == HEADER_ROW
            if with_header:
                header, body, first = _header(body[0]), body[1:], first + 1
            last = first + len(body) - 1
            if last > allowed:
                raise UnreadableFile(_over_limit(last, width) or _too_many_cells())
            yield _chunk(header, body, range(first, first + len(body)), with_header)


def _chunk_rows(width: int) -> int:
    return max(1, CHUNK_CELLS // max(width, 1))


def _csv_module_chunks(opener: Callable[[], IO[bytes]]) -> Generator[TextTable]:
    rows: list[list[str]] = []
    header: list[str] = []
    width = allowed = number = 0
    first = HEADER_ROW + 1
    with opener() as file:
        for number, row in enumerate(_strict_records(file), start=1):
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
            if number == HEADER_ROW:
                header = row
                continue
            rows.append(row)
            if len(rows) == _chunk_rows(width):
                yield _chunk(
                    header, np.array(rows, dtype=object), range(first, first + len(rows)), first == HEADER_ROW + 1
                )
                first, rows = first + len(rows), []
    if not number:
        raise pd.errors.EmptyDataError
    body = np.array(rows, dtype=object).reshape(len(rows), width)
    yield _chunk(header, body, range(first, first + len(rows)), first == HEADER_ROW + 1)


def _strict_records(file: IO[bytes]) -> Iterator[list[str]]:
    """The CSV's records; a quote mark never closed is an error, as in pandas (the csv module's
    default reads the rest of the file into that one cell)."""
    done = 0  # records read whole: the unclosed one is the next, counted from 0 as pandas does
    text = io.TextIOWrapper(file, encoding="utf-8-sig", newline="")
    try:
        for record in csv.reader(text, strict=True):
            yield record
            done += 1
    except csv.Error as error:
        if "unexpected end of data" not in str(error):
            raise
        raise csv.Error(f"EOF inside string starting at row {done}") from None
    finally:
        text.detach()  # the caller closes the file


def _xlsx_chunks(opener: Callable[[], IO[bytes]], budget: int | None) -> Generator[TextTable]:
    """The first visible sheet (or "responses") in chunks; rows may be wider than the header.

    Blank rows (empty lists from `sheet_rows`) are left out as they come rather than padded into the
    chunk and dropped there: a stray formatted cell in row 1,048,576 made a million blank rows,
    a minute of padding, stripping and checking for a file of a few KB.
    """
    try:
        rows = sheet_rows(opener, budget, _over_limit, SCAN_FACTOR * MAX_CELLS, _too_many_cells)
        header = next(rows)
        body: list[list[str]] = []
        numbers: list[int] = []  # the body's spreadsheet row numbers
        first_chunk = True
        width = len(header)  # of the chunk, padded to its widest row
        for number, row in enumerate(rows, start=HEADER_ROW + 1):
            if not row:
                continue
            if body and (len(body) + 1) * max(width, len(row)) > CHUNK_CELLS:
                yield _chunk(header, _padded(body, width), numbers, first_chunk)
                first_chunk, body, numbers, width = False, [], [], len(header)
            body.append(row)
            numbers.append(number)
            width = max(width, len(row))
        yield _chunk(header, _padded(body, width), numbers, first_chunk)
    except XlsxError as error:
        raise UnreadableFile(str(error)) from None


def _padded(rows: list[list[str]], width: int) -> np.ndarray:
    """The rows as one array `width` wide, blanks filling the rest."""
    body = np.full((len(rows), width), "", dtype=object)
    for number, row in enumerate(rows):
        body[number, : len(row)] = row
    return body


def _stat_chunks(source: Source, suffix: str) -> Generator[TextTable]:
    """An SPSS or Stata file of the dataset download, within the row, column and cell limits."""
    from survey.datasets.stat_reading import StatFileError, stat_chunks  # pyreadstat loads for these files only

    try:
        header, bodies = stat_chunks(source, suffix, _rows_allowed, _over_limit, _chunk_rows)
        first = HEADER_ROW + 1
        for body in bodies:
            yield _chunk(header, body, range(first, first + len(body)), first == HEADER_ROW + 1)
            first += len(body)
    except StatFileError as error:
        raise UnreadableFile(str(error)) from None


def _zip_chunks(
    opener: Callable[[], IO[bytes]], max_bytes: int | None, xlsx_budget: int | None
) -> Generator[TextTable]:
    """The dataset file in a download's zip, unzipped to a temporary file and read from there."""
    with ExitStack() as stack:
        try:
            archive = stack.enter_context(zipfile.ZipFile(stack.enter_context(opener())))
        except zipfile.BadZipFile:
            raise UnreadableFile("not a readable .zip file") from None
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
        unzipped = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="import-"))) / member_name
        try:
            # Stops at the declared size, so a false small size cannot expand past the limit either.
            with archive.open(members[0]) as member, unzipped.open("wb") as out:
                shutil.copyfileobj(member, out)
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as error:
            # A bad CRC or false size, damaged data, an unknown compression method, a password.
            raise UnreadableFile(f"not a readable .zip file ({_kind(error)})") from None
        yield from read_chunks(unzipped, member_name, xlsx_budget=xlsx_budget)


def _kind(error: Exception) -> str:
    """What went wrong, for the message: the exception's name, or words where the name says nothing."""
    return "damaged compressed data" if isinstance(error, zlib.error) else type(error).__name__


def _header(cells: Sequence[Any]) -> list[str]:
    """The header row's cells as text, as the first chunk's `header` holds them (before stripping)."""
    return [str(name) for name in cells]


def _chunk(header: Sequence[str], body: np.ndarray, numbers: range | list[int], with_header: bool) -> TextTable:
    """A chunk from the (unstripped) header cells and a 2-D array of body cells, their spreadsheet row
    `numbers`, stripped, blank rows left out; the header's control characters go with the first chunk."""
    controls = _controls([header], [HEADER_ROW]) if with_header else []
    controls += _controls(body.tolist(), numbers)
    rows, columns = body.shape
    stripped = np.array([str(text).strip() for text in body.ravel().tolist()], dtype=object).reshape(rows, columns)
    index = pd.Index(numbers, dtype="int64")
    cells = pd.DataFrame(stripped, index=index, columns=pd.RangeIndex(columns), dtype=object)
    blank = (stripped == "").all(axis=1)
    return TextTable([str(name).strip() for name in header], cells[~blank], controls)


def _controls(rows: Any, numbers: Sequence[int]) -> list[tuple[int, int, str]]:
    """(row, column position, character) of each cell holding a control character, rows numbered by `numbers`."""
    texts = [[str(value) for value in row] for row in rows]
    if not CONTROL.search("".join("".join(row) for row in texts)):
        return []  # the usual case, in one pass over the text
    return [
        (number, position, found.group())
        for number, row in zip(numbers, texts, strict=True)
        for position, text in enumerate(row)
        if (found := CONTROL.search(text))
    ]
