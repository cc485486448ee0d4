"""Asset models: planted effects recovered, null assets rarely significant, golden cases reproduced."""

from __future__ import annotations

import math
import os

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
import statsmodels.regression.tests
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.datasets import grunfeld
from statsmodels.stats.multitest import multipletests

from analysis import AnalysisConfig, Dataset, benjamini_hochberg, fit_crv3, fit_mixedlm
from analysis.models import asset_effects, kind_effects
from analysis.ols import crv3_coefficient
from tests.analysis.synthetic import STANDARD, PlantedAsset, make_survey

TRUTH = {asset.slug: asset.effect for assets in STANDARD.values() for asset in assets}
SEEDS = (0, 1, 2, 3)


@pytest.fixture(scope="module")
def planted_runs() -> list[pd.DataFrame]:
    runs = []
    for seed in SEEDS:
        responses, assets = make_survey(STANDARD, per_community=400, seed=seed)
        data = Dataset.from_frames(responses, assets)
        runs.append(asset_effects(data.responses, data.assets, AnalysisConfig()).assign(seed=seed))
    return runs


def test_planted_effects_are_recovered_within_their_intervals(planted_runs) -> None:
    table = pd.concat(planted_runs, ignore_index=True)
    table["truth"] = table["asset"].map(TRUTH)
    covered = (table["ci_low"] <= table["truth"]) & (table["truth"] <= table["ci_high"])
    # 60 intervals at 95%: about 57 expected; 52 is three binomial standard deviations below.
    assert covered.sum() >= 52, table.loc[~covered, ["seed", "asset", "effect", "ci_low", "ci_high", "truth"]]
    planted = table[table["truth"] >= 2]
    assert (planted["p_adj"] < 0.05).mean() >= 0.8  # large planted effects are found
    averages = table.groupby("asset")["effect"].mean()
    for slug, truth in TRUTH.items():
        assert averages[slug] == pytest.approx(truth, abs=1.0), slug


def test_null_assets_are_rarely_significant_after_bh(planted_runs) -> None:
    table = pd.concat(planted_runs, ignore_index=True)
    nulls = table[table["asset"].map(TRUTH) == 0]
    assert len(nulls) == 24
    assert (nulls["p_adj"] < 0.05).sum() <= 2


def test_asset_effect_equals_the_formula_model_with_hc3(synthetic_dataset) -> None:
    """Our design matrix against statsmodels' formula interface on the same rows (independent coding)."""
    responses = synthetic_dataset.responses
    rows = responses[responses["community"] == "north"].copy()
    rows["uses"] = (rows["asset_north_park"] >= 1).astype(float)
    covariates = ["age_band", "gender", "employment", "years_in_area", "mode"]
    rows = rows.dropna(subset=["wemwbs", "asset_north_park", *covariates]).astype({"wemwbs": float})
    for column in ("age_band", "gender", "employment", "years_in_area"):
        rows[column] = rows[column].astype(float)
    formula = "wemwbs ~ uses + C(age_band) + C(gender) + C(employment) + years_in_area + C(mode)"
    reference = smf.ols(formula, rows).fit(cov_type="HC3", use_t=True)
    ours = asset_effects(responses, synthetic_dataset.assets, AnalysisConfig()).set_index("asset").loc["north_park"]
    assert ours["n"] == reference.nobs
    assert ours["effect"] == pytest.approx(reference.params["uses"], rel=1e-9)
    assert ours["se"] == pytest.approx(reference.bse["uses"], rel=1e-9)
    low, high = reference.conf_int().loc["uses"]
    assert ours["ci_low"] == pytest.approx(low, rel=1e-9) and ours["ci_high"] == pytest.approx(high, rel=1e-9)
    assert ours["p"] == pytest.approx(reference.pvalues["uses"], rel=1e-6)
    assert ours["method"] == "ols_hc3"


