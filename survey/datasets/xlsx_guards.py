"""Checks on an uploaded .xlsx that openpyxl does not make: each returns the refusal in words, or None.

`files` raises them as `UnreadableFile`, so the page and the command line say why the file was not read.
"""

from __future__ import annotations

import os
import re
import zipfile
import zlib
from collections.abc import Sequence
from typing import IO, Any

from openpyxl.utils import get_column_letter

SHEET_NAME = "responses"  # the dataset export's sheet; otherwise the first visible sheet is read
# An .xlsx whose parts expand to more than this many times the file's size is refused unread (Apache
# POI's zip-bomb rule, the same ratio): real workbooks expand about 5-15 times, while 85 KB of shared
# strings expanding 400 times held a worker for 27 s (openpyxl loads them all before the first row),
# and 240 KB of empty cells without references for 16 s. Small files are let through whatever their ratio.
MAX_INFLATE_RATIO = 100
INFLATE_GRACE_BYTES = 1024 * 1024
FORMULA_ELEMENT = re.compile(rb"<(?:\w+:)?f[\s>/]")  # <f>, <f t="shared" .../>, <x:f>
# openpyxl opens every sheet a workbook lists as it loads (about 0.8 ms each): 20,000 entries naming
# one sheet, 209 KB, held a worker for 16 s. A dataset needs one sheet; real workbooks have a few dozen.
MAX_SHEETS = 1_000
WORKBOOK_PART = "xl/workbook.xml"
SHEET_ELEMENT = re.compile(rb"<(?:\w+:)?sheet[\s/>]")
BYTES_PER_CELL = 32  # of worksheet XML, written by Excel or openpyxl: for the message's estimate


def package_refusal(file: IO[bytes]) -> str | None:
    """Why a workbook whose parts declare more than MAX_INFLATE_RATIO times its size, or that lists more
    than MAX_SHEETS sheets, is not read; or None.

    The declared sizes can be trusted as bounds: zipfile stops a part at its declared size (and then
    fails its CRC check), so a part cannot expand past what it declares.
    """
    size = file.seek(0, os.SEEK_END)
    try:
        with zipfile.ZipFile(file) as archive:
            expanded = sum(info.file_size for info in archive.infolist())
            if expanded > max(INFLATE_GRACE_BYTES, MAX_INFLATE_RATIO * size):
                return (
                    f"the Excel file expands to more than {MAX_INFLATE_RATIO} times its size when unzipped, "
                    "which real spreadsheets never do, so it was not read (it may be a zip bomb). "
                    "Save it again from your spreadsheet, or as CSV UTF-8"
                )
            sheets = len(SHEET_ELEMENT.findall(archive.read(WORKBOOK_PART)))
    except (zipfile.BadZipFile, zlib.error, KeyError, ValueError, EOFError, NotImplementedError, RuntimeError):
        return None  # openpyxl reports the damage (or the missing workbook part) in its own words
    if sheets > MAX_SHEETS:
        return (
            f"the Excel file lists more than {MAX_SHEETS:,} sheets, which no dataset needs, so it was not read: "
            "copy the sheet with the responses into a new workbook, or save it as CSV UTF-8"
        )
    return None


def too_big_to_check_here(file: IO[bytes], budget: int) -> str | None:
    """Why a workbook whose parts expand past `budget` bytes is not checked in a web request; or None.

    openpyxl reads about 150,000 cells a second here (13 s for 2 million, 32 bytes of sheet XML a
    cell) where the CSV reader takes 0.4 s, so the largest upload allowed (64 MB, some 20 million
    cells) would run past gunicorn's timeout and end in a failed request. The command line and the
    import job, which no timeout cuts short, read any size within the limits.
    """
    try:
        with zipfile.ZipFile(file) as archive:
            expanded = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, EOFError, NotImplementedError, RuntimeError):
        return None  # the reader reports the damage
    if expanded <= budget:
        return None
    return (
        f"the Excel file is too large to check here (about {expanded // BYTES_PER_CELL:,} cells): Excel files "
        "are read about 30 times more slowly than CSV. Save it as CSV UTF-8 and upload that, "
        "or import it with the command line (flask import-responses)"
    )


def data_sheet(workbook: Any) -> Any:
    """The sheet "responses" (the dataset export's), else the first sheet a person can see: a hidden
    first sheet (a lookup list) was read instead of the data beside it."""
    if SHEET_NAME in workbook.sheetnames:
        return workbook[SHEET_NAME]
    visible = [sheet for sheet in workbook.worksheets if sheet.sheet_state == "visible"]
    return (visible or workbook.worksheets)[0]


def unsaved_formula(stored: Sequence[Any], read: Sequence[str], number: int) -> str | None:
    """Why row `number` (from 0) cannot be read: a formula cell whose result was never saved; or None.

    Such a cell reads as blank, so its answer would be lost without a word. Spreadsheet programs save
    each result; files written by scripts often do not. `stored` is the row as stored (formulas as
    text), `read` its cells as read (the results, as text).
    """
    for position, value in enumerate(stored):
        result = read[position] if position < len(read) else ""
        if isinstance(value, str) and value.startswith("=") and not result:
            return (
                f"cell {get_column_letter(position + 1)}{number + 1} holds a formula ({value[:40]}) whose "
                "result was never saved, so its value cannot be read: open the file in Excel or "
                "LibreOffice, save it, and import it again"
            )
    return None


def has_formulas(sheet: Any) -> bool:
    """Whether the sheet's XML holds a formula element, read in chunks (bounded by the zip-bomb rule)."""
    tail = b""
    with sheet._get_source() as source:  # openpyxl's own handle on the sheet's part of the zip
        while chunk := source.read(1 << 20):
            if FORMULA_ELEMENT.search(tail + chunk):
                return True
            tail = chunk[-16:]
    return False
