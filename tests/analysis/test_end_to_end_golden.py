"""End to end through the user's entry point (`python -m analysis report` on an unpacked export) against
golden values computed independently in R 4 from the same rows (tests/analysis/golden_survey.py).

R was run once by hand and is never needed by the tests or the product:
- asset models: ``lm(y ~ u + factor(age_band) + factor(gender) + factor(employment) + years_in_area +
  factor(mode))`` per asset on its community's complete cases, ``sandwich::vcovHC(type = "HC3")``,
  t(n - k) intervals; ``p.adjust(method = "BH")`` across assets;
- valued effect: life satisfaction (asked of everyone here), BH across assets, ``metafor::rma(yi,
  sei = sei, method = "REML")`` and ``blup()`` (metafor 3.8);
- descriptives: ``t.test`` of the WEMWBS totals (complete cases);
- across communities: leave-one-community-out jackknife (summclust's CRV3, (G - 1) / G), t(G - 1).
"""

from __future__ import annotations

import re
from html import unescape

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis import read_dataset
from analysis.cli import main
from analysis.pipeline import run_dataset
from analysis.profile import profile_snapshot
from analysis.report import write_report
from survey.datasets.profiles import cover, display_tables
from tests.analysis.golden_survey import POPULATION, write_golden

# asset: WEMWBS effect, se, ci_low, ci_high, p, p_adj (BH); valued LS effect, se, p_adj; BLUP, its se
# fmt: off
GOLDEN = {
    "ash_park": (0.8586168186, 1.171949068, -1.4659386, 3.183172237, 0.465458276, 0.7714067535, 0.8374766501, 0.1910905174, 5.61960048e-05, 0.8147177471, 0.1822412769),  # noqa: E501
    "ash_club": (0.717782271, 1.096709712, -1.457536243, 2.893100785, 0.514271169, 0.7714067535, -0.03808857632, 0.2030960408, 0.8516028814, 0.03306964119, 0.1925641107),  # noqa: E501
    "ash_hub": (1.687470788, 1.27174096, -0.8350213763, 4.209962951, 0.1875051698, 0.3750103396, 0.9900771309, 0.2167300755, 3.256144861e-05, 0.9427349497, 0.2040642177),  # noqa: E501
    "beech_park": (1.674350784, 1.03542199, -0.3796479181, 3.728349487, 0.108982139, 0.3269464171, 1.175856289, 0.1888364181, 6.276442221e-08, 1.120835226, 0.180283093),  # noqa: E501
    "beech_club": (0.4366399697, 1.122321568, -1.78974412, 2.663024059, 0.6980576761, 0.8316591889, -0.4057920763, 0.2139152577, 0.08084306658, -0.2833488845, 0.2017097368),  # noqa: E501
    "beech_hub": (1.942392838, 1.076623739, -0.1933390514, 4.078124727, 0.07418811142, 0.2967524457, 0.9744451424, 0.2075687372, 2.478711323e-05, 0.9323633009, 0.1963632485),  # noqa: E501
    "cedar_park": (2.260169614, 1.53061501, -0.7761588343, 5.296498062, 0.142882971, 0.3429191305, 0.9924828905, 0.2286378547, 5.659890355e-05, 0.9401945498, 0.2139087384),  # noqa: E501
    "cedar_club": (-0.370380862, 1.221536514, -2.793580715, 2.052818991, 0.7623542565, 0.8316591889, -0.1732296454, 0.2210463237, 0.4745551474, -0.07331926597, 0.2076543427),  # noqa: E501
    "cedar_hub": (4.256097751, 1.260923964, 1.754763791, 6.757431711, 0.001047121496, 0.01256545795, 1.199477822, 0.1778951017, 1.074196931e-08, 1.148059488, 0.1706904028),  # noqa: E501
    "damson_park": (3.410414034, 1.12677006, 1.174375522, 5.646452546, 0.003158554661, 0.01895132796, 0.8742766899, 0.2044075326, 6.412498133e-05, 0.8444969058, 0.1936807549),  # noqa: E501
    "damson_club": (-0.4528279372, 1.206989976, -2.848060262, 1.942404387, 0.7083438549, 0.8316591889, -0.2307383632, 0.2271305386, 0.3745057403, -0.1182832174, 0.2126730401),  # noqa: E501
    "damson_hub": (-0.01711307758, 1.152836197, -2.304878991, 2.270652836, 0.9881865543, 0.9881865543, 1.036382661, 0.2111427173, 1.39715126e-05, 0.9856957986, 0.1993805005),  # noqa: E501
}
# fmt: on
# R: users (use >= 1) of those asked; everyone in the community was asked (120 each).
USERS = {
    "ash_park": 55,
    "ash_club": 53,
    "ash_hub": 69,
    "beech_park": 55,
    "beech_club": 60,
    "beech_hub": 60,
    "cedar_park": 59,
    "cedar_club": 56,
    "cedar_hub": 59,
    "damson_park": 50,
    "damson_club": 53,
    "damson_hub": 46,
}
# R t.test of the WEMWBS totals: group -> n, mean, sd, ci_low, ci_high
DESCRIPTIVES = {
    "overall": (469, 53.716418, 7.111337, 53.071154, 54.361682),
    "ash": (118, 51.898305, 7.165193, 50.591983, 53.204627),
    "beech": (118, 53.635593, 6.604408, 52.431511, 54.839676),
    "cedar": (117, 53.982906, 7.699063, 52.573139, 55.392673),
    "damson": (116, 55.379310, 6.568244, 54.171323, 56.587298),
}
# R: assets used in total, pooled OLS, n = 462: coefficient, jackknife CRV3 se, p on t(3)
KIND_TOTAL = (1.4600079517, 0.4437784494, 0.046080)