def test_small_or_degenerate_assets_give_warning_rows_not_crashes() -> None:
    communities = {
        "west": [
            PlantedAsset("west_park", "place", 2.0, 0.5),
            PlantedAsset("west_rare", "community_group", 2.0, 0.0),  # about a dozen users at most
        ],
    }
    responses, assets = make_survey(communities, per_community=200, seed=5)
    responses["asset_west_rare"] = np.where(responses.index < 5, 3, 0)  # exactly five users
    # An asset nobody was asked about, and one whose users are exactly the interviews.
    assets = pd.concat(
        [
            assets,
            pd.DataFrame(
                [
                    {"slug": "ghost", "name": "Ghost", "kind": "other", "community": "nowhere", "annual_cost": None},
                    {"slug": "west_mirror", "name": "Mirror", "kind": "place", "community": "west", "annual_cost": 1.0},
                ]
            ),
        ],
        ignore_index=True,
    )
    responses["asset_west_mirror"] = (responses["mode"] == "interview").astype(int) * 2
    data = Dataset.from_frames(responses, assets)
    table = asset_effects(data.responses, data.assets, AnalysisConfig()).set_index("asset")
    assert "fewer than 10 users or non-users in the model" in table.loc["west_rare", "warning"]
    assert table.loc["west_rare", "n_users"] == 5
    assert "no respondent" in table.loc["ghost", "warning"]
    assert "collinear" in table.loc["west_mirror", "warning"]
    for slug in ("west_rare", "ghost", "west_mirror"):
        assert table.loc[slug, ["effect", "se", "ci_low", "ci_high", "p", "p_adj"]].isna().all()
    assert math.isfinite(table.loc["west_park", "p_adj"]) and table.loc["west_park", "warning"] == ""
    kinds = kind_effects(data.responses, data.assets, AnalysisConfig())
    assert (kinds["warning"] != "").all()  # a single community: no cross-community model


def test_singleton_covariate_level_does_not_break_hc3(synthetic_dataset) -> None:
    responses = synthetic_dataset.responses.copy()
    north = responses.index[responses["community"] == "north"]
    responses.loc[north, "employment"] = responses.loc[north, "employment"].where(
        responses.loc[north, "employment"] != 9, 1
    )
    responses.loc[north[0], "employment"] = 9  # the only person in this category in north
    table = asset_effects(responses, synthetic_dataset.assets, AnalysisConfig()).set_index("asset")
    assert math.isfinite(table.loc["north_park", "se"]) and table.loc["north_park", "se"] > 0


def test_kind_effects_both_methods(synthetic_result) -> None:
    kinds = synthetic_result.kind_effects
    assert list(kinds.columns) == [
        "exposure",
        "kind",
        "method",
        "n",
        "n_communities",
        "effect",
        "se",
        "ci_low",
        "ci_high",
        "p",
        "df",
        "warning",
        "note",
    ]
    total = kinds[kinds["exposure"] == "assets_used_total"].set_index("method")
    assert total.loc["ols_crv3", "df"] == 2  # t(G - 1) with three communities
    assert math.isnan(total.loc["mixedlm", "df"])  # z-based
    assert total.loc["ols_crv3", "effect"] > 0 and total.loc["mixedlm", "effect"] > 0
    assert 'no asset of kind "other"' in kinds.loc[kinds["exposure"] == "assets_used_other", "warning"].iloc[0]


def test_crv3_reproduces_r_summclust_on_grunfeld() -> None:
    data = grunfeld.load_pandas().data.iloc[:200]
    x = np.column_stack([np.ones(len(data)), data["value"], data["capital"]])
    result = fit_crv3(data["invest"].to_numpy(), x, data["firm"])
    # Stata vce(cluster) coefficients; R summclust CRV3 standard errors (statistics reference).
    assert result.params == pytest.approx([-42.714, 0.11556, 0.23068], rel=1e-4)
    assert result.bse == pytest.approx([34.813, 0.016130, 0.147331], rel=1e-4)
    assert result.df_resid_inference == 9  # t(G - 1), 10 firms
    for position in range(3):  # the least-squares fallback gives the same numbers
        fallback = crv3_coefficient(data["invest"].to_numpy(), x, data["firm"], position, 0.95)
        assert fallback.se == pytest.approx(result.bse[position], rel=1e-8)
        assert fallback.p == pytest.approx(result.pvalues[position], rel=1e-6)


