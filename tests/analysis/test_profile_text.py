"""Asset profile sentences follow the run's settings: its bridge factor and its confidence level."""

from __future__ import annotations

import pytest

from analysis import AnalysisConfig, run
from analysis.profile import profile_snapshot
from tests.analysis.synthetic import STANDARD, make_survey


@pytest.fixture(scope="module")
def survey():
    return make_survey(STANDARD, per_community=300, seed=11)  # WEMWBS only: every value is bridged


def test_a_profile_names_the_bridge_factor_the_run_used(survey) -> None:
    # The factor is a named, configurable assumption (valuation.md); the profile said "0.13 points per WEMWBS
    # point" whatever the run used, while the report and the value's warning gave the run's factor (numbers8 audit).
    responses, assets = survey
    profile = profile_snapshot(run(responses, assets, config=AnalysisConfig(ls_per_wemwbs=0.2)))["assets"]["north_park"]
    assert profile["valued"]["outcome"] == "wemwbs_bridged"
    assert profile["valued"]["effect"] == pytest.approx(0.2 * profile["wellbeing"]["effect"])
    sentence = profile["sentences"]["wellbeing"]
    assert "WEMWBS bridged to life satisfaction (0.2 points per WEMWBS point)" in sentence
    assert "0.13" not in sentence


def test_a_profile_labels_its_intervals_at_the_run_confidence_level(survey) -> None:
    responses, assets = survey
    profile = profile_snapshot(run(responses, assets, config=AnalysisConfig(alpha=0.1)))["assets"]["north_park"]
    assert profile["valued"]["evidence"] == "clear"
    for key in ("wellbeing", "value"):
        assert "90% CI" in profile["sentences"][key] and "95% CI" not in profile["sentences"][key], key


def test_a_profile_compares_on_life_satisfaction_where_the_scale_had_too_few_people() -> None:
    # In the uneven hold-out, about half the people left a WEMWBS statement blank: Pine Hall's WEMWBS model has too
    # few users, its life-satisfaction model does not. The profile said users and non-users "could not be
    # compared" above a value sentence comparing them on life satisfaction (numbers8 audit).
    from pathlib import Path

    from analysis.dataset_files import read_dataset
    from analysis.pipeline import run_dataset

    uneven = Path(__file__).parent / "holdout" / "uneven"
    profile = profile_snapshot(run_dataset(read_dataset(uneven)))["assets"]["pine_hall"]
    sentence = profile["sentences"]["wellbeing"]
    assert sentence.startswith("On WEMWBS users and non-users could not be compared (fewer than 10 users or non-users")
    assert "On life satisfaction, asked directly (ONS, 0-10), allowing for age" in sentence
    assert "users scored on average 0.41 points higher than non-users (95% CI -0.65 to +1.46)" in sentence
    assert "the association is not found: the survey cannot tell it apart from chance" in sentence
