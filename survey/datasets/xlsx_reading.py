"""Reading an uploaded .xlsx row by row as text, within the limits `files` sets (passed in, so tests can lower them).

openpyxl's read-only mode streams the sheet's XML, so a row is read, turned into text and handed
on before the next: nothing but openpyxl's shared strings (bounded by `xlsx_guards`) grows with the file.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable, Iterator
from datetime import date, datetime, time
from typing import IO, Any

from openpyxl import load_workbook

from survey.datasets.xlsx_guards import (
    data_sheet,
    has_formulas,
    package_refusal,
    too_big_to_check_here,
    unsaved_formula,
)

# Excel writes characters XML cannot hold (control characters) as _xHHHH_ (ECMA-376 Part 1, 22.9.2.19,
# ST_Xstring), and a literal "_x" as "_x005F_x"; openpyxl leaves them escaped, Excel shows them decoded.
XML_ESCAPE = re.compile("_x([0-9A-Fa-f]{4})_")


class XlsxError(Exception):
    """The workbook cannot be read, or is over a limit; the message says why, in words for the user."""


def sheet_rows(
    opener: Callable[[], IO[bytes]],
    budget: int | None,
    over_limit: Callable[[int, int], str | None],
    max_scanned: int,
    too_many_cells: Callable[[], str],
) -> Iterator[list[str]]:
    """The data sheet's rows as text, the header's first, blank rows as empty lists; refused past the limits.

    Each row ends at its last cell holding a value. The sheet's declared ``<dimension>`` is ignored:
    a stale or hostile one (``A1:XFD1048576``) would otherwise pad every row to its size. `budget`
    bounds the unzipped workbook within a web request (`too_big_to_check_here`).
    """
    with opener() as file:
        refusal = package_refusal(file) or (None if budget is None else too_big_to_check_here(file, budget))
        if refusal:
            raise XlsxError(refusal)
        try:
            workbook = load_workbook(file, read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many types: BadZipFile, KeyError, InvalidFileException...
            raise XlsxError(f"not a readable Excel .xlsx file ({_kind(error)})") from None
        try:
            yield from _rows(opener, workbook, over_limit, max_scanned, too_many_cells)
        except XlsxError:
            raise
        except Exception as error:  # a damaged member (BadZipFile, zlib.error) or bad XML (ParseError) inside
            raise XlsxError(f"not a readable Excel .xlsx file ({_kind(error)})") from None
        finally:
            workbook.close()


def _rows(
    opener: Callable[[], IO[bytes]],
    workbook: Any,
    over_limit: Callable[[int, int], str | None],
    max_scanned: int,
    too_many_cells: Callable[[], str],
) -> Iterator[list[str]]:
    sheet = data_sheet(workbook)
    sheet.reset_dimensions()
    formulas = _formula_rows(opener, sheet.title) if has_formulas(sheet) else None
    kept = width = scanned = number = 0
    unsaved: tuple[int, str] | None = None  # the first formula without a result: (row from 0, refusal)
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        scanned += max(len(values), 1)
        row = [_cell_text(value) for value in values]
        while row and not row[-1].strip():
            row.pop()  # trailing blank cells, e.g. formatted but empty
        if row:
            kept, width = number, max(width, len(row))
        if formulas is not None and unsaved is None:
            refusal = unsaved_formula(next(formulas, ()), row, number - 1)
            unsaved = None if refusal is None else (number - 1, refusal)
        refusal = over_limit(kept, width) or over_limit(number, 0)  # blank rows without end count too
        if refusal is None and scanned > max_scanned:
            refusal = too_many_cells()  # formatted empty cells without end
        if refusal:
            raise XlsxError(refusal)
        yield row
    if not kept:
        raise XlsxError("the sheet is empty")
    # Refused only once the whole sheet has passed the limits, and only within its rows holding values.
    if unsaved is not None and unsaved[0] < kept:
        raise XlsxError(unsaved[1])


def _formula_rows(opener: Callable[[], IO[bytes]], title: str) -> Iterator[tuple[Any, ...]]:
    """The sheet's rows as stored, formulas as text, read beside the results (a second pass would reread them)."""
    with opener() as file:
        workbook = load_workbook(file, read_only=True, data_only=False)
        try:
            sheet = workbook[title]
            sheet.reset_dimensions()
            yield from sheet.iter_rows(values_only=True)
        finally:
            workbook.close()


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
