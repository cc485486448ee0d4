"""Hand-computed scores, missing data, pro-rating, dtypes and column selection."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from instruments import get, instrument_from_dict, score

WEMWBS = [f"wemwbs_{n}" for n in range(1, 15)]
SWEMWBS = ["wemwbs_1", "wemwbs_2", "wemwbs_3", "wemwbs_6", "wemwbs_7", "wemwbs_9", "wemwbs_11"]
DIMENSIONS = ["connect", "be_active", "keep_learning", "take_notice", "give", "care"]
SIXWAYS = [f"sixways_{d}_{n}" for d in DIMENSIONS for n in (1, 2)]
# 5+4+3+2+1+5+4+3+2+1+5+4+3+2 = 44; SWEMWBS items 1,2,3,6,7,9,11 = 5+4+3+5+4+2+5 = 28 -> 25.03
EXAMPLE = [5, 4, 3, 2, 1, 5, 4, 3, 2, 1, 5, 4, 3, 2]


def wemwbs_frame(*rows: list[float | None], index: list[object] | None = None) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=WEMWBS, index=index)


def test_hand_computed_wemwbs_and_swemwbs() -> None:
    scores = score(wemwbs_frame(EXAMPLE, [3] * 14, [1] * 14, [5] * 14))
    assert list(scores.columns) == ["wemwbs", "swemwbs_raw", "swemwbs"]
    assert scores["wemwbs"].tolist() == [44, 42, 14, 70]
    assert scores["swemwbs_raw"].tolist() == [28, 21, 7, 35]
    assert scores["swemwbs"].tolist() == [25.03, 19.25, 7.00, 35.00]


def test_dtypes_and_index_are_kept() -> None:
    scores = score(wemwbs_frame(EXAMPLE, [3] * 14, index=["r1", "r2"]))
    assert scores.index.tolist() == ["r1", "r2"]
    assert str(scores["wemwbs"].dtype) == "Int64"
    assert str(scores["swemwbs_raw"].dtype) == "Int64"
    assert scores["swemwbs"].dtype == np.float64


def test_sixways_dimension_means() -> None:
    row = [4, 5, 1, 2, 3, 3, 5, 5, 1, 1, 2, 5]
    scores = score(pd.DataFrame([row], columns=SIXWAYS))
    assert scores.iloc[0].to_dict() == {
        "sixways_connect": 4.5,
        "sixways_be_active": 1.5,
        "sixways_keep_learning": 3.0,
        "sixways_take_notice": 5.0,
        "sixways_give": 1.0,
        "sixways_care": 3.5,
    }
    assert all(dtype == np.float64 for dtype in scores.dtypes)


def test_complete_cases_by_default() -> None:
    partial = list(EXAMPLE)
    partial[4] = None  # wemwbs_5 is not a SWEMWBS item
    scores = score(wemwbs_frame(partial, EXAMPLE))
    assert pd.isna(scores.loc[0, "wemwbs"])
    assert scores.loc[0, "swemwbs_raw"] == 28
    assert scores.loc[1, "wemwbs"] == 44
    partial[0] = None
    scores = score(wemwbs_frame(partial))
    assert scores.isna().all(axis=None)


def test_sixways_missing_item_gives_missing_dimension_only() -> None:
    row: list[float | None] = [4, None, 1, 2, 3, 3, 5, 5, 1, 1, 2, 5]
    scores = score(pd.DataFrame([row], columns=SIXWAYS))
    assert np.isnan(scores.loc[0, "sixways_connect"])
    assert scores.loc[0, "sixways_be_active"] == 1.5
    assert np.isnan(score(pd.DataFrame([row], columns=SIXWAYS), missing_rule="prorate").loc[0, "sixways_connect"])


def test_only_instruments_with_all_columns_are_scored() -> None:
    swemwbs_only = pd.DataFrame([[5, 4, 3, 5, 4, 2, 5]], columns=SWEMWBS)
    assert list(score(swemwbs_only).columns) == ["swemwbs_raw", "swemwbs"]
    connect_only = pd.DataFrame({"sixways_connect_1": [2], "sixways_connect_2": [3], "other": ["x"]})
    assert score(connect_only).to_dict("list") == {"sixways_connect": [2.5]}
    assert score(pd.DataFrame({"id": [1, 2]})).shape == (2, 0)


def test_explicit_instrument_list_and_order() -> None:
    df = pd.DataFrame([EXAMPLE + [3] * 12], columns=WEMWBS + SIXWAYS)
    assert list(score(df, [get("swemwbs")]).columns) == ["swemwbs_raw", "swemwbs"]
    assert list(score(df, [get("sixways"), get("wemwbs")]).columns)[-1] == "wemwbs"
    with pytest.raises(ValueError, match="two instruments define a score named 'wemwbs'"):
        score(df, [get("wemwbs"), get("wemwbs")])


@pytest.mark.parametrize(
    "convert",
    [
        lambda df: df,
        lambda df: df.astype("Int64"),
        lambda df: df.astype("float64"),
        lambda df: df.astype(object).where(df.notna(), None),
        lambda df: df.astype("Int64").astype(str).replace("<NA>", None),
        lambda df: df.astype("Float64").astype(str).replace("<NA>", None),  # "3.0"
    ],
    ids=["float-nan", "Int64", "float64", "object-None", "str", "str-3.0"],
)
def test_input_dtypes_give_the_same_scores(convert: object) -> None:
    partial: list[float | None] = list(EXAMPLE)
    partial[13] = None
    df = wemwbs_frame(EXAMPLE, partial, [1] * 14)
    expected = score(df)
    got = score(convert(df))  # type: ignore[operator]
    pd.testing.assert_frame_equal(got, expected)


def test_empty_frame() -> None:
    scores = score(wemwbs_frame())
    assert list(scores.columns) == ["wemwbs", "swemwbs_raw", "swemwbs"] and len(scores) == 0


@pytest.mark.parametrize("bad", [6, 0, 3.5, "x", "nan", float("inf")])
def test_invalid_values_raise_value_error(bad: object) -> None:
    df = wemwbs_frame(EXAMPLE, EXAMPLE).astype(object)
    df.loc[1, "wemwbs_5"] = bad
    with pytest.raises(ValueError, match=r"column 'wemwbs_5', row 2: .* validate_codes"):
        score(df)


def test_true_false_column_is_not_codes() -> None:
    df = wemwbs_frame(EXAMPLE).astype(object)
    df["wemwbs_5"] = pd.Series([True], dtype=bool)
    with pytest.raises(ValueError, match=r"column 'wemwbs_5', row 1"):
        score(df)


def test_unknown_missing_rule() -> None:
    with pytest.raises(ValueError, match="missing_rule must be one of complete_cases, prorate"):
        score(wemwbs_frame(EXAMPLE), missing_rule="impute")


# --- pro-rating (the project's own, non-standard rule) -------------------------------------------


def test_prorate_wemwbs_rounds_half_up() -> None:
    one_missing: list[float | None] = list(EXAMPLE)
    one_missing[4] = None  # 13 answered, sum 43: 43 * 14 / 13 = 46.31 -> 46
    # 12 answered, sum 33: 33 * 14 / 12 = 38.5 -> 39 (round half to even would give 38)
    two_missing: list[float | None] = [3] * 9 + [2, 2, 2, None, None]
    three_missing: list[float | None] = [None, None, None] + [5] * 11
    df = wemwbs_frame(one_missing, two_missing, three_missing, EXAMPLE)
    prorated = score(df, [get("wemwbs")], missing_rule="prorate")["wemwbs"]
    assert prorated.tolist()[:2] == [46, 39]
    assert pd.isna(prorated[2])
    assert prorated[3] == 44  # complete rows are unchanged
    assert str(prorated.dtype) == "Int64"
    assert score(df, [get("wemwbs")])["wemwbs"].isna().tolist() == [True, True, True, False]


def test_prorate_swemwbs_gives_a_whole_raw_total_for_the_table() -> None:
    # 6 answered, sum 21: 21 * 7 / 6 = 24.5 -> 25 -> 22.35; two missing -> no score
    df = pd.DataFrame([[3, 3, 4, 4, 4, 3, None], [3, 3, 4, 4, 4, None, None]], columns=SWEMWBS)
    scores = score(df, missing_rule="prorate")
    assert scores["swemwbs_raw"].tolist()[0] == 25
    assert scores.loc[0, "swemwbs"] == 22.35
    assert pd.isna(scores.loc[1, "swemwbs_raw"]) and np.isnan(scores.loc[1, "swemwbs"])


def test_prorate_means_use_available_items_when_a_limit_is_set() -> None:
    snapshot = get("sixways").to_dict()
    snapshot["missing"]["prorate_max_missing"] = {"sixways_connect": 1}
    sixways = instrument_from_dict(snapshot)
    df = pd.DataFrame({"sixways_connect_1": [4, None, None], "sixways_connect_2": [None, 2, None]})
    assert score(df, [sixways], missing_rule="prorate")["sixways_connect"].tolist()[:2] == [4.0, 2.0]
    assert np.isnan(score(df, [sixways], missing_rule="prorate").loc[2, "sixways_connect"])
    assert score(df, [sixways])["sixways_connect"].isna().all()
