"""Reading the export's SPSS (.sav) and Stata (.dta) files back as the dataset's text cells (issue 13, point 8).

What the writers (`stat_files`, `stat_writers`) changed is undone, so the file checks exactly as its
CSV would: ``value_<slug>`` is ``asset_<slug>_value`` again (`stat_names.dataset_name`); the labelled
numbers of ``mode``, ``community``, ``campaign`` and ``status`` are their text again, through the
file's own value labels; SPSS user-missing values and Stata's .a ... .e are blank (pyreadstat reads
both as missing unless asked not to); date-times are the dataset's ``2024-05-01T14:30:00Z`` (SPSS and
Stata hold them without a zone, in UTC as written); whole numbers lose pyreadstat's ".0".
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from survey.datasets.stat_names import CATEGORICAL, dataset_name

DATETIME_TEXT = "%Y-%m-%dT%H:%M:%SZ"  # analysis.dataset writes date-times so
KINDS = {".sav": "SPSS .sav", ".dta": "Stata .dta"}


class StatFileError(Exception):
    """The file cannot be read, or is over a limit; the message says why, in words for the user."""


def stat_chunks(
    source: bytes | Path,
    suffix: str,
    rows_allowed: Callable[[int], int],
    over_limit: Callable[[int, int], str | None],
    chunk_rows: Callable[[int], int],
) -> tuple[list[str], Iterator[np.ndarray]]:
    """(header, 2-D arrays of text cells, `chunk_rows(columns)` rows each) of a .sav or .dta file,
    checked against `over_limit(rows, columns)`.

    The header row counts as a row, as for a CSV. The size is checked from the file's metadata
    before the data is read, and the reading stops one row past what `rows_allowed(columns)` lets through
    (the header included) whatever the metadata claims.
    """
    import pyreadstat

    read = pyreadstat.read_sav if suffix == ".sav" else pyreadstat.read_dta

    def readable() -> Any:  # pyreadstat reads a path, or a file object it may seek anywhere in
        return io.BytesIO(source) if isinstance(source, bytes) else str(source)

    try:
        _empty, meta = read(readable(), metadataonly=True)
    except Exception as error:  # pyreadstat raises many types on damaged input: ReadstatError, TypeError...
        raise _unreadable(error, suffix) from None
    # A .sav may leave its row count unknown (-1 or None): the row limit below still holds.
    refusal = over_limit(max(meta.number_rows or 0, 0) + 1, meta.number_columns or 0)
    if refusal:
        raise StatFileError(refusal)
    header = [dataset_name(str(name)) for name in meta.column_names]
    columns = meta.number_columns or 0
    limits = (rows_allowed(columns), chunk_rows(columns), meta.number_rows)
    return header, _chunks(read, readable, suffix, limits, over_limit)


def _chunks(
    read: Callable[..., Any],
    readable: Callable[[], Any],
    suffix: str,
    limits: tuple[int, int, int | None],
    over_limit: Callable[[int, int], str | None],
) -> Iterator[np.ndarray]:
    """The data rows as arrays of text cells, `per_chunk` rows at a time (pyreadstat's `row_offset`).

    `limits` is (rows allowed, header included; rows per chunk; rows the file declares, -1 or None if unknown).
    """
    allowed, per_chunk, declared = limits
    # One data row past what `allowed` (header included) lets through is enough to refuse: a .sav
    # of unknown length was read whole first, 50 million missing values (1.7 GB) from 200 KB.
    offset = 0
    while True:
        wanted = max(1, min(per_chunk, allowed - offset))  # pyreadstat reads everything for a limit of 0
        try:
            frame, meta = read(readable(), row_offset=offset, row_limit=wanted)
        except Exception as error:
            raise _unreadable(error, suffix) from None
        offset += len(frame)
        refusal = over_limit(offset + 1, len(frame.columns))
        if refusal:
            raise StatFileError(refusal)
        yield _body(frame, meta.variable_value_labels)
        if len(frame) < wanted or offset == declared:
            return  # the end of the file (a .sav of unknown length ends with a short chunk)


def _unreadable(error: Exception, suffix: str) -> StatFileError:
    """The refusal in words for what pyreadstat raised."""
    import pyreadstat

    # ReadStat's own words ("Invalid file, or file has unsupported features") say which part failed.
    words = str(error) if isinstance(error, pyreadstat.ReadstatError | pyreadstat.PyreadstatError) else ""
    return StatFileError(f"not a readable {KINDS[suffix]} file ({words or type(error).__name__})")


def _body(frame: pd.DataFrame, labels: dict[str, dict[float, str]]) -> np.ndarray:
    """The frame's cells as text: labelled numbers as their labels (the categorical columns only)."""
    body = np.empty(frame.shape, dtype=object)
    for position, name in enumerate(frame.columns):
        body[:, position] = _text(frame[name], labels.get(name) if dataset_name(str(name)) in CATEGORICAL else None)
    return body


def _text(values: pd.Series, labels: dict[float, str] | None) -> list[str]:
    """One column as text: a labelled number as its label, a date-time in the dataset's form, blank for missing."""
    if labels is not None:
        return ["" if pd.isna(value) else str(labels.get(value, _number(value))) for value in values]
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return [stamp.strftime(DATETIME_TEXT) if pd.notna(stamp) else "" for stamp in values]
    if pd.api.types.is_numeric_dtype(values.dtype):
        return ["" if pd.isna(value) else _number(value) for value in values]
    return [_cell(value) for value in values]


def _number(value: float) -> str:
    """3.0 -> '3'; other numbers as Python writes them (no rounding)."""
    number = float(value)
    return str(int(number)) if number.is_integer() else repr(number)


def _cell(value: object) -> str:
    """A cell of a text or mixed column: strings as they are, dates as ISO 8601, missing as blank."""
    if value is None or value is pd.NaT or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, datetime):
        return value.strftime(DATETIME_TEXT)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return _number(value)
    return str(value)
