"""Reading an uploaded responses file (CSV, Excel or a dataset .zip) into a table of text cells.

Every cell stays text, exactly as typed, so the checks can name a stray letter by row and column
instead of it silently becoming "missing". Rows keep their spreadsheet numbers: row 1 is the
header and row 2 the first data row, as in Excel, even when blank lines are dropped.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import PurePosixPath
from typing import Any

import pandas as pd
from openpyxl import load_workbook

SUFFIXES = (".csv", ".txt", ".xlsx", ".zip")
HEADER_ROW = 1
SHEET_NAME = "responses"  # the dataset export's sheet; otherwise the first sheet is read
ZIP_MEMBER = "responses.csv"


class UnreadableFile(Exception):
    """The file cannot be read as a table at all; the message says why, in words for the user."""


@dataclass
class TextTable:
    """A file as text: `header` names, and `cells` with one column per header cell ('' = blank).

    `cells.index` holds each row's spreadsheet row number; rows with no value at all are left out.
    """

    header: list[str]
    cells: pd.DataFrame


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
    if suffix == ".zip":
        return _read_zip(data, max_bytes)
    raise UnreadableFile(f"{filename!r} is not a .csv, .xlsx or .zip file")


def _read_csv(data: bytes) -> TextTable:
    try:
        raw = pd.read_csv(
            io.BytesIO(data),
            header=None,
            dtype=str,
            na_filter=False,  # '' is blank and 'NA' stays text: nothing silently becomes missing
            skip_blank_lines=False,  # keep counting lines, so row numbers match the spreadsheet
            encoding="utf-8-sig",  # Excel's "CSV UTF-8" starts with a byte-order mark
        )
    except UnicodeDecodeError:
        raise UnreadableFile(
            'the file is not UTF-8 text. In your spreadsheet, save it as "CSV UTF-8" (or as .xlsx) and try again'
        ) from None
    except pd.errors.EmptyDataError:
        raise UnreadableFile("the file is empty") from None
    except pd.errors.ParserError as error:
        raise UnreadableFile(f"not a readable CSV file ({error})") from None
    return _text_table(raw.iloc[0].tolist(), raw.iloc[1:])


def _read_xlsx(data: bytes) -> TextTable:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many types: BadZipFile, KeyError, InvalidFileException...
        raise UnreadableFile(f"not a readable Excel .xlsx file ({type(error).__name__})") from None
    try:
        sheet = workbook[SHEET_NAME] if SHEET_NAME in workbook.sheetnames else workbook.worksheets[0]
        rows = [[_cell_text(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()
    if not rows:
        raise UnreadableFile("the sheet is empty")
    width = max(len(row) for row in rows)
    padded = [row + [""] * (width - len(row)) for row in rows]
    return _text_table(padded[0], pd.DataFrame(padded[1:], columns=range(width), dtype=object))


def _read_zip(data: bytes, max_bytes: int | None) -> TextTable:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise UnreadableFile("not a readable .zip file") from None
    with archive:
        members = [info for info in archive.infolist() if PurePosixPath(info.filename).name == ZIP_MEMBER]
        if len(members) != 1:
            raise UnreadableFile(f"the .zip file must hold exactly one {ZIP_MEMBER}, as a dataset download does")
        # Checked before reading: a small zip can expand enormously.
        if max_bytes is not None and members[0].file_size > max_bytes:
            raise UnreadableFile(f"{ZIP_MEMBER} in the .zip is larger than {max_bytes // (1024 * 1024)} MB")
        return _read_csv(archive.read(members[0]))


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
    return str(value)


def _text_table(header: Sequence[Any], body: pd.DataFrame) -> TextTable:
    cells = body.reset_index(drop=True).astype(object).fillna("").map(lambda text: str(text).strip())
    cells.columns = pd.RangeIndex(cells.shape[1])
    cells.index = pd.RangeIndex(HEADER_ROW + 1, HEADER_ROW + 1 + len(cells))
    blank = (cells == "").all(axis=1)
    return TextTable([str(name).strip() for name in header], cells[~blank])
