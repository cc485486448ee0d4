"""A hold-out survey of uneven shape, end to end through `python -m analysis report`, against R and the planted truth.

Made by tests/analysis/holdout/make_uneven.py (numpy, seed 8) and stored as files: communities of 700, 60 and
160 respondents (a random, a convenience and a quota sample), about half the people without a complete WEMWBS,
blanks in life satisfaction, the asset questions and years in the area, an asset used by almost nobody, a
planted negative effect, and agreed adjustments (oak's park over 3 years with 30% drop-off; elm's garden with
50% attribution). ``truth.csv`` holds each asset's planted life-satisfaction effect and population share.

R 4 computed ``golden.csv`` and the WEMWBS models' ``golden_wemwbs.csv`` once (tests/analysis/holdout/uneven.R;
never run by the tests or the product) from valuation.md alone: lm + sandwich HC3, the outcome chosen per
asset, p.adjust BH, metafor REML BLUPs, users by sampling method, the SROI factor with drop-off and 1.5%
discounting, and 2,000,000 Monte Carlo draws of the same range model (the effect from t(n - k), as its
interval). Tolerances: model and value figures 1e-7 relative (the same arithmetic); BLUPs 1e-6 (metafor stops
at threshold 1e-10, the product at 1e-12); the product's 10,000-draw range ends within 3% of the R range's width
of R's (the Monte Carlo error of a 2.5th or 97.5th percentile of 10,000 draws is about 0.7% of that width).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis import AnalysisConfig
from analysis.cli import main

UNEVEN = Path(__file__).parent / "holdout" / "uneven"
EXACT = ("effect", "se", "ci_low", "ci_high", "p", "df", "p_adj", "users_valued", "value_central")
EXACT += ("value_central_wellby_low", "value_central_wellby_high")


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("uneven")
    assert main(["report", str(UNEVEN), "--out", str(folder), "--quiet"]) == 0
    return folder


@pytest.fixture(scope="module")
def values(out: Path) -> pd.DataFrame:
    return pd.read_csv(out / "asset_value.csv").set_index("asset")


@pytest.fixture(scope="module")
def golden() -> pd.DataFrame:
    return pd.read_csv(UNEVEN / "golden.csv").set_index("asset")


def test_every_asset_of_an_uneven_survey_is_graded_and_valued_as_r_computes_it(values, golden) -> None:
    assert list(values.index) == list(golden.index)
    for slug, expected in golden.iterrows():
        row = values.loc[slug]
        assert (row["outcome"], row["evidence"]) == (expected["outcome"], expected["evidence"]), slug
        assert row["n_asked"] == expected["n_asked"], slug
        if 0 < expected["n_users"] < AnalysisConfig().disclosure_threshold:  # oak_ferry's 3: blank in the file
            assert np.isnan(row["n_users"]), slug
        else:
            assert row["n_users"] == expected["n_users"], slug
        got, want = [row[key] for key in EXACT], [expected[key] for key in EXACT]
        np.testing.assert_allclose(got, want, rtol=1e-7, err_msg=slug)  # NaN == NaN: the unestimated asset
        shrunk = [row[key] for key in ("effect_shrunk", "se_shrunk", "value_shrunk_central")]
        np.testing.assert_allclose(
            shrunk, [expected[key] for key in ("effect_shrunk", "se_shrunk", "value_shrunk_central")], rtol=1e-6
        )


def test_the_wemwbs_models_on_complete_forms_only_match_r(out: Path) -> None:
    # Each of the 14 statements blank for 5%: a WEMWBS score needs all 14, so about half the people are in these.
    effects = pd.read_csv(out / "asset_effects.csv").set_index("asset")
    golden = pd.read_csv(UNEVEN / "golden_wemwbs.csv").set_index("asset")
    for slug, expected in golden.iterrows():
        row = effects.loc[slug]
        assert row["n"] == expected["n"], slug
        got = [row[key] for key in ("effect", "se", "ci_low", "ci_high", "p", "p_adj")]
        np.testing.assert_allclose(got, list(expected[["eff", "se", "lo", "hi", "p", "p_adj"]]), rtol=1e-7)


def test_the_monte_carlo_range_matches_a_large_r_simulation_of_the_same_model(values, golden) -> None:
    estimated = golden[golden["value_low"].notna()]
    assert len(estimated) == 7
    for slug, expected in estimated.iterrows():
        width = expected["value_high"] - expected["value_low"]
        for end in ("value_low", "value_high"):
            assert abs(values.at[slug, end] - expected[end]) <= 0.03 * width, (slug, end)


def test_no_ratio_where_none_is_honest_and_each_basis_is_said(values) -> None:
    # Only a clear positive effect with a known cost has a ratio; here none is clear and positive.
    assert values["bcr_central"].isna().all()
    assert values.at["oak_foodbank", "evidence"] == "clear" and values.at["oak_foodbank", "effect"] < 0
    assert "selection" in values.at["oak_foodbank", "caveat"]
    assert values.at["oak_ferry", "evidence"] == "not_estimated" and np.isnan(values.at["oak_ferry", "value_central"])
    assert values.at["pine_hall", "users_basis"] == "surveyed"  # a convenience sample is never scaled
    assert values.at["elm_cafe", "users_basis"] == "scaled_quota"
    assert values.at["elm_cafe", "warning"].startswith("quota sample")
    assert (values.at["oak_park", "value_basis"], values.at["oak_park", "years"]) == ("net", 3)
    assert values.at["oak_library", "value_basis"] == "gross"


def test_the_planted_truth_lies_inside_the_reported_intervals(values) -> None:
    """Each planted effect is inside its 95% CI and each true value inside its 95% range (this seed)."""
    truth = pd.read_csv(UNEVEN / "truth.csv").set_index("asset")
    for slug, planted in truth.iterrows():
        row = values.loc[slug]
        if row["evidence"] == "not_estimated":
            continue
        assert row["ci_low"] <= planted["ls_effect"] <= row["ci_high"], slug
        # Surveyed users only (convenience sample): the truth is the planted effect for the users counted.
        users = planted["share"] * planted["population"] if row["users_basis"] != "surveyed" else row["n_users"]
        true_value = planted["ls_effect"] * users * 13_000 * row["value_central"] / row["gross_value_central"]
        assert row["value_low"] <= true_value <= row["value_high"], slug


def test_the_report_words_the_uneven_survey_honestly(out: Path) -> None:
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "<strong>Oak Ferry</strong> (Oak): not estimated (fewer than 10 users or non-users in the model" in html
    assert "This may reflect that people who are struggling use the service" in html
    assert "over 3 years (present value, after drop-off and discounting)" in html
    # Users scaled to a population name it and its source (valuation.md, "Who is counted"); the ledger said only
    # "scaled to the population (random sample)" (numbers8 audit).
    source = "Synthetic: Oak residents aged 16+ (illustrative)"
    assert f"scaled to 9,000 residents (source: {source}); random sample" in html
    assert "scaled to 2,000 residents (source: Synthetic: Elm residents aged 16+ (illustrative)); quota sample" in html
    assert "scaled to the population (random sample)" not in html
    assert "<em>clear</em> (1) when the difference stands out" in html  # read "clear (1 assets)"
    # Oak Park stands out on WEMWBS in the asset section and is only suggestive on life satisfaction here.
    assert "the grade of an asset here can differ from its grade on WEMWBS in the section above" in html
    # The quota warning is one bullet, not split at its semicolon into two.
    assert "Quota sample: users scaled to the population as if the sample were random, though a quota sample" in html


def test_the_methods_give_both_discount_rates_the_figures_used() -> None:
    # A value over several years is set against the cost of those years discounted at 3.5% (Green Book), which the
    # report never said; and the wellbeing rate was written as "1.5%" whatever the run's setting (numbers8 audit).
    from analysis import AnalysisConfig
    from analysis.dataset_files import read_dataset
    from analysis.pipeline import run_dataset
    from analysis.report.methods import methods_section

    dataset = read_dataset(UNEVEN)
    for config, rates in ((AnalysisConfig(), ("1.5%", "3.5%")), (AnalysisConfig(discount_rate=0.02), ("2.0%", "3.5%"))):
        text = " ".join(str(caveat) for caveat in methods_section(run_dataset(dataset, config=config))["caveats"])
        assert f"discounted at {rates[0]} a year, as HM Treasury discounts wellbeing" in text
        assert f"covers the same years, discounted at {rates[1]} a year (the Green Book's standard rate)" in text


def test_a_threshold_above_an_assets_users_hides_its_value_everywhere(out: Path, tmp_path: Path) -> None:
    # Pine's club has 20 surveyed users (a convenience sample: valued on them). With --threshold 21 its ledger
    # said "fewer than 21 surveyed users" beside a value range from which the 20 follow (value / effect / WELLBY).
    assert main(["report", str(UNEVEN), "--out", str(tmp_path), "--quiet", "--threshold", "21"]) == 0
    values = pd.read_csv(tmp_path / "asset_value.csv").set_index("asset")
    club, hall = values.loc["pine_club"], values.loc["pine_hall"]
    # The files leave the team as the report does: the 20 itself is blank in every table that counted them.
    assert np.isnan(club["n_users"]) and (club["suppressed"], hall["n_users"], hall["suppressed"]) == (1, 22, 0)
    for name in ("asset_effects", "asset_value", "swemwbs_effects", "ls_effects"):
        if (tmp_path / f"{name}.csv").exists():
            table = pd.read_csv(tmp_path / f"{name}.csv").set_index("asset")
            if "pine_club" in table.index and "n_users" in table:
                assert np.isnan(table.at["pine_club", "n_users"]), name
            assert not re.search(r"\b20 (users|people|respondents)", (tmp_path / f"{name}.csv").read_text()), name
    assert club[["value_central", "value_low", "value_high", "users_valued", "gross_value_central"]].isna().all()
    assert club["evidence"] == "none" and np.isfinite(club["effect"])
    short = pd.read_csv(tmp_path / "swemwbs_effects.csv").set_index("asset")
    assert np.isnan(short.at["pine_club", "value_central"]) and np.isfinite(short.at["pine_hall", "value_central"])
    from analysis.report.phrases import money

    default = pd.read_csv(out / "asset_value.csv").set_index("asset").loc["pine_club"]
    span = f"{money(default['value_low'])} to {money(default['value_high'])}"  # -£305,000 to £269,000
    assert span in (out / "report.html").read_text(encoding="utf-8")
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert span not in html and money(default["value_central"]) not in html
    assert "not shown: fewer than 21 users" in html  # the ledger
    assert "No money value is shown: fewer than 21 of the people surveyed use it" in html  # the sentence