def test_mixedlm_reproduces_lme4_on_dietox() -> None:
    path = os.path.join(os.path.dirname(statsmodels.regression.tests.__file__), "results", "dietox.csv")
    data = pd.read_csv(path)
    fit = fit_mixedlm(smf.mixedlm("Weight ~ Time", data, groups=data["Pig"]))
    assert fit.warning == ""
    result = fit.result
    # lme4 (statistics reference): intercept 15.72352 (SE 0.78805), Time 6.94251 (SE 0.03339),
    # group variance 40.39, residual variance 11.37.
    assert result.fe_params["Intercept"] == pytest.approx(15.72352, abs=1e-4)
    assert result.fe_params["Time"] == pytest.approx(6.94251, abs=1e-4)
    assert result.bse_fe["Intercept"] == pytest.approx(0.78805, abs=1e-4)
    assert result.bse_fe["Time"] == pytest.approx(0.03339, abs=1e-5)
    assert float(result.cov_re.iloc[0, 0]) == pytest.approx(40.39, abs=0.01)
    assert result.scale == pytest.approx(11.37, abs=0.01)


def test_bh_matches_r_p_adjust() -> None:
    # R: p.adjust(c(.01, .04, .03, .005), "BH") -> 0.02 0.04 0.04 0.02
    assert benjamini_hochberg([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.02, 0.04, 0.04, 0.02])
    with_nan = benjamini_hochberg([0.01, np.nan, 0.04, 0.03, 0.005])
    assert math.isnan(with_nan[1])
    assert np.delete(with_nan, 1) == pytest.approx([0.02, 0.04, 0.04, 0.02])


@settings(max_examples=30, deadline=None)
@given(st.lists(st.one_of(st.floats(0, 1), st.just(float("nan"))), min_size=1, max_size=12))
def test_bh_adjusts_only_finite_values(p_values: list[float]) -> None:
    adjusted = benjamini_hochberg(p_values)
    values = np.asarray(p_values)
    finite = np.isfinite(values)
    assert np.array_equal(np.isnan(adjusted), ~finite)
    if finite.any():
        expected = multipletests(values[finite], method="fdr_bh")[1]
        assert adjusted[finite] == pytest.approx(expected)
        assert (adjusted[finite] >= values[finite] - 1e-12).all()


def test_closed_form_reml_start_agrees_with_lme4_on_dietox() -> None:
    from analysis.mixedlm import random_intercept_start

    path = os.path.join(os.path.dirname(statsmodels.regression.tests.__file__), "results", "dietox.csv")
    data = pd.read_csv(path)
    x = np.column_stack([np.ones(len(data)), data["Time"]])
    start = random_intercept_start(data["Weight"].to_numpy(float), x, pd.factorize(data["Pig"])[0])
    assert start.fe_params == pytest.approx([15.72352, 6.94251], abs=1e-3)
    assert float(start.cov_re[0, 0]) * 11.37 == pytest.approx(40.39, rel=1e-3)  # gamma x residual variance


def test_mixed_estimate_standard_errors_are_lme4s_with_four_communities() -> None:
    # The numbers5 audit: statsmodels' bse_fe (the inverse Hessian of the REML criterion in every
    # parameter) came out 0.1-1% above lme4's vcov with four communities; 0.80730 here. The
    # product now uses the GLS covariance at the REML variance components, as lme4 does.
    from analysis.mixedlm import mixed_estimate

    rng = np.random.default_rng(3)
    groups = np.repeat(np.arange(4), 100)
    other = rng.normal(size=400)
    use = (rng.random(400) < 0.4).astype(float)
    y = 50 + 2 * use + 0.5 * other + rng.normal(0, 2, 4)[groups] + rng.normal(0, 8, 400)
    x = np.column_stack([np.ones(400), use, other])
    estimate = mixed_estimate(y, x, ["Intercept", "use", "other"], "use", groups, 0.95)
    # R 4.2.2, lme4 1.1.31: lmer(y ~ use + other + (1 | g), REML = TRUE); sqrt(diag(vcov(m)))["use"]
    assert estimate.se == pytest.approx(0.8061896825, rel=1e-6)
    assert estimate.ci_high - estimate.ci_low == pytest.approx(2 * 1.959963985 * 0.8061896825, rel=1e-6)
    assert estimate.ci_low < estimate.effect < estimate.ci_high and 0 < estimate.p < 1


