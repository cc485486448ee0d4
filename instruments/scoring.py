"""Vectorised scoring of item responses held in a DataFrame (one row per response)."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import numpy.typing as npt
import pandas as pd

from instruments import answers
from instruments.loader import catalogue, get
from instruments.model import Instrument, Item, ScoringRule

DEFAULT_SCORED = ("wemwbs", "swemwbs", "sixways")  # output order; any other scored instrument follows
MISSING_RULES = ("complete_cases", "prorate")

FloatArray = npt.NDArray[np.float64]


def score(
    df: pd.DataFrame,
    instruments: Iterable[Instrument] | None = None,
    *,
    missing_rule: str = "complete_cases",
) -> pd.DataFrame:
    """Compute every scoring rule whose item columns are all in `df`; return only the score columns.

    Parameters
    ----------
    df
        One row per response; item columns named by item key, holding numbers (any numeric
        dtype, or object/str dtype holding numbers) with NA/None/NaN for a missing answer. Values
        must already be valid codes (see `validate_codes`); an invalid one raises ValueError.
    instruments
        Instruments to score, in output order. Default: `scored_instruments()` (WEMWBS, SWEMWBS
        and six ways). Rules run in order, so a lookup reads the score computed just before it; a
        rule whose columns are not all present is skipped (so is a lookup whose source was).
    missing_rule
        ``"complete_cases"`` (default; the only rule used by other scoring code): any missing
        item makes that score missing. ``"prorate"`` is the project's own, NON-STANDARD rule (no
        official rule exists): a score with at most ``instrument.missing.prorate_max_missing[name]``
        items missing is computed from the answered items: a sum becomes
        round_half_up(mean of answered items x number of items), a whole number, so a lookup
        table (SWEMWBS) can still be applied; a mean is the mean of the answered items. Scores
        with no limit set stay complete cases. Record in any output that this rule was used.

    Returns
    -------
    pandas.DataFrame
        Same index as `df`. Sums are nullable ``Int64``; means and lookups are ``float64``
        (NaN when missing), rounded to the rule's ``decimals`` if it has them.
    """
    if missing_rule not in MISSING_RULES:
        raise ValueError(f"missing_rule must be one of {', '.join(MISSING_RULES)}, not {missing_rule!r}")
    chosen = scored_instruments() if instruments is None else list(instruments)
    columns: dict[Item, npt.NDArray[np.float64]] = {}  # each column converted and checked once
    scores: dict[str, pd.Series] = {}
    for instrument in chosen:
        computed: dict[str, pd.Series] = {}
        for rule in instrument.scoring:
            if rule.method == "lookup":
                if rule.source not in computed:
                    continue
                result = _lookup(computed[rule.source], rule)
            else:
                if not all(key in df.columns for key in rule.items):
                    continue
                for key in rule.items:
                    item = instrument.item(key)
                    if item not in columns:
                        columns[item] = _item_values(df, item)
                limit = instrument.missing.prorate_max_missing.get(rule.name, 0) if missing_rule == "prorate" else 0
                result = _aggregate([columns[instrument.item(key)] for key in rule.items], rule, limit, df.index)
            if rule.name in scores:
                raise ValueError(f"two instruments define a score named {rule.name!r}")
            computed[rule.name] = scores[rule.name] = result
    return pd.DataFrame(scores, index=df.index)


def scored_instruments() -> list[Instrument]:
    """Catalogue instruments that have scoring rules: WEMWBS, SWEMWBS, six ways, then any others."""
    others = sorted(key for key, inst in catalogue().items() if inst.scoring and key not in DEFAULT_SCORED)
    return [get(key) for key in (*DEFAULT_SCORED, *others)]


def _item_values(df: pd.DataFrame, item: Item) -> npt.NDArray[np.float64]:
    """One item column as float64 with NaN for missing; ValueError if any value is not allowed."""
    column = df[item.key]
    if isinstance(column, pd.DataFrame):
        raise ValueError(f"column {item.key!r} appears more than once")
    values, present = answers.numeric_values(column)
    bad = present & ~item.allowed_mask(values)
    if bad.any():
        row = int(np.argmax(bad))
        raise ValueError(
            f"column {item.key!r}, row {row + 1}: {answers.quoted(column.iloc[row])} is not a valid answer; "
            "check the data with validate_codes()"
        )
    return values


def _aggregate(columns: list[FloatArray], rule: ScoringRule, limit: int, index: pd.Index) -> pd.Series:
    """Sum (Int64) or mean (float64) across the item `columns` under a missing-item limit.

    Column by column on contiguous arrays rather than across the rows of a stacked matrix: the
    stacking copy and the strided row reductions cost three times the arithmetic itself.
    """
    n_items = len(columns)
    answered = np.zeros(len(index), dtype=np.int64)
    totals = np.zeros(len(index), dtype=np.float64)
    for column in columns:
        present = ~np.isnan(column)
        answered += present
        np.add(totals, column, out=totals, where=present)
    scorable = answered >= max(n_items - limit, 1)
    if rule.method == "sum":
        whole = totals.astype(np.int64)  # codes were checked to be whole numbers
        denominator = np.maximum(answered, 1)
        # round_half_up(total * n / answered) in exact integer arithmetic (floats can turn .5 into .4999)
        prorated = (2 * whole * n_items + denominator) // (2 * denominator)
        return pd.Series(pd.arrays.IntegerArray(prorated.astype(np.int64), ~scorable), index=index, name=rule.name)
    means = np.divide(totals, answered, out=np.full(len(totals), np.nan), where=scorable)
    if rule.decimals is not None:
        means = np.round(means, rule.decimals)
    return pd.Series(means, index=index, name=rule.name, dtype="float64")


def _lookup(source: pd.Series, rule: ScoringRule) -> pd.Series:
    """Map whole-number totals through the rule's table; missing stays missing (NaN)."""
    if rule.table is None:
        raise ValueError(f"{rule.name}: a lookup rule needs a table")
    table = rule.table
    low, high = min(table), max(table)
    values = np.full(high - low + 1, np.nan)
    for raw, value in table.items():  # loops over the ~30 table entries, not over rows
        values[raw - low] = value
    missing = source.isna().to_numpy()
    raw_totals = source.to_numpy(dtype="float64", na_value=np.nan)
    outside = ~missing & ((raw_totals < low) | (raw_totals > high))
    if outside.any():
        raise ValueError(f"{rule.name}: raw total {raw_totals[np.argmax(outside)]!r} is not in the table")
    positions = np.where(missing, 0, raw_totals - low).astype(np.int64)
    result = np.where(missing, np.nan, values[positions])
    if rule.decimals is not None:
        result = np.round(result, rule.decimals)
    return pd.Series(result, index=source.index, name=rule.name, dtype="float64")
