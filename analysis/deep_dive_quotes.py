"""What deep-dive interviews said about the assets, as two tidy tables checked and attached to a result.

The app counts the coded excerpts of each asset (every interview, whatever its consents) and picks
the first few quotes of participants who agreed to quotation. Counts are written as
``deep_dive_counts.csv``; the quotes' text reaches the report's HTML only, never a table file, and
names no one: a participant is a pseudonymous code. Without these tables the analysis is unchanged.
"""

from __future__ import annotations

import dataclasses
from typing import TypeVar

import pandas as pd

from analysis.result import AnalysisTables

DEEP_DIVE_COUNT_COLUMNS = ("community", "asset", "excerpts", "interviews", "quotable")
DEEP_DIVE_QUOTE_COLUMNS = ("community", "asset", "participant", "held_on", "text", "synthetic")
REPORT_QUOTES = 2  # quotes per asset in the report: a short section, not an anthology

Result = TypeVar("Result", bound=AnalysisTables)


def _text(frame: pd.DataFrame, columns: tuple[str, ...], table: str) -> None:
    for column in columns:
        text = frame[column].astype("string").str.strip()
        if text.isna().any() or (text == "").any():
            raise ValueError(f"{table}: {column} is blank in some rows")
        frame[column] = text.astype(str)


def _columns(frame: pd.DataFrame, columns: tuple[str, ...], table: str) -> pd.DataFrame:
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ValueError(f"{table}: missing column(s) {', '.join(missing)}")
    return frame.loc[:, list(columns)].reset_index(drop=True).copy()


def check_deep_dive_counts(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with the columns of ``DEEP_DIVE_COUNT_COLUMNS`` in that order, one row per asset, by community and asset.

    Raises ValueError naming the problem: a missing column, a blank name, a count that is not a
    whole number from 0, more interviews than excerpts, more quotable excerpts than excerpts, or
    an asset twice.
    """
    out = _columns(frame, DEEP_DIVE_COUNT_COLUMNS, "deep-dive counts")
    _text(out, ("community", "asset"), "deep-dive counts")
    for column in ("excerpts", "interviews", "quotable"):
        numbers = pd.to_numeric(out[column], errors="coerce")
        if numbers.isna().any() or (numbers < 0).any() or (numbers != numbers.round()).any():
            raise ValueError(f"deep-dive counts: {column} must be a whole number, 0 or more")
        out[column] = numbers.astype("int64")
    if (out["interviews"] > out["excerpts"]).any():
        raise ValueError("deep-dive counts: more interviews than excerpts (each interview counted codes one)")
    if (out["quotable"] > out["excerpts"]).any():
        raise ValueError("deep-dive counts: more quotable excerpts than excerpts")
    if out.duplicated(["community", "asset"]).any():
        raise ValueError("deep-dive counts: more than one row for the same asset")
    return out.sort_values(["community", "asset"], kind="stable").reset_index(drop=True)


def check_deep_dive_quotes(frame: pd.DataFrame, counts: pd.DataFrame) -> pd.DataFrame:
    """`frame` with the columns of ``DEEP_DIVE_QUOTE_COLUMNS``, grouped by community and asset, each
    asset's quotes in the order given (the app's: date, interview, place in the transcript).

    Raises ValueError for a missing column, a blank value, a date not YYYY-MM-DD, ``synthetic`` not
    true or false, a quote
    of an asset the checked `counts` do not list, or more quotes than its quotable excerpts.
    """
    out = _columns(frame, DEEP_DIVE_QUOTE_COLUMNS, "deep-dive quotes")
    _text(out, ("community", "asset", "participant", "held_on", "text"), "deep-dive quotes")
    if pd.to_datetime(out["held_on"], format="%Y-%m-%d", errors="coerce").isna().any():
        raise ValueError("deep-dive quotes: held_on must be a date, YYYY-MM-DD")
    if not out["synthetic"].isin([True, False]).all():
        raise ValueError("deep-dive quotes: synthetic must be true or false")
    out["synthetic"] = out["synthetic"].astype(bool)
    quotable = counts.set_index(["community", "asset"])["quotable"]
    shown = out.groupby(["community", "asset"]).size()
    unknown = shown.index.difference(quotable.index)
    if len(unknown):
        raise ValueError(f"deep-dive quotes: no counts for {', '.join(asset for _, asset in unknown)}")
    if (shown > quotable.reindex(shown.index)).any():
        raise ValueError("deep-dive quotes: more quotes of an asset than its quotable excerpts")
    return out.sort_values(["community", "asset"], kind="stable").reset_index(drop=True)


def with_deep_dive_quotes(result: Result, counts: pd.DataFrame | None, quotes: pd.DataFrame | None = None) -> Result:
    """`result` carrying the checked counts (written as ``deep_dive_counts.csv``) and quotes (shown by the
    report's "What people said" section, never written as a table); `result` itself when `counts` is
    None or empty."""
    if counts is None or len(counts) == 0:
        return result
    checked = check_deep_dive_counts(counts)
    frame = pd.DataFrame(columns=list(DEEP_DIVE_QUOTE_COLUMNS)) if quotes is None else quotes
    return dataclasses.replace(
        result, deep_dive_counts=checked, deep_dive_quotes=check_deep_dive_quotes(frame, checked)
    )
