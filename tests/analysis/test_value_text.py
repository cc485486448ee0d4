"""The report's value sentences say what the numbers are: the period a value covers, and a bridged outcome."""

from __future__ import annotations

import html
import re

import pandas as pd
import pytest

from analysis import AnalysisConfig
from analysis.adjustments import prepare_adjustments
from analysis.dataset import empty_campaigns
from analysis.report.names import Names
from analysis.report.value import period, value_sentence
from analysis.valuation import asset_value
from tests.analysis.valued import asset_row, valued_effect

NAMES = Names(communities={"town": "Town"}, assets={"park": "Park"}, asset_community={"park": "town"})


def _row(outcome: str = "life_satisfaction", years: str | None = None) -> dict:
    valued, assets = valued_effect(outcome=outcome), asset_row()
    responses = pd.DataFrame({"community": ["town"] * 100, "campaign": ["c"] * 100, "asset_park": [1] * 40 + [0] * 60})
    columns = ["asset", "deadweight", "attribution", "displacement", "drop_off", "years", "reason"]
    agreed = [["park", "0.3", "0.2", "0.1", "0.5", years, "workshop"]] if years else []
    adjustments = prepare_adjustments(pd.DataFrame(agreed, columns=columns))
    table, _ = asset_value(valued, assets, responses, empty_campaigns(), adjustments, AnalysisConfig())
    return table.iloc[0].to_dict()


def _text(row: dict) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", value_sentence(row, NAMES, 10)))


def test_a_value_over_several_agreed_years_is_not_called_a_year() -> None:
    row = _row(years="3")
    # Hand value: 0.26 x 40 users x GBP 13,000 x 0.7 x 0.9 x 0.8 x (1 + 0.5/1.015 + 0.25/1.015^2) = GBP 118,200
    # over three years; its first year is GBP 68,100. The sentence used to say "GBP 118,200 a year".
    assert row["value_central"] == pytest.approx(0.26 * 40 * 13_000 * 0.504 * (1 + 0.5 / 1.015 + 0.25 / 1.015**2))
    text = _text(row)
    assert "£118,200 over 3 years (present value" in text
    assert "£118,200 a year" not in text
    assert period(_row()) == "a year" and "£135,200 a year" in _text(_row())  # 0.26 x 40 x 13,000, gross


def test_a_bridged_effect_is_not_called_reported_life_satisfaction() -> None:
    text = _text(_row(outcome="wemwbs_bridged"))
    assert "on WEMWBS bridged to life satisfaction" in text
    assert "report life satisfaction" not in text
    assert "users report life satisfaction 0.26 life-satisfaction points higher than non-users" in _text(_row())


def test_the_wellby_values_are_named_as_2019_prices_in_another_price_year() -> None:
    # With a deflator to 2024 the figures are 2024 pounds, computed from HM Treasury's GBP 10,000-16,000
    # in 2019 prices; the sentence named those values with no year, as if they were 2024's.
    valued, assets = valued_effect(outcome="life_satisfaction"), asset_row(cost_year=2024)
    responses = pd.DataFrame({"community": ["town"] * 100, "campaign": ["c"] * 100, "asset_park": [1] * 40 + [0] * 60})
    columns = ["asset", "deadweight", "attribution", "displacement", "drop_off", "years", "reason"]
    config = AnalysisConfig(price_year=2024, deflator=1.2)
    table, _ = asset_value(
        valued, assets, responses, empty_campaigns(), prepare_adjustments(pd.DataFrame([], columns=columns)), config
    )
    row = table.iloc[0].to_dict()
    assert row["value_central_wellby_low"] == pytest.approx(0.26 * 40 * 10_000 * 1.2)
    assert "a WELLBY worth £10,000 to £16,000 in 2019 prices" in _text(row)
    assert "in 2019 prices" not in _text(_row())  # 2019 money needs no note
