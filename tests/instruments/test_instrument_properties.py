"""Property tests: ranges, monotonicity and complete-case missing data, for any valid responses."""

from __future__ import annotations

from fractions import Fraction

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from instruments import get, score

WEMWBS = [f"wemwbs_{n}" for n in range(1, 15)]
DIMENSIONS = ["connect", "be_active", "keep_learning", "take_notice", "give", "care"]
SIXWAYS = [f"sixways_{d}_{n}" for d in DIMENSIONS for n in (1, 2)]
COLUMNS = WEMWBS + SIXWAYS
SWEMWBS = ["wemwbs_1", "wemwbs_2", "wemwbs_3", "wemwbs_6", "wemwbs_7", "wemwbs_9", "wemwbs_11"]
# Which item columns each score reads.
SCORE_ITEMS = {
    "wemwbs": WEMWBS,
    "swemwbs_raw": SWEMWBS,
    "swemwbs": SWEMWBS,
    **{f"sixways_{d}": [f"sixways_{d}_1", f"sixways_{d}_2"] for d in DIMENSIONS},
}
RANGES = {"wemwbs": (14, 70), "swemwbs_raw": (7, 35), "swemwbs": (7, 35)} | {f"sixways_{d}": (1, 5) for d in DIMENSIONS}

PROFILE = settings.get_profile("instruments")
rows = st.lists(st.integers(1, 5), min_size=len(COLUMNS), max_size=len(COLUMNS))


@PROFILE
@given(st.lists(rows, min_size=1, max_size=30))
def test_complete_responses_score_within_range(data: list[list[int]]) -> None:
    df = pd.DataFrame(data, columns=COLUMNS)
    scores = score(df)
    assert list(scores.columns) == list(RANGES)
    assert not scores.isna().any(axis=None)
    for name, (low, high) in RANGES.items():
        assert scores[name].between(low, high).all(), name
    assert (scores["wemwbs"] == df[WEMWBS].sum(axis=1)).all()
    assert (scores["swemwbs_raw"] == df[SWEMWBS].sum(axis=1)).all()


@PROFILE
@given(rows, st.sampled_from(COLUMNS), st.integers(1, 4))
def test_raising_an_item_never_lowers_a_score(row: list[int], column: str, rise: int) -> None:
    before = dict(zip(COLUMNS, row, strict=True))
    after = before | {column: min(5, before[column] + rise)}
    scores = score(pd.DataFrame([before, after]))
    for name in RANGES:
        assert scores.loc[1, name] >= scores.loc[0, name], name
        if column not in SCORE_ITEMS[name]:
            assert scores.loc[1, name] == scores.loc[0, name], name


@PROFILE
@given(rows, st.sets(st.sampled_from(COLUMNS), min_size=1))
def test_any_missing_item_gives_a_missing_score(row: list[int], missing: set[str]) -> None:
    answers: dict[str, int | None] = dict(zip(COLUMNS, row, strict=True))
    answers |= dict.fromkeys(missing)
    scores = score(pd.DataFrame([answers]))
    for name, items in SCORE_ITEMS.items():
        assert pd.isna(scores.loc[0, name]) == bool(missing & set(items)), name


@PROFILE
@given(st.lists(st.integers(1, 5), min_size=14, max_size=14), st.sets(st.sampled_from(WEMWBS), max_size=4))
def test_prorated_wemwbs_is_the_rounded_scaled_mean(row: list[int], missing: set[str]) -> None:
    answers: dict[str, int | None] = dict(zip(WEMWBS, row, strict=True)) | dict.fromkeys(missing)
    prorated = score(pd.DataFrame([answers]), [get("wemwbs")], missing_rule="prorate").loc[0, "wemwbs"]
    answered = [value for value in answers.values() if value is not None]
    if len(missing) > 2:
        assert pd.isna(prorated)
    else:
        exact = Fraction(sum(answered) * 14, len(answered))
        assert prorated == int(exact + Fraction(1, 2))  # round half up; exact is positive
        assert 14 <= prorated <= 70
