"""validate_codes (vectorised, whole columns) and Item.check (one answer)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from instruments import CodeError, get, validate_codes

WEMWBS = [f"wemwbs_{n}" for n in range(1, 15)]


def test_codes_written_as_whole_numbers_are_valid() -> None:
    df = pd.DataFrame({"wemwbs_5": ["3", "3.0", " 4 ", None, "1", "5"], "wemwbs_6": [3, 3.0, np.nan, 1, 2, 5]})
    errors = validate_codes(df)
    assert errors == [] and errors.total == 0 and not errors.truncated


# -1 ... -5 are the missing-data codes (instruments/missing.py): missing, not wrong; -6 is wrong.
@pytest.mark.parametrize("bad", ["6", "3.5", "x", "0", "", "nan", "-6", 6, 3.5, 0])
def test_bad_codes_are_reported_with_row_and_column(bad: object) -> None:
    df = pd.DataFrame({"id": ["a", "b", "c"], "wemwbs_5": ["1", "2", bad]}, index=[10, 20, 30], dtype=object)
    (error,) = validate_codes(df, [get("wemwbs")])
    assert error == CodeError(3, "wemwbs_5", str(bad), f'"{bad}" is not an allowed code (allowed: 1, 2, 3, 4, 5)')
    assert str(error) == f'row 3, column wemwbs_5: "{bad}" is not an allowed code (allowed: 1, 2, 3, 4, 5)'


def test_integer_items() -> None:
    df = pd.DataFrame({"years_in_area": ["0", "100", "5.0", "101", "2.5", "-6", "a", None, "-1"]})
    errors = validate_codes(df)
    assert [(e.row, e.message) for e in errors] == [
        (4, '"101" is outside the allowed range 0-100'),
        (5, '"2.5" is not a whole number'),
        (6, '"-6" is outside the allowed range 0-100'),
        (7, '"a" is not a whole number'),
    ]


def test_default_instruments_include_demographics_and_sixways() -> None:
    df = pd.DataFrame({"age_band": [8], "sixways_give_1": [0], "postcode_district": ["not checked here"]})
    assert [(e.column, e.value) for e in validate_codes(df)] == [("age_band", "8"), ("sixways_give_1", "0")]


def test_errors_are_capped_in_row_order_with_the_total() -> None:
    df = pd.DataFrame({"wemwbs_1": ["9"] * 100, "wemwbs_2": ["1", "7"] * 50})
    errors = validate_codes(df)
    assert len(errors) == 50 and errors.total == 150 and errors.truncated
    assert [(e.row, e.column) for e in errors[:4]] == [
        (1, "wemwbs_1"),
        (2, "wemwbs_1"),
        (2, "wemwbs_2"),
        (3, "wemwbs_1"),
    ]
    assert len(validate_codes(df, max_errors=None)) == 150


def test_the_one_bad_code_in_a_million_rows_of_text_is_found() -> None:
    """Its speed is bench/bench_validation.py's (against a bare NumPy check)."""
    rng = np.random.default_rng(1)
    codes = np.array(["1", "2", "3", "4", "5", ""], dtype=object)
    n = 1_000_000
    df = pd.DataFrame({column: codes[rng.integers(0, 5, n)] for column in WEMWBS})
    df.iloc[999_999, 4] = "6"
    errors = validate_codes(df, [get("wemwbs")])
    assert [(e.row, e.column) for e in errors] == [(1_000_000, "wemwbs_5")]


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("wemwbs_1", 3, None),
        ("wemwbs_1", "3.0", None),
        ("wemwbs_1", None, None),
        ("wemwbs_1", 6, '"6" is not an allowed code (allowed: 1, 2, 3, 4, 5)'),
        ("wemwbs_1", True, '"True" is not an allowed code (allowed: 1, 2, 3, 4, 5)'),
        ("years_in_area", "12", None),
        ("years_in_area", 12.5, '"12.5" is not a whole number'),
        ("years_in_area", 101, '"101" is outside the allowed range 0-100'),
        ("postcode_district", "CT16", None),
        ("postcode_district", "ME12", None),
        ("postcode_district", "BR8", None),
        ("postcode_district", "SW1A", None),
        ("postcode_district", "ct16", None),
        ("postcode_district", "CT16 9", "answer is longer than 4 characters"),
        ("postcode_district", "16CT", "pattern"),
        ("postcode_district", "C", "pattern"),
    ],
)
def test_item_check(key: str, value: object, message: str | None) -> None:
    instrument = get("demographics") if not key.startswith("wemwbs") else get("wemwbs")
    item = instrument.item(key)
    if message == "pattern":
        assert item.check(value) == item.pattern_message
    else:
        assert item.check(value) == message
    assert item.is_valid_code(value) is (message is None)
