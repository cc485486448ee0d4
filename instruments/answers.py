"""Checks for a single answer value, shared by `Item` and the vectorised `validate_codes`.

Knows nothing of `Item` (model.py imports this module): an item's rules arrive as arguments.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

from instruments.missing import MISSING_DATA_CODES

# Control characters drawn as their visible symbols (the Unicode "Control Pictures" block), so a
# stray tab or NUL in an upload can be seen in the message that names it.
_VISIBLE = {code: 0x2400 + code for code in range(32)} | {0x7F: 0x2421}
LONGEST = 60


def quoted(value: object) -> str:
    """`value` in double quotes, cut to its first 60 characters.

    Python's repr, which messages used before, writes 'dover' in single quotes, switches to double
    quotes when the value holds an apostrophe, and shows backslash escapes: a council officer should
    read "O'Brien's field" as typed. A whole 1 MB cell would bury the message, hence the cut.
    """
    text = str(value).translate(_VISIBLE)
    if len(text) > LONGEST:
        text = text[: LONGEST - 1] + "…"
    return f'"{text}"'


def is_missing(value: object) -> bool:
    """Return True for None, NaN and pandas' NA (a skipped answer)."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))  # type: ignore[call-overload]  # any scalar may arrive here
    except (TypeError, ValueError):  # list-like values are not "missing"; they are wrong
        return False


def whole_number(value: object) -> int | None:
    """Return `value` as an int if it is a whole number (3, 3.0, "3", " 3.0 "), else None."""
    if isinstance(value, bool):
        return None  # True == 1 in Python, but a tick box is not a code
    if isinstance(value, numbers.Integral):
        return int(value)
    number: float
    if isinstance(value, numbers.Real):
        number = float(value)
    elif isinstance(value, str):
        text = value.strip()
        try:
            return int(text)
        except ValueError:
            pass
        try:
            number = float(text)
        except ValueError:
            return None
    else:
        return None
    if math.isfinite(number) and number.is_integer():
        return int(number)
    return None


def not_allowed_code(shown: str, codes: Sequence[int]) -> str:
    """Message for a value that is not one of a choice item's codes."""
    allowed = ", ".join(str(code) for code in codes)
    return f"{quoted(shown)} is not an allowed code (allowed: {allowed})"


def not_whole_number(shown: str) -> str:
    """Message for an integer item answered with something that is not a whole number."""
    return f"{quoted(shown)} is not a whole number"


def out_of_range(shown: str, low: int | None, high: int | None) -> str:
    """Message for an integer item answered outside its min/max."""
    if low is not None and high is not None:
        return f"{quoted(shown)} is outside the allowed range {low}-{high}"
    if low is not None:
        return f"{quoted(shown)} is below the minimum {low}"
    return f"{quoted(shown)} is above the maximum {high}"


def _as_float(value: object) -> float:
    """One distinct cell value as a float; NaN if it is not a number (bools are not numbers)."""
    if isinstance(value, bool):
        return math.nan
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return math.nan
    return math.nan


def numeric_values(series: pd.Series) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    """Return (values as float64, NaN where missing or not a number; mask of non-missing cells).

    The missing-data codes (-1 ... -5, `instruments.missing`) are missing cells: NaN, not present.
    """
    values, present = _numbers(series)
    coded = np.isin(values, MISSING_DATA_CODES)
    if coded.any():
        values = np.where(coded, np.nan, values)
        present = present & ~coded
    return values, present


def _numbers(series: pd.Series) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    if isinstance(series.dtype, pd.CategoricalDtype):  # already factorized: convert the categories only
        codes = series.cat.codes.to_numpy()
        converted = np.array([_as_float(value) for value in series.cat.categories] + [np.nan], dtype="float64")
        return converted[codes], codes >= 0  # code -1 (missing) picks the trailing NaN
    present = series.notna().to_numpy(dtype=bool)
    if pd.api.types.is_bool_dtype(series.dtype):
        return np.full(len(series), np.nan), present  # true/false is never a code
    if pd.api.types.is_numeric_dtype(series.dtype):
        return series.to_numpy(dtype="float64", na_value=np.nan), present
    # Text columns hold few distinct values: convert those, not every cell (pd.to_numeric on a
    # million strings takes about a second per column). Known limit: in an object column mixing
    # True with 1, factorize treats them as one value (True == 1), so True may pass as 1.
    positions, uniques = pd.factorize(series, use_na_sentinel=True)
    converted = np.array([_as_float(value) for value in uniques] + [np.nan], dtype="float64")
    return converted[positions], present  # sentinel -1 picks the trailing NaN
