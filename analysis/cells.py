"""Checked conversion of table cells, shared by every table the analysis reads."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

# Cells a spreadsheet would run as a formula (OWASP, "CSV Injection"): = + - @ tab, carriage return.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def guard_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells that start like a formula are prefixed with an apostrophe.

    For every CSV a person may open in a spreadsheet; numbers are never touched (a negative
    number is a number, not text).
    """
    out = frame.copy(deep=False)  # copy-on-write (pandas 3): a column set here never changes `frame`
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column].dtype):
            text = out[column]
            risky = _cell_test(text, lambda value: str(value).startswith(FORMULA_STARTS), missing=False)
            if risky.any():
                out[column] = text.where(~risky, "'" + text.astype(str))
    return out


class DatasetError(ValueError):
    """The input does not follow the dataset format; the message names the file and column."""


def blank_cells(series: pd.Series) -> pd.Series:
    """True where a cell is missing or only spaces."""
    return pd.Series(
        _cell_test(series, lambda value: not str(value).strip(), missing=True), index=series.index, name=series.name
    )


def text_cells(series: pd.Series, *, lower: bool = False) -> pd.Series:
    """Each cell as stripped text (lowercased if `lower`), None where it is blank; typed as
    ``Series.map`` would type it (all text: str)."""

    def clean(value: Any) -> str | None:
        text = str(value).strip()
        return (text.lower() if lower else text) or None

    distinct = _distinct_text(series)
    if distinct is None:
        blank = blank_cells(series).to_numpy()
        cells = [None if empty else clean(value) for value, empty in zip(series, blank, strict=True)]
        return pd.Series(np.array(cells, dtype=object), index=series.index)
    codes, uniques = distinct
    table = np.array([clean(value) for value in uniques] + [None], dtype=object)
    return pd.Series(table[codes], index=series.index)


def stripped_text(series: pd.Series) -> pd.Series:
    """``series.astype(str).str.strip()``, each distinct text stripped once."""
    text = series.astype(str)
    codes, uniques = pd.factorize(text, use_na_sentinel=True)
    table = np.array([value.strip() for value in uniques] + [np.nan], dtype=object)
    return pd.Series(table[codes], index=series.index, dtype=text.dtype, name=series.name)


def _cell_test(series: pd.Series, test: Callable[[Any], bool], *, missing: bool) -> np.ndarray:
    """`test` of each present cell as booleans, `missing` for missing cells.

    A column of text (the common case: ids, slugs, codes) is tested once per distinct value: a
    profile of the streamed export showed pandas' string methods, a Python call per cell, as a
    fifth of its time. Other columns are tested cell by cell.
    """
    distinct = _distinct_text(series)
    if distinct is None:
        absent = series.isna().to_numpy()
        return np.array(
            [missing if gone else bool(test(value)) for value, gone in zip(series, absent, strict=True)], dtype=bool
        )
    codes, uniques = distinct
    table = np.array([bool(test(value)) for value in uniques] + [missing], dtype=bool)
    return np.asarray(table[codes], dtype=bool)


def _distinct_text(series: pd.Series) -> tuple[np.ndarray, list[str]] | None:
    """(codes, distinct values) when every present cell is text, else None (to pandas' factorize,
    1, 1.0 and True are one value, so other objects are not grouped)."""
    if pd.api.types.infer_dtype(series, skipna=True) not in ("string", "empty"):
        return None
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    return codes, list(uniques)


def numbers(frame: pd.DataFrame, column: str, origin: str) -> pd.Series:
    """A column as float64 (NaN for blank); DatasetError naming the first cell that is not a number."""
    series = frame[column]
    if pd.api.types.is_bool_dtype(series.dtype):
        return series.astype("float64")
    if pd.api.types.is_numeric_dtype(series.dtype):
        values = series.astype("float64").to_numpy()
        blank = np.isnan(values)
    else:
        # Convert each distinct value once (a column holds few), not every cell.
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        converted = np.array([_number(value) for value in uniques] + [np.nan], dtype="float64")
        blank = np.array([_blank(value) for value in uniques] + [True], dtype=bool)[codes]
        values = converted[codes]
    # No column of the format can be infinite: "inf" is refused here, where it once became an infinite
    # cost or crashed the conversion of a population size to a whole number (OverflowError).
    bad = ~np.isfinite(values) & ~blank
    if bad.any():
        row = int(np.argmax(bad))
        value = series.iloc[row]
        shown = repr(value) if isinstance(value, str) else str(value)
        raise DatasetError(f"{origin}: column {column!r}, row {row + 1}: {shown} is not a number")
    return pd.Series(values, index=series.index, dtype="float64")


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or bool(pd.isna(value))


def _number(value: object) -> float:
    if isinstance(value, bool):
        return np.nan
    if isinstance(value, (int, float, np.integer, np.floating, Decimal)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return np.nan
    return np.nan
