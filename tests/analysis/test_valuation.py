"""Money value per asset, checked by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis import AnalysisConfig
from analysis.valuation import asset_value


def _inputs(population: float | None, method: str | None):
    effects = pd.DataFrame(
        [
            {
                "asset": "park",
                "kind": "place",
                "n_users": 40,
                "n": 95,
                "effect": 2.0,
                "se": 0.75,
                "ci_low": 0.5,
                "ci_high": 3.5,
                "p": 0.008,
                "p_adj": 0.02,
                "method": "ols_hc3",
                "warning": "",
            }
        ]
    )
    assets = pd.DataFrame(
        [{"slug": "park", "name": "Park", "kind": "place", "community": "town", "annual_cost": 100_000.0}]
    )
    responses = pd.DataFrame(
        {"community": ["town"] * 100, "campaign": ["town-2026"] * 100, "asset_park": [1] * 40 + [0] * 60}
    )
    campaigns = pd.DataFrame(
        {
            "campaign": ["town-2026"],
            "community": ["town"],
            "population_size": pd.array([population], dtype="Int64"),
            "sampling_method": [method],
        }
    )
    return effects, assets, responses, campaigns


def test_value_of_surveyed_users_by_hand() -> None:
    row = asset_value(*_inputs(None, None), AnalysisConfig()).iloc[0]
    # 2.0 WEMWBS points x 40 users x 0.13 LS points per WEMWBS point x GBP 13,000 per WELLBY
    assert row["value_central"] == pytest.approx(2.0 * 40 * 0.13 * 13_000)  # 135,200
    assert row["value_low"] == pytest.approx(0.5 * 40 * 0.13 * 10_000)  # 26,000
    assert row["value_high"] == pytest.approx(3.5 * 40 * 0.13 * 16_000)  # 291,200
    assert row["bcr_central"] == pytest.approx(135_200 / 100_000)
    assert row["users_valued"] == 40 and row["users_basis"].startswith("surveyed users only")
    assert row["significant"] == 1 and row["price_year"] == 2019
    assert "not causation" in row["caveat"] and "Deadweight" in row["caveat"]


def test_users_are_scaled_only_with_population_and_sampling_method() -> None:
    row = asset_value(*_inputs(5000, "Random sample of addresses"), AnalysisConfig()).iloc[0]
    # 40 of 100 asked use it: 40% of 5,000 residents = 2,000 users
    assert row["users_valued"] == pytest.approx(2000)
    assert row["value_central"] == pytest.approx(2.0 * 2000 * 0.13 * 13_000)  # 6,760,000
    assert "Random sample of addresses" in row["users_basis"]
    no_method = asset_value(*_inputs(5000, None), AnalysisConfig()).iloc[0]
    assert no_method["users_valued"] == 40


def test_deflator_and_negative_effects_are_not_hidden() -> None:
    effects, assets, responses, campaigns = _inputs(None, None)
    effects = effects.assign(effect=-1.0, ci_low=-2.5, ci_high=0.5, p_adj=0.3)
    config = AnalysisConfig(price_year=2024, deflator=1.2)
    row = asset_value(effects, assets, responses, campaigns, config).iloc[0]
    assert row["value_central"] == pytest.approx(-1.0 * 40 * 0.13 * 13_000 * 1.2)
    assert row["value_low"] == pytest.approx(-2.5 * 40 * 0.13 * 10_000 * 1.2)
    assert row["bcr_central"] < 0 and row["significant"] == 0
    assert row["wellby_central"] == pytest.approx(15_600)


def test_blank_effect_gives_a_warning_row() -> None:
    effects, assets, responses, campaigns = _inputs(None, None)
    effects = effects.assign(
        effect=math.nan,
        ci_low=math.nan,
        ci_high=math.nan,
        p=math.nan,
        p_adj=math.nan,
        warning="fewer than 10 users or non-users in the model",
    )
    row = asset_value(effects, assets, responses, campaigns, AnalysisConfig()).iloc[0]
    assert math.isnan(row["value_central"]) and "fewer than 10" in row["warning"]


def test_config_checks_its_values() -> None:
    with pytest.raises(ValueError, match="deflator"):
        AnalysisConfig(price_year=2024)
    with pytest.raises(ValueError, match="low <= central <= high"):
        AnalysisConfig(wellby_low=20_000)
    with pytest.raises(ValueError, match="disclosure_threshold"):
        AnalysisConfig(disclosure_threshold=-1)


def test_value_table_of_a_full_run(synthetic_result) -> None:
    values = synthetic_result.asset_value.set_index("asset")
    effects = synthetic_result.asset_effects.set_index("asset")
    assert list(synthetic_result.asset_value.columns[:7]) == [
        "asset",
        "n_users",
        "annual_cost",
        "value_low",
        "value_central",
        "value_high",
        "bcr_central",
    ]
    # north records a population (5,000, random sample); south does not.
    north = values.loc["north_park"]
    asked = synthetic_result.dataset.responses.query("community == 'north'")["asset_north_park"]
    share = (asked >= 1).sum() / asked.notna().sum()
    assert north["users_valued"] == pytest.approx(share * 5000)
    assert north["value_central"] == pytest.approx(effects.loc["north_park", "effect"] * share * 5000 * 0.13 * 13_000)
    assert values.loc["south_beach", "users_valued"] == effects.loc["south_beach", "n_users"]
    assert math.isnan(values.loc["north_bus", "bcr_central"])  # cost unknown
