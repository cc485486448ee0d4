"""Descriptives: t-based intervals checked by hand, suppression, bands and the England norm."""

from __future__ import annotations

import math
import statistics

import pandas as pd
import pytest

from analysis import AnalysisConfig, Dataset
from analysis.descriptives import descriptives, measure_label, measures, norm_comparison, wemwbs_bands
from tests.analysis.synthetic import split_total

T_975_DF9 = 2.262157  # Student's t, 0.975 quantile, 9 degrees of freedom (printed tables)


def _dataset_with_totals(totals: dict[str, list[int]], gender: int = 2) -> Dataset:
    import numpy as np

    rows = []
    rng = np.random.default_rng(0)
    for community, values in totals.items():
        items = split_total(np.asarray(values), rng)
        for index, row in enumerate(items):
            record = {
                "response_id": f"{community}-{index}",
                "community": community,
                "campaign": community,
                "mode": "online",
                "verified": 1,
                "submitted_at": "2026-01-01T00:00:00Z",
                "age_band": 2,
                "gender": gender,
                "employment": 1,
                "years_in_area": 3,
            }
            record.update({f"wemwbs_{n + 1}": int(code) for n, code in enumerate(row)})
            rows.append(record)
    assets = pd.DataFrame(columns=["slug", "name", "kind", "community", "annual_cost"])
    return Dataset.from_frames(pd.DataFrame(rows), assets)


def test_t_interval_by_hand() -> None:
    values = [40, 42, 45, 47, 50, 51, 53, 55, 58, 60]
    data = _dataset_with_totals({"ten": values, "nine": values[:9]})
    table = descriptives(data.responses, AnalysisConfig())
    row = table[(table["group"] == "ten") & (table["measure"] == "wemwbs")].iloc[0]
    mean, sd = statistics.mean(values), statistics.stdev(values)
    half = T_975_DF9 * sd / math.sqrt(10)
    assert row["n"] == 10 and row["suppressed"] == 0
    assert row["mean"] == pytest.approx(mean) and row["sd"] == pytest.approx(sd)
    assert row["ci_low"] == pytest.approx(mean - half, abs=1e-5)
    assert row["ci_high"] == pytest.approx(mean + half, abs=1e-5)


def test_groups_under_the_threshold_are_suppressed() -> None:
    values = [40, 42, 45, 47, 50, 51, 53, 55, 58, 60]
    data = _dataset_with_totals({"ten": values, "nine": values[:9]})
    table = descriptives(data.responses, AnalysisConfig())
    nine = table[(table["group"] == "nine") & (table["measure"] == "wemwbs")].iloc[0]
    assert nine["n"] == 9 and nine["suppressed"] == 1
    assert nine[["mean", "sd", "ci_low", "ci_high"]].isna().all()
    lower = descriptives(data.responses, AnalysisConfig(disclosure_threshold=5))
    assert lower[(lower["group"] == "nine") & (lower["measure"] == "wemwbs")]["suppressed"].item() == 0
    bands = wemwbs_bands(data.responses, AnalysisConfig())
    assert bands.loc[bands["group"] == "nine", "share"].isna().all()
    assert bands.loc[bands["group"] == "ten", "count"].tolist() == [1, 1, 7, 1]  # 40 | 42 | 45..58 | 60


def test_descriptives_layout(synthetic_result) -> None:
    table = synthetic_result.descriptives
    assert list(table.columns) == [
        "group_type",
        "group",
        "measure",
        "n",
        "mean",
        "sd",
        "ci_low",
        "ci_high",
        "suppressed",
    ]
    assert list(dict.fromkeys(table["group_type"])) == [
        "overall",
        "community",
        "mode",
        "age_band",
        "gender",
        "employment",
    ]
    assert set(table["measure"]) == {
        "wemwbs",
        "swemwbs",
        "ons_life_satisfaction",
        "ons_worthwhile",
        "ons_happy",
        "ons_anxious",
        "sixways_connect",
        "sixways_be_active",
        "sixways_keep_learning",
        "sixways_take_notice",
        "sixways_give",
        "sixways_care",
    }
    assert "not answered" in set(table.loc[table["group_type"] == "gender", "group"])
    assert "16-24" in set(table["group"])  # codes are shown by their labels


def test_ons_questions_are_described_like_the_other_measures() -> None:
    values = [40, 42, 45, 47, 50, 51, 53, 55, 58, 60]
    data = _dataset_with_totals({"ten": values, "eleven": [*values, 50]})
    frame = data.responses.copy()
    satisfaction = [0, 3, 5, 6, 7, 7, 8, 8, 9, 10]
    frame["ons_life_satisfaction"] = pd.array(satisfaction + [pd.NA] * 11, dtype="Int64")  # "eleven": not asked
    frame["ons_anxious"] = pd.array([2] * 10 + [9] * 11, dtype="Int64")
    table = descriptives(frame, AnalysisConfig()).set_index(["group", "measure"])
    ten = table.loc[("ten", "ons_life_satisfaction")]
    assert ten["n"] == 10 and ten["suppressed"] == 0
    assert ten["mean"] == pytest.approx(statistics.mean(satisfaction))
    assert ten["sd"] == pytest.approx(statistics.stdev(satisfaction))
    half = T_975_DF9 * statistics.stdev(satisfaction) / math.sqrt(10)
    assert ten["ci_low"] == pytest.approx(statistics.mean(satisfaction) - half, abs=1e-5)
    eleven = table.loc[("eleven", "ons_life_satisfaction")]
    assert eleven["n"] == 0 and eleven["suppressed"] == 1  # complete cases: not asked is not counted
    assert table.loc[("eleven", "ons_anxious"), "mean"] == pytest.approx(9)
    assert table.loc[("overall", "ons_worthwhile"), "n"] == 0  # never answered: listed with n = 0
    assert "higher = more anxious" in measure_label("ons_anxious")
    assert all(measure_label(name) != name for name in measures())


def test_norm_difference_uses_each_persons_gender_norm() -> None:
    values = [50] * 12
    men = _dataset_with_totals({"men": values}, gender=2)
    women = _dataset_with_totals({"women": values}, gender=1)
    config = AnalysisConfig()
    assert norm_comparison(men.responses, config).iloc[0]["difference"] == pytest.approx(50 - 50.1)
    assert norm_comparison(women.responses, config).iloc[0]["difference"] == pytest.approx(50 - 49.6)
    other = AnalysisConfig(norm_men=52.5, norm_women=52.2, norm_source="HSE 2012")
    assert norm_comparison(men.responses, other).iloc[0]["difference"] == pytest.approx(-2.5)