@pytest.fixture(scope="module")
def tables(tmp_path_factory: pytest.TempPathFactory) -> dict[str, pd.DataFrame]:
    folder = tmp_path_factory.mktemp("golden")
    responses = write_golden(folder / "export")
    out = folder / "out"
    argv = ["report", str(responses), "--assets", str(folder / "export" / "assets.csv"), "--out", str(out)]
    assert main([*argv, "--quiet", "--no-report"]) == 0  # campaigns.csv beside responses.csv is used
    return {name: pd.read_csv(out / f"{name}.csv") for name in ("asset_effects", "asset_value", "descriptives")} | {
        "kind_effects": pd.read_csv(out / "kind_effects.csv")
    }


def test_asset_models_match_r(tables) -> None:
    effects = tables["asset_effects"].set_index("asset")
    for slug, golden in GOLDEN.items():
        row = effects.loc[slug]
        got = [row[key] for key in ("effect", "se", "ci_low", "ci_high", "p", "p_adj")]
        np.testing.assert_allclose(got, golden[:6], rtol=1e-7, err_msg=slug)
        assert row["n_users"] == USERS[slug]
        # The degrees of freedom the range's t draws use are R's: its interval is effect +/- qt(.975, n - k) x se.
        assert stats.t.ppf(0.975, row["df"]) * golden[1] == pytest.approx(golden[3] - golden[0], rel=1e-7), slug


def test_valued_effects_grades_and_blups_match_r(tables) -> None:
    values = tables["asset_value"].set_index("asset")
    for slug, golden in GOLDEN.items():
        row = values.loc[slug]
        assert row["outcome"] == "life_satisfaction"
        got = [row[key] for key in ("effect", "se", "p_adj", "effect_shrunk", "se_shrunk")]
        np.testing.assert_allclose(got, golden[6:], rtol=1e-6, err_msg=slug)
        assert row["evidence"] == ("clear" if golden[8] < 0.05 else "suggestive" if row["p"] < 0.05 else "none")


def test_money_values_by_hand_from_the_r_effects(tables) -> None:
    values = tables["asset_value"].set_index("asset")
    for slug, golden in GOLDEN.items():
        row = values.loc[slug]
        population = POPULATION[slug.split("_")[0]]
        users = USERS[slug] / 120 * population
        assert row["users_valued"] == pytest.approx(users)
        assert row["value_central"] == pytest.approx(golden[6] * users * 13_000, rel=1e-6)
        assert row["value_central_wellby_low"] == pytest.approx(golden[6] * users * 10_000, rel=1e-6)
        assert row["value_central_wellby_high"] == pytest.approx(golden[6] * users * 16_000, rel=1e-6)
        assert row["value_shrunk_central"] == pytest.approx(golden[9] * users * 13_000, rel=1e-6)
        assert row["value_low"] < row["value_central"] < row["value_high"]
        if row["evidence"] == "clear" and golden[6] > 0:
            assert row["bcr_central"] == pytest.approx(row["value_central"] / 20_000)
        else:
            assert np.isnan(row["bcr_central"])


def test_the_range_of_a_large_sampling_fraction_matches_an_independent_simulation(tables) -> None:
    # Ash: 120 of 400 residents asked (30%). Effect R's estimate + R's se x t(the model's df); users = the 55 counted
    # plus Binomial(280, share), share ~ Beta(55.5, 65.5) (Jeffreys): the finite population correction.
    row = tables["asset_value"].set_index("asset").loc["ash_park"]
    rng = np.random.default_rng(3)
    effect = GOLDEN["ash_park"][6] + GOLDEN["ash_park"][7] * rng.standard_t(row["df"], 400_000)
    users = 55 + rng.binomial(280, rng.beta(55.5, 65.5, 400_000))
    low, high = np.percentile(effect * users * 13_000, [2.5, 97.5])
    assert row["value_low"] == pytest.approx(low, rel=0.04)
    assert row["value_high"] == pytest.approx(high, rel=0.03)


