"""The report's value sentences say what the numbers are: the period a value covers, and a bridged outcome."""

from __future__ import annotations

import html
import re

import pandas as pd
import pytest

from analysis import AnalysisConfig
from analysis.adjustments import prepare_adjustments
from analysis.config import Deflators
from analysis.dataset import empty_campaigns
from analysis.report.ledger import period
from analysis.report.methods import price_sentence
from analysis.report.names import Names
from analysis.report.phrases import money, ratio
from analysis.report.value import value_sentence
from analysis.valuation import asset_value
from tests.analysis.valued import asset_row, valued_effect

NAMES = Names(communities={"town": "Town"}, assets={"park": "Park"}, asset_community={"park": "town"})


def _row(outcome: str = "life_satisfaction", years: str | None = None) -> dict:
    valued, assets = valued_effect(outcome=outcome), asset_row()
    responses = pd.DataFrame({"community": ["town"] * 100, "campaign": ["c"] * 100, "asset_park": [1] * 40 + [0] * 60})
    columns = ["asset", "deadweight", "attribution", "displacement", "drop_off", "years", "reason", "agreed_by"]
    agreed = [["park", "0.3", "0.2", "0.1", "0.5", years, "workshop", "Town workshop"]] if years else []
    adjustments = prepare_adjustments(pd.DataFrame(agreed, columns=columns))
    table, _ = asset_value(valued, assets, responses, empty_campaigns(), adjustments, AnalysisConfig())
    return table.iloc[0].to_dict()


def _text(row: dict) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", value_sentence(row, NAMES, 10)))


def test_a_value_over_several_agreed_years_is_not_called_a_year() -> None:
    row = _row(years="3")
    # Hand value: 0.26 x 40 users x GBP 13,000 x 0.7 x 0.9 x 0.8 x (1 + 0.5/1.015 + 0.25/1.015^2) = GBP 118,200
    # over three years (shown to 3 significant figures); its first year is GBP 68,100. The sentence used to say
    # "GBP 118,200 a year".
    assert row["value_central"] == pytest.approx(0.26 * 40 * 13_000 * 0.504 * (1 + 0.5 / 1.015 + 0.25 / 1.015**2))
    text = _text(row)
    assert "£118,000 over 3 years (present value" in text
    assert "£118,000 a year" not in text
    assert period(_row()) == "a year" and "£135,000 a year" in _text(_row())  # 0.26 x 40 x 13,000, gross


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


def test_the_sentence_names_the_runs_wellby_values() -> None:
    # The sentence said "a WELLBY worth £10,000 to £16,000" whatever the run's settings (numbers8 audit).
    valued, assets = valued_effect(outcome="life_satisfaction"), asset_row()
    responses = pd.DataFrame({"community": ["town"] * 100, "campaign": ["c"] * 100, "asset_park": [1] * 40 + [0] * 60})
    columns = ["asset", "deadweight", "attribution", "displacement", "drop_off", "years", "reason"]
    config = AnalysisConfig(wellby_low=8_000, wellby_central=12_000, wellby_high=20_000)
    table, _ = asset_value(
        valued, assets, responses, empty_campaigns(), prepare_adjustments(pd.DataFrame([], columns=columns)), config
    )
    row = table.iloc[0].to_dict()
    assert (row["wellby_low"], row["wellby_central"], row["wellby_high"]) == (8_000, 12_000, 20_000)
    assert row["value_central_wellby_high"] == pytest.approx(0.26 * 40 * 20_000)
    text = _text(row)
    assert "a WELLBY worth £8,000 to £20,000)" in text and "£10,000" not in text and "£16,000" not in text
    assert "a WELLBY worth £10,000 to £16,000)" in _text(_row())


def test_money_and_ratios_are_not_shown_more_precisely_than_a_survey_can_give() -> None:
    # A value range spans a factor of several: the ledger read "-£5.9 million to £609,800" and a ratio "670.6
    # (203.5 to 1161.8)" (numbers8 audit). At most 3 significant figures for money, 2 for a ratio.
    assert [money(v) for v in (609_800, -177_149, 118_200, 12_345, 9_999.4)] == [
        "£610,000",
        "-£177,000",
        "£118,000",
        "£12,300",
        "£9,999",
    ]
    assert [money(v) for v in (999_600, 2_149_000, -4_054_229, 99_960_000, 133_823_965)] == [
        "£1.0 million",
        "£2.1 million",
        "-£4.1 million",
        "£100 million",
        "£134 million",
    ]
    assert [ratio(v) for v in (670.6, 1161.8, 9.96, 3.44, 0.349)] == ["670", "1,200", "10", "3.4", "0.35"]


