"""The dataset format's vocabulary and column names (issue 4, part 2).

Modes, asset kinds, sampling methods and the column names of ``responses.csv``,
``assets.csv`` and ``campaigns.csv``, item columns taken from the instrument definitions.
The lowest layer of `analysis`: it imports only `instruments` (and pandas, NumPy).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np
import pandas as pd

import instruments
from instruments import missing

# These mirror survey.models (ASSET_KINDS, MODES): analysis/ may not import the Flask app;
# tests/analysis checks that the two stay equal.
ASSET_KINDS = ("community_group", "individual", "place", "voluntary_org", "other")
MODES = ("online", "interview", "paper")
SIXWAYS_DIMENSIONS = ("connect", "be_active", "keep_learning", "take_notice", "give", "care")

META_COLUMNS = ("response_id", "community", "campaign", "mode", "verified", "submitted_at")
# Paradata (issue 13): how and when each response was collected, after the metadata. Optional in a
# file (older files load with blanks and every row complete); `analysis.paradata` types them.
PARADATA_COLUMNS = (
    "status",
    "started_at",
    "duration_seconds",
    "pages_saved",
    "resumed",
    "wave",
    "interviewer",
    "keyer",
    "second_keyer",
)
RESPONSE_STATUSES = ("complete", "partial")
DEMOGRAPHIC_COLUMNS = ("age_band", "gender", "employment", "years_in_area")
ASSET_COLUMNS = ("slug", "name", "kind", "community", "annual_cost")
# Optional columns added later (issue 10): older files without them still load, with blanks.
OPTIONAL_ASSET_COLUMNS = ("cost_year", "community_name")
CAMPAIGN_COLUMNS = ("campaign", "community", "population_size", "sampling_method")
OPTIONAL_CAMPAIGN_COLUMNS = ("population_source", "community_name")
# How the respondents were chosen decides whether users may be scaled to the population
# (shared/reference/valuation.md, "Who is counted"); other text is kept but not recognised.
SAMPLING_METHODS = ("random", "quota", "convenience")
# The largest population a campaign may say its sample represents: above any town, county or
# nation the platform could survey (the UK is about 68 million), so a larger figure is a typing
# slip, and one that would scale every asset's users and value by it.
POPULATION_SIZE_MAX = 100_000_000
# An asset slug becomes a variable name (`asset_<slug>`) in SPSS and Stata files; Stata stops at
# 32 characters, and len("asset_") + 26 = 32.
SLUG_PATTERN = re.compile(r"^[a-z0-9_]{1,26}$")

# Why an answer is missing (issue 13): one scheme for every export, after REDCap's missing-data codes.
# Each reason has a negative code (SPSS user-missing values, and CSV/xlsx when codes are chosen), a
# Stata extended missing value (.a, .b, ...) and a label; every one of them is missing to the scoring
# and the analysis. "dont_know" is reserved: no instrument offers "Don't know" yet.
# The codes themselves are instruments' (instruments/missing.py), which scores them as missing too.
MISSING_REASON_CODES = missing.MISSING_REASON_CODES
MISSING_REASON_LABELS = {
    "not_asked": "Not asked (routing, or the question or asset was not in that campaign)",
    "skipped": "Skipped (asked, left blank)",
    "multiple": "More than one answer (paper form)",
    "declined": "Prefer not to say",
    "dont_know": "Don't know",
}
STATA_MISSING = {"not_asked": "a", "skipped": "b", "multiple": "c", "declined": "d", "dont_know": "e"}
# The reasons the database stores on an answer (Answer.missing_reason); "not asked" is never stored
# but follows from the campaign's instruments and assets, and an asked item without an answer is skipped.
STORED_MISSING_REASONS = ("blank", "multiple", "declined")
REASON_OF_STORED = {"blank": "skipped", "multiple": "multiple", "declined": "declined"}


def missing_code_labels() -> dict[int, str]:
    """{negative code: label} of every missing-data code, in code order (-1 first)."""
    return {MISSING_REASON_CODES[reason]: label for reason, label in MISSING_REASON_LABELS.items()}


def blank_missing_codes(values: pd.Series) -> pd.Series:
    """`values` with the missing-data codes (-1 ... -5, as numbers or text) blanked: all are missing."""
    if values.dtype == np.float64 and not (values.to_numpy() < 0).any():
        # The database reader's answers, with no negative number: no code to look for (isin took
        # 25 times as long, on every item column of every chunk of a streamed export).
        return values
    if pd.api.types.is_numeric_dtype(values.dtype):  # the database's and pyreadstat's numbers: no text pass
        coded = values.isin(list(MISSING_REASON_CODES.values())).to_numpy(dtype=bool, na_value=False)
    else:
        text = values.astype(str).str.strip()
        negative = text.str.startswith("-").to_numpy(dtype=bool)
        if not negative.any():  # the usual file: one pass over the text
            return values
        codes = {str(code) for code in MISSING_REASON_CODES.values()}
        coded = negative & text.str.removesuffix(".0").isin(codes).to_numpy()
    return values.where(~coded, None) if coded.any() else values


def wemwbs_items() -> tuple[str, ...]:
    """The 14 WEMWBS item columns, in questionnaire order."""
    return instruments.get("wemwbs").item_keys


def swemwbs_items() -> tuple[str, ...]:
    """The 7 WEMWBS items that make up SWEMWBS."""
    return instruments.get("swemwbs").item_keys


def sixways_items() -> tuple[str, ...]:
    """The 12 six-ways item columns."""
    return instruments.get("sixways").item_keys


def ons4_items() -> tuple[str, ...]:
    """The 4 ONS personal well-being columns (0-10 each, no total), in questionnaire order."""
    return instruments.get("ons4").item_keys


def score_columns() -> tuple[str, ...]:
    """Score columns the scoring library adds, in its output order."""
    names: list[str] = []
    for key in ("wemwbs", "swemwbs", "sixways"):
        names.extend(instruments.get(key).score_names)
    return tuple(names)


def sixways_scores() -> tuple[str, ...]:
    """``sixways_<dimension>`` score columns."""
    return instruments.get("sixways").score_names


def kind_columns() -> tuple[str, ...]:
    """``assets_used_<kind>`` columns, in kind order."""
    return tuple(f"assets_used_{kind}" for kind in ASSET_KINDS)


def asset_column(slug: str) -> str:
    """Frequency-of-use column of an asset."""
    return f"asset_{slug}"


def asset_value_column(slug: str) -> str:
    """Importance column of an asset."""
    return f"asset_{slug}_value"


def response_columns(asset_slugs: Iterable[str]) -> list[str]:
    """Every column of ``responses.csv`` for these assets, in file order."""
    columns = [*META_COLUMNS, *PARADATA_COLUMNS, *DEMOGRAPHIC_COLUMNS, *ons4_items(), *wemwbs_items(), *sixways_items()]
    for slug in asset_slugs:
        columns += [asset_column(slug), asset_value_column(slug)]
    return columns + [*score_columns(), *kind_columns()]
