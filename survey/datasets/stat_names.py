"""Variable names, display formats and code tables of the SPSS and Stata files (issue 13, point 3).

One renaming rule, the same in ``.sav`` and ``.dta``: every importance variable
``asset_<slug>_value`` becomes ``value_<slug>``, whatever its length, so ``value_*`` and
``asset_*`` are wildcards over all assets in both programs (Stata names stop at 32 characters,
and ``asset_`` + a 26-character slug + ``_value`` would not fit). Every other name is kept. The
codebook records each file's name (`stata_name`, `spss_name`); the import reverses the rule
(`dataset_name`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import pandas as pd

from analysis.columns import MODES, RESPONSE_STATUSES
from instruments.answers import quoted
from survey.datasets.sources import ExportError

STATA_NAME_MAX = 32
# Stata's rule (also valid in SPSS, whose limit is 64 bytes): a letter or underscore, then letters,
# digits or underscores.
VALID_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,31}$")
# mode, community, campaign and status are written as labelled numbers, not strings to `encode`.
CATEGORICAL = ("mode", "community", "campaign", "status")
# Their codes where the values are fixed: in this order, from 1 (the codebook states them).
FIXED_CODES = {"mode": MODES, "status": RESPONSE_STATUSES}


def stat_name(column: str) -> str:
    """The SPSS and Stata name of a dataset column."""
    if column.startswith("asset_") and column.endswith("_value"):
        return "value_" + column.removeprefix("asset_").removesuffix("_value")
    return column


def dataset_name(name: str) -> str:
    """The dataset column of an SPSS or Stata variable: `stat_name` reversed."""
    if name.startswith("value_"):
        return "asset_" + name.removeprefix("value_") + "_value"
    return name


def stata_names(columns: Iterable[str]) -> dict[str, str]:
    """{column: name} for every column renamed in ``.sav`` and ``.dta``; ExportError for a name no rule makes valid."""
    renamed: dict[str, str] = {}
    seen: set[str] = set()
    for column in columns:
        name = stat_name(column)
        if not VALID_NAME.match(name):
            raise ExportError(f"column {quoted(column)} has no valid Stata name (at most {STATA_NAME_MAX} characters)")
        if name in seen:
            raise ExportError(f"two columns would both be called {quoted(name)} in SPSS and Stata")
        seen.add(name)
        if name != column:
            renamed[column] = name
    return renamed


def category_codes(*frames: pd.DataFrame) -> dict[str, dict[str, int]]:
    """{column: {text: code}} of the `CATEGORICAL` columns: modes and statuses in their fixed order, slugs sorted.

    Made from every table of one export, so responses, assets and campaigns share the codes and still merge.
    """
    found: dict[str, set[str]] = {"community": set(), "campaign": set()}
    for frame in frames:
        for column, values in found.items():
            if column in frame:
                values.update(str(value) for value in frame[column].dropna())
    codes = {column: {text: code for code, text in enumerate(texts, start=1)} for column, texts in FIXED_CODES.items()}
    for column, values in found.items():
        codes[column] = {slug: code for code, slug in enumerate(sorted(values), start=1)}
    return codes


def encode_categories(frame: pd.DataFrame, codes: Mapping[str, Mapping[str, int]]) -> pd.DataFrame:
    """`frame` with its `CATEGORICAL` text replaced by their codes (float, blank stays NaN)."""
    out = frame.copy()
    for column in CATEGORICAL:
        if column in out:
            table = codes[column]
            unknown = sorted({str(v) for v in out[column].dropna()} - set(table))
            if unknown:  # a response of a campaign outside the table: a bug, not something to hide
                raise ExportError(f"{column} {quoted(unknown[0])} has no code in this export")
            out[column] = out[column].map(lambda text, table=table: table.get(str(text)) if pd.notna(text) else None)
            out[column] = out[column].astype("float64")
    return out


def digits(codes: Iterable[float]) -> int:
    """Characters the widest of `codes` needs (its sign included), at least 1."""
    return max((len(str(int(code))) for code in codes), default=1)
