"""Numbers in plain English for the report's sentences: signed values, differences, money, counts.

Counts of people under the disclosure threshold are never written as numbers, in any sentence.
"""

from __future__ import annotations

import math
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
    """£ amount to at most 3 significant figures above £10,000: '£134 million', '£2.1 million', '£610,000', '£12,300'.

    No false precision: a survey's value range spans a factor of several, so '£609,800' or '£133.8 million'
    claimed digits the evidence cannot give (numbers8 audit). Below £10,000 (costs, small values) to the pound.
    """
    if blank(value) or not math.isfinite(float(value)):
        return "not known"
    value = float(value)
    sign = "-" if value < 0 else ""
    size = abs(value)
    if size < 1e4:
        return f"{sign}£{size:,.0f}"
    if float(f"{size:.3g}") < 1e6:  # 999,600 rounds up to a million: '£1.0 million', not '£1,000,000'
        return f"{sign}£{float(f'{size:.3g}'):,.0f}"
    # Millions rounded once, from the value itself: rounding to 3 significant figures first made 4,054,229
    # read '£4.0 million' (4.05 to one decimal).
    millions = size / 1e6
    return f"{sign}£{millions:,.0f} million" if round(millions, 1) >= 100 else f"{sign}£{millions:,.1f} million"


def ratio(value: float) -> str:
    """A benefit-cost ratio to 2 significant figures: '0.35', '3.4', '670', '1,200' (its range spans a factor of
    several, so '670.6' claimed a precision the survey cannot give; numbers8 audit)."""
    if blank(value) or not math.isfinite(float(value)):
        return "not known"
    rounded = float(f"{float(value):.2g}")
    if abs(rounded) < 1:
        return f"{rounded:.2g}"
    return f"{rounded:.1f}" if abs(rounded) < 10 else f"{rounded:,.0f}"


def count_phrase(count: Any, threshold: int, noun: str) -> str:
    """'120 users', or 'fewer than 10 users' when the count is small (never the small number)."""
    if blank(count):
        return f"an undisclosed number of {noun}s"
    number = int(count)
    if 0 < number < threshold:
        return f"fewer than {threshold} {noun}s"
    return f"{number:,} {noun}{'' if number == 1 else 's'}"
