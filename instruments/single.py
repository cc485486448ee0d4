"""Scoring one response held as a mapping, in plain Python.

The residents' thank-you page scores a single response; putting it in a one-row DataFrame for
`scoring.score` cost about 10 ms of CPU (pandas' per-column overhead, 26 columns), the dearest
part of a whole survey (bench/bench_load.py). The rules are those of `score` with complete cases,
which tests/test_scoring_single.py checks value for value.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np

from instruments.answers import quoted
from instruments.missing import MISSING_DATA_CODES
from instruments.model import Instrument, ScoringRule


def score_one(values: Mapping[str, int], instruments: Iterable[Instrument]) -> dict[str, float]:
    """The scores of one response whose numeric answers are `values` (item key -> code).

    As `score(pandas.DataFrame([values]), instruments)` with the missing ones left out: a rule with
    an item not in `values` is skipped, a missing-data code (-1 ... -5) makes its score missing, an
    answer that is not one of the item's codes raises ValueError.
    """
    scores: dict[str, float] = {}
    names: set[str] = set()
    for instrument in instruments:
        computed: dict[str, float | None] = {}
        for rule in instrument.scoring:
            if rule.method == "lookup":
                if rule.source not in computed:
                    continue
                result = _lookup(computed[rule.source], rule)
            else:
                if not all(key in values for key in rule.items):
                    continue
                result = _aggregate(instrument, rule, values)
            if rule.name in names:
                raise ValueError(f"two instruments define a score named {rule.name!r}")
            names.add(rule.name)
            computed[rule.name] = result
            if result is not None:
                scores[rule.name] = result
    return scores


def _aggregate(instrument: Instrument, rule: ScoringRule, values: Mapping[str, int]) -> float | None:
    total = 0.0  # added in item order in floating point, as `score` adds its columns
    for key in rule.items:
        value = values[key]
        if value in MISSING_DATA_CODES:
            return None  # complete cases: one missing item, no score
        item = instrument.item(key)
        if item.check(value) is not None:
            raise ValueError(f"column {key!r}, row 1: {quoted(value)} is not a valid answer")
        total += value
    if rule.method == "sum":
        return float(int(total))
    mean = total / len(rule.items)
    return float(np.round(mean, rule.decimals)) if rule.decimals is not None else mean


def _lookup(source: float | None, rule: ScoringRule) -> float | None:
    if rule.table is None:
        raise ValueError(f"{rule.name}: a lookup rule needs a table")
    if source is None:
        return None
    if not min(rule.table) <= source <= max(rule.table):
        raise ValueError(f"{rule.name}: raw total {source!r} is not in the table")
    if int(source) not in rule.table:
        return None  # a gap in the table: missing, as `score` reads it
    value = float(rule.table[int(source)])
    return float(np.round(value, rule.decimals)) if rule.decimals is not None else value
