"""Checks for a single answer value, shared by `Item` and the vectorised `validate_codes`."""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence

import pandas as pd


def is_missing(value: object) -> bool:
    """Return True for None, NaN and pandas' NA (a skipped answer)."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
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
    return f"{shown!r} is not an allowed code (allowed: {allowed})"


def not_whole_number(shown: str) -> str:
    """Message for an integer item answered with something that is not a whole number."""
    return f"{shown!r} is not a whole number"


def out_of_range(shown: str, low: int | None, high: int | None) -> str:
    """Message for an integer item answered outside its min/max."""
    if low is not None and high is not None:
        return f"{shown!r} is outside the allowed range {low}-{high}"
    if low is not None:
        return f"{shown!r} is below the minimum {low}"
    return f"{shown!r} is above the maximum {high}"