def test_a_ratio_sentence_is_rounded_and_says_it_is_not_a_cash_saving() -> None:
    valued, assets = valued_effect(outcome="life_satisfaction"), asset_row(annual_cost=2_000.0)
    responses = pd.DataFrame({"community": ["town"] * 100, "campaign": ["c"] * 100, "asset_park": [1] * 40 + [0] * 60})
    columns = ["asset", "deadweight", "attribution", "displacement", "drop_off", "years", "reason"]
    table, _ = asset_value(
        valued,
        assets,
        responses,
        empty_campaigns(),
        prepare_adjustments(pd.DataFrame([], columns=columns)),
        AnalysisConfig(),
    )
    row = table.iloc[0].to_dict()
    assert row["bcr_central"] == pytest.approx(0.26 * 40 * 13_000 / 2_000)  # 67.6
    text = _text(row)
    assert "each pound goes with £68 of wellbeing (range" in text and "67.6" not in text
    assert "a social value, not a cash saving" in text


def test_the_methods_say_the_price_year_and_what_converted_it() -> None:
    # With --deflator 1.2 --price-year 2024 the ledger is in 2024 prices, but the methods said values were "in
    # 2019 prices unless a deflator table with its source was given", and named no source (numbers8 audit).
    bare = price_sentence(AnalysisConfig(price_year=2024, deflator=1.2))
    assert bare.startswith("Values are in 2024 prices, converted from 2019 prices by a single deflator of 1.2")
    assert "without its source" in bare
    table = Deflators({2019: 100.0, 2024: 121.3}, "HM Treasury GDP deflators, March 2025")
    sourced = price_sentence(AnalysisConfig(price_year=2024, deflators=table))
    assert "2024 prices" in sourced and "(source: HM Treasury GDP deflators, March 2025)" in sourced
    assert price_sentence(AnalysisConfig()) == "Values are in 2019 prices (no deflator table was given)."


def test_a_suggestive_negative_association_is_said_to_be_possibly_selection() -> None:
    # valuation.md: a negative association may be selection (people who are struggling use the service), not
    # harm, "and say so". Only a clear one said it; a suggestive one had a negative money range and no word.
    valued = valued_effect(
        outcome="life_satisfaction", effect=-0.26, ci_low=-0.455, ci_high=-0.065, evidence="suggestive", p_adj=0.2
    )
    responses = pd.DataFrame({"community": ["town"] * 100, "campaign": ["c"] * 100, "asset_park": [1] * 40 + [0] * 60})
    columns = ["asset", "deadweight", "attribution", "displacement", "drop_off", "years", "reason"]
    table, _ = asset_value(
        valued,
        asset_row(),
        responses,
        empty_campaigns(),
        prepare_adjustments(pd.DataFrame([], columns=columns)),
        AnalysisConfig(),
    )
    row = table.iloc[0].to_dict()
    assert "people who are struggling use the service (selection), not harm" in row["caveat"]
    assert "may reflect that people who are struggling use the service, not harm done by it" in _text(row)
    assert "struggling" not in _text(_row()) and "selection" not in _row()["caveat"]


def test_the_value_and_tornado_charts_label_a_bridged_value_so() -> None:
    # valuation.md: a bridged figure is labelled "bridged" wherever used; the charts named the asset alone.
    from analysis.report.figures import tornado_figure, value_figure
    from analysis.value_ranges import SENSITIVITY_COLUMNS

    clear = pd.DataFrame(
        {
            "asset": ["park", "pier"],
            "name": ["Park", "Pier"],
            "community": ["town", "town"],
            "outcome": ["swemwbs_bridged", "life_satisfaction"],
            "value_low": [1e5, 2e5],
            "value_high": [3e5, 4e5],
            "value_central": [2e5, 3e5],
            "annual_cost": [1e4, None],
        }
    )
    names = Names({"town": "Town"}, {"park": "Park", "pier": "Pier"}, {"park": "town", "pier": "town"})
    ticks = [label.get_text() for label in value_figure(clear, names).axes[0].get_yticklabels()]
    assert ticks == ["Park (SWEMWBS, bridged)", "Pier"]
    tornado = pd.DataFrame(
        [["park", "Park", "wellby", "value of a WELLBY", 1e4, 1.6e4, 1.5e5, 2.5e5, 2e5]], columns=SENSITIVITY_COLUMNS
    )
    assert tornado_figure(tornado, clear, names).axes[0].get_title() == "Park (Town) (SWEMWBS, bridged)"