def test_degenerate_mixedlm_is_judged_relative_to_the_residual_variance() -> None:
    from statsmodels.regression.mixed_linear_model import MixedLM

    from analysis.mixedlm import mixed_estimate

    # No community effect, outcome in millions: the group variance comes out near 500, far above the
    # old absolute 1e-8 but about 5e-10 of the residual variance, i.e. zero.
    rng = np.random.default_rng(2)
    groups = np.repeat(np.arange(8), 50)
    x = np.column_stack([np.ones(400), rng.normal(size=400)])
    y = (1 + 0.3 * x[:, 1] + rng.normal(size=400)) * 1e6
    fit = fit_mixedlm(MixedLM(y, x, groups=groups))
    assert fit.degenerate and float(np.asarray(fit.result.cov_re)[0, 0]) > 1e-8
    estimate = mixed_estimate(y, x, ["Intercept", "t"], "t", groups, 0.95)
    assert math.isnan(estimate.p) and math.isnan(estimate.ci_low)  # never printed as evidence
    assert estimate.effect == pytest.approx(0.3e6, rel=0.2) and "no p-value" in estimate.warning


def test_community_fixed_effects_equal_an_independent_statsmodels_fit(synthetic_result) -> None:
    import statsmodels.formula.api as smf

    kinds = synthetic_result.kind_effects
    total = kinds[kinds["exposure"] == "assets_used_total"].set_index("method")
    assert set(total.index) == {"ols_crv3", "ols_fe_crv3", "mixedlm"}
    frame = synthetic_result.dataset.responses.copy()
    frame["total"] = frame[[c for c in frame.columns if c.startswith("assets_used_")]].sum(axis=1, min_count=1)
    columns = ["wemwbs", "total", "age_band", "gender", "employment", "years_in_area", "mode", "community"]
    rows = frame[columns].dropna().astype({"wemwbs": float, "total": float, "years_in_area": float})
    for column in ("age_band", "gender", "employment"):
        rows[column] = rows[column].astype(int).astype(str)
    fitted = smf.ols(
        "wemwbs ~ total + C(age_band) + C(gender) + C(employment) + years_in_area + C(mode) + C(community)", rows
    ).fit()
    assert total.loc["ols_fe_crv3", "effect"] == pytest.approx(fitted.params["total"], rel=1e-8)
    assert total.loc["ols_fe_crv3", "df"] == 2 and "fixed effects" in total.loc["ols_fe_crv3", "note"]
    # The jackknife SE by hand: refit leaving each community out, centred on the full estimate (CRV3).
    leave_out = []
    for community in sorted(rows["community"].unique()):
        part = rows[rows["community"] != community]
        formula = "wemwbs ~ total + C(age_band) + C(gender) + C(employment) + years_in_area + C(mode) + C(community)"
        leave_out.append(smf.ols(formula, part).fit().params["total"])
    g = len(leave_out)
    se = math.sqrt((g - 1) / g * sum((b - fitted.params["total"]) ** 2 for b in leave_out))
    assert total.loc["ols_fe_crv3", "se"] == pytest.approx(se, rel=1e-6)


def test_kind_effects_refuse_an_outcome_that_does_not_vary() -> None:
    # Every respondent with the same WEMWBS (all items 4, total 56): the residuals are rounding
    # noise, and before this check CRV3 and MixedLM reported effects of 1e-14 with a MixedLM
    # p-value of about 1e-110 (R's lm says "essentially perfect fit: summary may be unreliable").
    responses, assets = make_survey(STANDARD, per_community=60, seed=4242, missing=0.0)
    for position in range(1, 15):
        responses[f"wemwbs_{position}"] = 4
    data = Dataset.from_frames(responses, assets)
    kinds = kind_effects(data.responses, data.assets, AnalysisConfig())
    total = kinds[kinds["exposure"] == "assets_used_total"]
    assert len(total) == 3
    assert total["warning"].str.contains("the outcome does not vary").all()
    assert total[["effect", "se", "ci_low", "ci_high", "p"]].isna().all().all()
