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
from collections.abc import Callable
from datetime import date, datetime

import numpy as np
import pandas as pd

from survey.datasets.stat_names import CATEGORICAL, dataset_name

DATETIME_TEXT = "%Y-%m-%dT%H:%M:%SZ"  # analysis.dataset writes date-times so
KINDS = {".sav": "SPSS .sav", ".dta": "Stata .dta"}


class StatFileError(Exception):
    """The file cannot be read, or is over a limit; the message says why, in words for the user."""


def stat_cells(
    data: bytes, suffix: str, rows_allowed: Callable[[int], int], over_limit: Callable[[int, int], str | None]
) -> tuple[list[str], np.ndarray]:
    """(header, 2-D array of text cells) of a .sav or .dta file, checked against `over_limit(rows, columns)`.

    The header row counts as a row, as for a CSV. The size is checked from the file's metadata
    before the data is read, and the reading stops one row past what `rows_allowed(columns)` lets through
    (the header included) whatever the metadata claims.
    """
    import pyreadstat

    read = pyreadstat.read_sav if suffix == ".sav" else pyreadstat.read_dta
    try:
        _empty, meta = read(io.BytesIO(data), metadataonly=True)
        # A .sav may leave its row count unknown (-1 or None): the row limit below still holds.
        refusal = over_limit(max(meta.number_rows or 0, 0) + 1, meta.number_columns or 0)
        if refusal:
            raise StatFileError(refusal)
        # One data row past what `rows_allowed(columns)` (header included) lets through is enough to refuse:
        # a .sav of unknown length was read whole first, 50 million missing values (1.7 GB) from 200 KB.
        frame, meta = read(io.BytesIO(data), row_limit=rows_allowed(meta.number_columns or 0))
    except StatFileError:
        raise
    except Exception as error:  # pyreadstat raises many types on damaged input: ReadstatError, TypeError...
        # ReadStat's own words ("Invalid file, or file has unsupported features") say which part failed.
        words = str(error) if isinstance(error, pyreadstat.ReadstatError | pyreadstat.PyreadstatError) else ""
        raise StatFileError(f"not a readable {KINDS[suffix]} file ({words or type(error).__name__})") from None
    refusal = over_limit(len(frame) + 1, len(frame.columns))
    if refusal:
        raise StatFileError(refusal)
    labels = meta.variable_value_labels
    header = [dataset_name(str(name)) for name in frame.columns]
    columns = [
        _text(frame[name], labels.get(name) if dataset_name(str(name)) in CATEGORICAL else None)
        for name in frame.columns
    ]
    body = np.empty((len(frame), len(columns)), dtype=object)
    for position, texts in enumerate(columns):
        body[:, position] = texts
    return header, body


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
