"""Numbers in plain English for the report's sentences: signed values, differences, money, counts.

Counts of people under the disclosure threshold are never written as numbers, in any sentence.
"""

from __future__ import annotations

import math
import re
from typing import Any

import pandas as pd


def blank(value: Any) -> bool:
    """True for None, NaN and pd.NA."""
    if value is None or value is pd.NA:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def level(confidence: float) -> str:
    """The confidence level of the run's intervals as text: 0.95 -> "95%", 0.9 -> "90%".

    Every interval of a run is at ``config.confidence`` (``1 - alpha``, e.g. ``--alpha 0.1``), so its
    label must say so; only the Monte Carlo value ranges are always 95% (2.5th-97.5th percentiles).
    """
    return f"{confidence * 100:.10g}%"


def signed(value: float, decimals: int = 1) -> str:
    """+1.2 / -0.3."""
    return f"{value:+.{decimals}f}"


def points_phrase(value: float, decimals: int = 1) -> str:
    """'1.2 points higher than' / 'about the same as'."""
    if not math.isfinite(value):
        return "not estimated relative to"
    if abs(value) < 0.5 * 10**-decimals:
        return "about the same as"
    return f"{abs(value):.{decimals}f} points {'higher than' if value > 0 else 'lower than'}"


def change_phrase(value: float) -> str:
    """'1.2 points higher' / 'about the same'."""
    if abs(value) < 0.05:
        return "about the same"
    return f"{abs(value):.1f} points {'higher' if value > 0 else 'lower'}"


def clear_phrase(low: float, high: float, what: str) -> str:
    """Whether an interval excludes zero, in words."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return f"the {what} could not be estimated"
    if low > 0 or high < 0:
        return f"the {what} is unlikely to be chance alone"
    return f"the {what} could be chance"


def money(value: float) -> str:
    """£ amount in words-friendly precision: '£133.8 million', '£12,300', '-£4,000'."""
    if blank(value) or not math.isfinite(float(value)):
        return "not known"
    value = float(value)
    sign = "-" if value < 0 else ""
    if abs(value) >= 1e6:  # no false precision in sentences: "£133.8 million", not "£133,823,965"
        return f"{sign}£{abs(value) / 1e6:,.1f} million"
    if abs(value) >= 1e4:
        return f"{sign}£{round(abs(value), -2):,.0f}"
    return f"{sign}£{abs(value):,.0f}"


def count_phrase(count: Any, threshold: int, noun: str) -> str:
    """'120 users', or 'fewer than 10 users' when the count is small (never the small number)."""
    if blank(count):
        return f"an undisclosed number of {noun}s"
    number = int(count)
    if 0 < number < threshold:
        return f"fewer than {threshold} {noun}s"
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


_COUNTED = re.compile(r"\b(\d[\d,]*) (people|persons?|users?|non-users?|respondents?|responses?)\b")


def suppress_counts(text: str, threshold: int) -> str:
    """Text with every small count of people ('3 users') replaced by 'fewer than <threshold> users'."""

    def replace(match: re.Match[str]) -> str:
        number = int(match.group(1).replace(",", ""))
        if 0 < number < threshold:
            noun = match.group(2)
            plural = noun if noun.endswith(("s", "people")) else noun + "s"
            return f"fewer than {threshold} {plural}"
        return match.group(0)

    return _COUNTED.sub(replace, text)
