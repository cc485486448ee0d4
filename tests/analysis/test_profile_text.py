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
