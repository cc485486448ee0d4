"""Hold-out surveys with planted truths, end to end through `python -m analysis report`, against R.

Two surveys made by tests/analysis/holdout/make_holdout.py (numpy, seed 7; 3 communities of 150, 3 assets
each; planted: park +0.35 and hub +0.2 per item on a latent wellbeing, +0.6 and +0.3 on life satisfaction,
club nothing) and stored as files, so the rows never depend on a generator's version:
- ``swemwbs_ons``: SWEMWBS and the ONS questions, which birch asked of about 40% and cherry of about 70%:
  birch's assets fall below ``ls_share_needed`` (0.5) and are bridged, the others valued on life satisfaction;
- ``mix``: alder asked WEMWBS, birch and cherry SWEMWBS only.
R 4 computed the values once (tests/analysis/holdout/holdout.R; never run by the tests or the product): the
SWEMWBS metric score from the conversion table, ``lm`` with ``sandwich::vcovHC(type = "HC3")`` per asset,
``p.adjust(method = "BH")``, the choice of outcome per asset, ``metafor::rma(method = "REML")`` (threshold
1e-10) and ``blup()``, users = share of those asked x population, x GBP 13,000, ``t.test`` of the differences
from the Ng Fat et al. 2017 norms, and a leave-one-community-out jackknife (CRV3, (G - 1) / G, t(G - 1)).
Over 150 seeds of the same design the product's 95% intervals covered the planted (population) effects
96.4% of the time on SWEMWBS and 96.7% on life satisfaction (numbers7 audit; HC3 is slightly conservative).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.cli import main

HOLDOUT = Path(__file__).parent / "holdout"

# fmt: off
# asset: SWEMWBS effect, se, ci_low, ci_high, p, n, p_adj (BH over the SWEMWBS models)
SHORT_FORM = {
    "alder_park": (1.25630355931176, 0.559820185344723, 0.14876627405205, 2.36384084457148, 0.0265157489424672, 145, 0.0519059082204489),  # noqa: E501
    "alder_club": (0.362006311777309, 0.583016651384245, -0.791422407370611, 1.51543503092523, 0.535739841179492, 145, 0.602707321326929),  # noqa: E501
    "alder_hub": (1.27855603390296, 0.578464169926786, 0.134133854866636, 2.42297821293928, 0.0288366156780272, 145, 0.0519059082204489),  # noqa: E501
    "birch_park": (1.29386427888538, 0.449936981497799, 0.40358708933167, 2.1841414684391, 0.00472400798116488, 143, 0.021258035915242),  # noqa: E501
    "birch_club": (0.0647440869577498, 0.477600968494751, -0.880271027257127, 1.00975920117263, 0.89238125739858, 143, 0.89238125739858),  # noqa: E501
    "birch_hub": (0.668425618880545, 0.500752298443939, -0.322398357039765, 1.65924959480086, 0.184297189489602, 143, 0.276445784234403),  # noqa: E501
    "cherry_park": (1.53682776045428, 0.570226834739404, 0.408451760660175, 2.66520376024838, 0.0079891541358533, 142, 0.0239674624075599),  # noqa: E501
    "cherry_club": (-0.632723237295171, 0.566334494845778, -1.75339699887206, 0.487950524281719, 0.266007112076971, 142, 0.342009144098962),  # noqa: E501
    "cherry_hub": (2.85455583019499, 0.525774560314019, 1.81414285939581, 3.89496880099416, 2.76815216506896e-07, 142, 2.49133694856207e-06),  # noqa: E501
}
# asset: life satisfaction used (else bridged), valued effect, se, p_adj, BLUP, its se, users valued, value
VALUED = {
    "alder_park": (True, 0.77725270326837, 0.264070618191058, 0.021258035915242, 0.413833405771114, 0.175089692385358, 608.0, 6143405.3666332),  # noqa: E501
    "alder_club": (True, -0.115165702188779, 0.286330608463591, 0.884794411306352, 0.0841223396893503, 0.18102686338283, 520.0, -778520.146796144),  # noqa: E501
    "alder_hub": (True, 0.261686904690933, 0.272806198858392, 0.50876682386839, 0.215669000372965, 0.177522552922536, 552.0, 1877865.22806213),  # noqa: E501
    "birch_park": (False, 0.3364047125102, 0.116983615189428, 0.021258035915242, 0.300905252725258, 0.104870642358137, 2300.0, 10058500.904055),  # noqa: E501
    "birch_club": (False, 0.0168334626090149, 0.124176251808635, 0.89238125739858, 0.0621637453887912, 0.109940361601052, 2200.0, 481437.030617827),  # noqa: E501
    "birch_hub": (False, 0.173790660908942, 0.130195597595424, 0.331734941081284, 0.178078778090304, 0.114035430522209, 2033.33333333333, 4593866.47002636),  # noqa: E501
    "cherry_park": (True, 0.684749418727081, 0.329818419482438, 0.121921066554829, 0.32977646618331, 0.190444110495007, 362.666666666667, 3228365.25949195),  # noqa: E501
    "cherry_club": (True, -0.54066082080165, 0.341361787511866, 0.26240861522184, -0.00815828782740463, 0.192541990170238, 368.0, -2586521.36671509),  # noqa: E501
    "cherry_hub": (True, -0.0677739978522273, 0.358802055904371, 0.89238125739858, 0.124543669424471, 0.195443948748569, 384.0, -338327.797278319),  # noqa: E501
}
# asset: WEMWBS effect, se, p_adj (alder asked WEMWBS); SWEMWBS check effect, se, p_adj, value (every community)
MIXED = {
    "alder_park": ((3.93021362856821, 1.38775294871533, 0.0160852585215619), (1.25630355931176, 0.559820185344723, 0.0519059082204489, 2581754.06652805)),  # noqa: E501
    "alder_club": ((0.508806540733012, 1.44084927495773, 0.724563234611617), (0.362006311777309, 0.583016651384245, 0.688808367230776, 636262.293579798)),  # noqa: E501
    "alder_hub": ((3.59549335590811, 1.3981353363977, 0.0168699321490132), (1.27855603390296, 0.578464169926786, 0.0519059082204489, 2385478.70581478)),  # noqa: E501
    "birch_park": (None, (1.22914861691434, 0.445932335114663, 0.0200767208100978, 9555401.34789209)),  # noqa: E501
    "birch_club": (None, (0.0281518770487049, 0.467736685374562, 0.952099487081306, 209337.35773417)),  # noqa: E501
    "birch_hub": (None, (0.636148497868127, 0.493463938302413, 0.29947973882291, 4372036.57634835)),  # noqa: E501
    "cherry_park": (None, (1.91816135194643, 0.604701889761689, 0.0126963019497965, 2351307.76070063)),  # noqa: E501
    "cherry_club": (None, (-0.0403016734371438, 0.641523549250353, 0.952099487081306, -48675.8238217364)),  # noqa: E501
    "cherry_hub": (None, (1.91924049898061, 0.630196656398932, 0.0126963019497965, 2179643.0498823)),  # noqa: E501
}
# fmt: on
# R t.test of SWEMWBS minus the norm for each person's gender (men 23.7, women 23.2, otherwise their mean): n, mean, CI
NORM = (443, -2.05313769752, -2.35128225792, -1.75499313711)
# R jackknife CRV3 of SWEMWBS on the number of assets used, across the 3 communities: effect, se, p (t(2)), n
KIND_TOTAL = (0.9279616163933, 0.1980701946876, 0.0426649253598, 430)


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("holdout")
    for survey in ("swemwbs_ons", "mix"):
        assert main(["report", str(HOLDOUT / survey), "--out", str(out / survey), "--quiet"]) == 0
    return out


def _table(outputs: Path, survey: str, name: str) -> pd.DataFrame:
    return pd.read_csv(outputs / survey / f"{name}.csv")


def test_short_form_asset_models_of_a_holdout_survey_match_r(outputs: Path) -> None:
    effects = _table(outputs, "swemwbs_ons", "asset_effects").set_index("asset")
    for slug, golden in SHORT_FORM.items():
        got = [effects.at[slug, key] for key in ("effect", "se", "ci_low", "ci_high", "p", "n", "p_adj")]
        np.testing.assert_allclose(got, golden, rtol=1e-7, err_msg=slug)


def test_each_asset_is_valued_on_life_satisfaction_only_where_enough_answered_it(outputs: Path) -> None:
    values = _table(outputs, "swemwbs_ons", "asset_value").set_index("asset")
    for slug, (on_ls, *golden) in VALUED.items():
        row = values.loc[slug]
        assert row["outcome"] == ("life_satisfaction" if on_ls else "swemwbs_bridged"), slug
        keys = ("effect", "se", "p_adj", "effect_shrunk", "se_shrunk", "users_valued", "value_central")
        np.testing.assert_allclose([row[key] for key in keys], golden, rtol=1e-6, err_msg=slug)
        if not on_ls:
            assert row["effect"] == pytest.approx(0.26 * SHORT_FORM[slug][0], rel=1e-9)
            assert "life satisfaction not used (answered by too few of the respondents)" in row["warning"]
    assert values.at["birch_park", "evidence"] == "clear"  # bridged, and graded with the others
    assert values.at["cherry_park", "evidence"] == "suggestive"


def test_the_norm_and_cross_community_models_of_a_holdout_survey_match_r(outputs: Path) -> None:
    norms = _table(outputs, "swemwbs_ons", "norm_comparison")
    row = norms[norms["group_type"] == "overall"].iloc[0]
    np.testing.assert_allclose([row[key] for key in ("n", "difference", "ci_low", "ci_high")], NORM, rtol=1e-9)
    kinds = _table(outputs, "swemwbs_ons", "kind_effects")
    total = kinds[(kinds["exposure"] == "assets_used_total") & (kinds["method"] == "ols_crv3")].iloc[0]
    np.testing.assert_allclose([total[key] for key in ("effect", "se", "p", "n")], KIND_TOTAL, rtol=1e-9)


def test_a_mixed_holdout_survey_models_wemwbs_where_asked_and_checks_swemwbs_everywhere(outputs: Path) -> None:
    effects = _table(outputs, "mix", "asset_effects").set_index("asset")
    check = _table(outputs, "mix", "swemwbs_effects").set_index("asset")
    values = _table(outputs, "mix", "asset_value").set_index("asset")
    for slug, (wemwbs, short) in MIXED.items():
        got = [check.at[slug, key] for key in ("effect", "se", "p_adj", "value_central")]
        np.testing.assert_allclose(got, short, rtol=1e-7, err_msg=slug)
        if wemwbs is None:
            community = slug.split("_")[0]
            assert np.isnan(effects.at[slug, "effect"]) and values.at[slug, "evidence"] == "not_estimated"
            assert (
                effects.at[slug, "warning"] == f'no respondent in "{community}" has a complete WEMWBS (14 statements)'
            )
        else:
            got = [effects.at[slug, key] for key in ("effect", "se", "p_adj")]
            np.testing.assert_allclose(got, wemwbs, rtol=1e-7, err_msg=slug)
            assert values.at[slug, "effect"] == pytest.approx(0.13 * wemwbs[0], rel=1e-9)
    html = (outputs / "mix" / "report.html").read_text(encoding="utf-8")
    assert "295 responses have a SWEMWBS score but no complete WEMWBS" in html
