"""Checked conversion of table cells, shared by every table the analysis reads."""

from __future__ import annotations

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
            starts = text.astype(str).str.startswith(FORMULA_STARTS).to_numpy(dtype=bool, na_value=False)
            risky = text.notna().to_numpy() & starts
            if risky.any():
                out[column] = text.where(~risky, "'" + text.astype(str))
    return out


class DatasetError(ValueError):
    """The input does not follow the dataset format; the message names the file and column."""


def blank_cells(series: pd.Series) -> pd.Series:
    """True where a cell is missing or only spaces."""
    return series.isna() | (series.astype(str).str.strip() == "")


def numbers(frame: pd.DataFrame, column: str, origin: str) -> pd.Series:
    """A column as float64 (NaN for blank); DatasetError naming the first cell that is not a number."""
    series = frame[column]
    if pd.api.types.is_bool_dtype(series.dtype):
        return series.astype("float64")
    if pd.api.types.is_numeric_dtype(series.dtype):
        return series.astype("float64")
    # Convert each distinct value once (a column holds few), not every cell.
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    converted = np.array([_number(value) for value in uniques] + [np.nan], dtype="float64")
    blank = np.array([_blank(value) for value in uniques] + [True], dtype=bool)
    values = converted[codes]
    bad = np.isnan(values) & ~blank[codes]
    if bad.any():
        row = int(np.argmax(bad))
        raise DatasetError(f"{origin}: column {column!r}, row {row + 1}: {series.iloc[row]!r} is not a number")
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