def test_descriptives_match_r(tables) -> None:
    table = tables["descriptives"]
    wemwbs = table[(table["measure"] == "wemwbs") & table["group_type"].isin(["overall", "community"])]
    for group, golden in DESCRIPTIVES.items():
        row = wemwbs[wemwbs["group"] == group].iloc[0]
        assert row["n"] == golden[0]
        np.testing.assert_allclose([row[k] for k in ("mean", "sd", "ci_low", "ci_high")], golden[1:], atol=2e-6)


def test_cross_community_crv3_matches_r_jackknife(tables) -> None:
    kinds = tables["kind_effects"]
    row = kinds[(kinds["exposure"] == "assets_used_total") & (kinds["method"] == "ols_crv3")].iloc[0]
    assert row["n"] == 462 and row["n_communities"] == 4 and row["df"] == 3
    np.testing.assert_allclose([row["effect"], row["se"], row["p"]], KIND_TOTAL, rtol=1e-5)


def test_a_survey_that_asked_life_satisfaction_and_neither_scale_is_modelled_and_valued_on_it(tmp_path) -> None:
    # A campaign may ask the ONS questions without WEMWBS or SWEMWBS (valuation.md prefers life
    # satisfaction): its asset models are R's life-satisfaction models, valued directly, never bridged.
    responses = write_golden(tmp_path / "export", asked="life_satisfaction")
    assert main(["report", str(responses.parent), "--out", str(tmp_path / "out"), "--quiet"]) == 0
    effects = pd.read_csv(tmp_path / "out" / "asset_effects.csv").set_index("asset")
    values = pd.read_csv(tmp_path / "out" / "asset_value.csv").set_index("asset")
    for slug, golden in GOLDEN.items():
        np.testing.assert_allclose(
            [effects.at[slug, key] for key in ("effect", "se", "p_adj")], golden[6:9], rtol=1e-6, err_msg=slug
        )
        row = values.loc[slug]
        assert row["outcome"] == "life_satisfaction" and "bridge" not in str(row["warning"])
        np.testing.assert_allclose([row["effect_shrunk"], row["se_shrunk"]], golden[9:], rtol=1e-6, err_msg=slug)
        users = USERS[slug] / 120 * POPULATION[slug.split("_")[0]]
        assert row["value_central"] == pytest.approx(golden[6] * users * 13_000, rel=1e-6)
    assert len(pd.read_csv(tmp_path / "out" / "norm_comparison.csv")) == 0  # no norm in the references
    text = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "Wellbeing compared with England" not in text and "one question has no internal consistency" in text
    assert "Difference (life satisfaction points)" in text and "bridged" not in text
    snapshot = profile_snapshot(run_dataset(read_dataset(responses.parent)))
    profile = snapshot["assets"]["cedar_hub"]
    rows = dict(display_tables(profile, 10)["wellbeing"])
    assert rows["Life satisfaction difference, users minus non-users (points)"] == f"{GOLDEN['cedar_hub'][6]:+.2f}"
    assert rows["Outcome valued"] == "Life satisfaction (asked)"
    assert "non-users on life satisfaction" in profile["sentences"]["wellbeing"]
    assert cover(snapshot["summary"], 10)[0].endswith("no England average is compared for it.")


def test_the_report_of_a_life_satisfaction_survey_promises_no_england_comparison_and_cites_no_scale(tmp_path) -> None:
    # numbers7 audit: its opening said it compares wellbeing "with England as a whole", its methods
    # pointed to "the mode rows of the norm table", spoke of score bands and Cronbach's alpha, and its
    # references quoted the WEMWBS and SWEMWBS norms and yardsticks: none of which the report has.
    responses = write_golden(tmp_path / "export", asked="life_satisfaction")
    html = write_report(run_dataset(read_dataset(responses.parent)), tmp_path / "report.html").read_text("utf-8")
    text = " ".join(unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<img[^>]*>", "", html))).split())
    for claim in ("compares with England", "norm table", "broad bands", "Cronbach's alpha on complete answers"):
        assert claim not in text, claim
    references = text[text.index("References") :]
    for quoted_number in ("men 50.1", "men 23.7", "3 points of individual change", "Cronbach LJ"):
        assert quoted_number not in references, quoted_number
    assert "Every model adjusts for mode." in text and "HM Treasury. Wellbeing Guidance for Appraisal" in references
