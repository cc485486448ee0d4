"""A survey that asked SWEMWBS alone, end to end through `python -m analysis report`, against R.

The golden survey of test_end_to_end_golden.py with the 7 WEMWBS statements outside SWEMWBS and
the ONS life-satisfaction question blank, as a short-form campaign exports it. R 4 computed the
values once (tests/analysis/golden_short_form.R; never run by the tests or the product): the
SWEMWBS metric score from the conversion table, ``lm`` with ``sandwich::vcovHC(type = "HC3")`` per
asset, ``p.adjust(method = "BH")``, ``metafor::rma(0.26 * effect, sei = 0.26 * se, method =
"REML")`` (convergence threshold 1e-10) and ``blup()``, ``t.test`` of the scores and of their
differences from the Ng Fat et al. 2017 norms.
"""

from __future__ import annotations

import re
from dataclasses import replace
from html import unescape
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis import read_dataset
from analysis.cells import DatasetError
from analysis.cli import main
from analysis.pipeline import run_dataset
from analysis.profile import profile_snapshot
from analysis.report import sections
from analysis.report.assets import effects_section
from analysis.report.ledger import ledger
from analysis.report.names import names_for
from analysis.report.sections import reliability_section
from survey.datasets.profiles import cover, display_tables
from tests.analysis.golden_survey import write_golden

# asset: SWEMWBS effect, se, ci_low, ci_high, p, n, p_adj (BH); BLUP of the bridged effect, its se
# fmt: off
GOLDEN = {
    "ash_park": (0.4724396362, 0.5728731766, -0.66358937084, 1.6084686432, 0.4114382125846, 119, 0.70532265015, 0.1652382755, 0.08395016708),  # noqa: E501
    "ash_club": (0.29910433141, 0.5157123106, -0.72357253342, 1.3217811962, 0.5631805618972, 119, 0.75090741586, 0.1495852089, 0.08110534065),  # noqa: E501
    "ash_hub": (0.84478307672, 0.5583428805, -0.26243180797, 1.9519979614, 0.1333080009561, 119, 0.31993920229, 0.1901247554, 0.08328396003),  # noqa: E501
    "beech_park": (0.62751434615, 0.4862082464, -0.33676503593, 1.5917937282, 0.1997220276174, 118, 0.39944405523, 0.1743402164, 0.07937507912),  # noqa: E501
    "beech_club": (0.24387914026, 0.5159412520, -0.77936864571, 1.2671269262, 0.6374360109573, 118, 0.76492321315, 0.1453745287, 0.08111801071),  # noqa: E501
    "beech_hub": (1.01510146415, 0.5025260639, 0.01845953971, 2.0117433886, 0.0459800508957, 118, 0.18392020358, 0.2053723931, 0.08035641133),  # noqa: E501
    "cedar_park": (1.21398178826, 0.7435899272, -0.26058494176, 2.6885485183, 0.1055782394291, 119, 0.31673471829, 0.2023692184, 0.08965904763),  # noqa: E501
    "cedar_club": (0.06553324334, 0.6751869846, -1.27338788456, 1.4044543712, 0.9228660239055, 119, 0.92286602391, 0.1477339428, 0.08776642311),  # noqa: E501
    "cedar_hub": (2.27333105502, 0.6635469348, 0.95749258270, 3.5891695273, 0.0008781095704, 119, 0.01053731485, 0.2625367012, 0.08739851431),  # noqa: E501
    "damson_park": (1.75510267598, 0.6130871405, 0.53904723963, 2.9711581123, 0.0050980174859, 117, 0.03058810492, 0.2427558231, 0.08561854971),  # noqa: E501
    "damson_club": (-0.47150467095, 0.6588073126, -1.77824585175, 0.8352365098, 0.4758152969306, 117, 0.71372294540, 0.1179888767, 0.08724441863),  # noqa: E501
    "damson_hub": (0.14094655600, 0.6782314895, -1.20432238754, 1.4862154995, 0.8357879260436, 117, 0.91176864659, 0.1517796529, 0.08786024771),  # noqa: E501
}
# fmt: on
# R t.test: n, mean, sd, ci_low, ci_high of the SWEMWBS metric scores; n, mean, ci of their difference from the norm
OVERALL = (480, 25.2338125, 3.706096857, 24.901426305, 25.566198695)
NORM = (480, 1.783291667, 1.451951410, 2.114631924)


@pytest.fixture(scope="module")
def short_form(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("short-form")
    responses = write_golden(folder / "export", asked="swemwbs")
    assert main(["report", str(responses.parent), "--out", str(folder / "out"), "--quiet"]) == 0
    return folder


def _table(folder: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(folder / "out" / f"{name}.csv")


def test_asset_models_of_a_short_form_survey_match_r(short_form: Path) -> None:
    effects = _table(short_form, "asset_effects").set_index("asset")
    for slug, golden in GOLDEN.items():
        row = effects.loc[slug]
        got = [row[key] for key in ("effect", "se", "ci_low", "ci_high", "p", "n", "p_adj")]
        np.testing.assert_allclose(got, golden[:7], rtol=1e-7, err_msg=slug)


def test_a_short_form_survey_is_valued_through_the_swemwbs_bridge(short_form: Path) -> None:
    values = _table(short_form, "asset_value").set_index("asset")
    for slug, golden in GOLDEN.items():
        row = values.loc[slug]
        assert row["outcome"] == "swemwbs_bridged"
        np.testing.assert_allclose([row["effect"], row["se"]], [0.26 * golden[0], 0.26 * golden[1]], rtol=1e-7)
        np.testing.assert_allclose([row["p_adj"], row["effect_shrunk"], row["se_shrunk"]], golden[6:], rtol=1e-6)
        assert row["evidence"] == ("clear" if golden[6] < 0.05 else "suggestive" if golden[4] < 0.05 else "none")
        assert "0.26 life-satisfaction points per SWEMWBS point" in row["warning"]
    assert set(values["evidence"]) == {"clear", "suggestive", "none"}  # cedar_hub, damson_park; beech_hub


def test_a_short_form_survey_is_compared_with_the_swemwbs_norms(short_form: Path) -> None:
    described = _table(short_form, "descriptives")
    overall = described[(described["measure"] == "swemwbs") & (described["group_type"] == "overall")].iloc[0]
    got = [overall[key] for key in ("n", "mean", "sd", "ci_low", "ci_high")]
    np.testing.assert_allclose(got, OVERALL, rtol=1e-8)
    norms = _table(short_form, "norm_comparison")
    row = norms[norms["group_type"] == "overall"].iloc[0]
    assert row["measure"] == "swemwbs" and "Ng Fat" in row["norm_source"]
    np.testing.assert_allclose([row[key] for key in ("n", "difference", "ci_low", "ci_high")], NORM, rtol=1e-8)
    # No invented SWEMWBS bands, and no SWEMWBS "sensitivity" that would repeat the main models.
    assert len(_table(short_form, "wemwbs_bands")) == 0 and len(_table(short_form, "swemwbs_effects")) == 0


def test_the_report_of_a_short_form_survey_speaks_of_swemwbs(short_form: Path) -> None:
    html = (short_form / "out" / "report.html").read_text(encoding="utf-8")
    text = " ".join(unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<img[^>]*>", "", html))).split())
    assert "This survey asked the short form only, so SWEMWBS is the outcome throughout" in text
    assert "Difference (SWEMWBS points)" in text and "average SWEMWBS score was 25.2 out of 35" in text
    assert "0.26 life-satisfaction points per SWEMWBS point" in text and "1 to 3 SWEMWBS points" in text
    assert "Ng Fat" in text
    # WEMWBS appears only in the references, the copyright notice and nowhere as a measure of these people.
    assert not re.search(r"\bWEMWBS (points|score|difference)|Average WEMWBS|SWEMWBS difference", text)
    assert not re.search(r"\bWEMWBS Everyone", text)  # no reliability row of a scale nobody answered


def test_profiles_of_a_short_form_survey_name_swemwbs(short_form: Path) -> None:
    snapshot = profile_snapshot(run_dataset(read_dataset(short_form / "export")))
    profile = snapshot["assets"]["cedar_hub"]
    assert profile["scale"] == "swemwbs" and profile["wellbeing"]["effect"] == pytest.approx(GOLDEN["cedar_hub"][0])
    assert "non-users on SWEMWBS" in profile["sentences"]["wellbeing"]
    rows = dict(display_tables(profile, 10)["wellbeing"])
    assert rows["SWEMWBS difference, users minus non-users (points)"] == "+2.27"
    assert rows["Outcome valued"] == "SWEMWBS, bridged to life satisfaction"
    sentence, _rows = cover(snapshot["summary"], 10)
    assert sentence.startswith("The average SWEMWBS score here is")


def test_a_stored_profile_from_before_the_short_form_still_shows(short_form: Path) -> None:
    profile = profile_snapshot(run_dataset(read_dataset(short_form / "export")))["assets"]["ash_park"]
    stored = {key: value for key, value in profile.items() if key not in ("scale", "wellbeing")}
    stored["wemwbs"] = profile["wellbeing"]  # how snapshots held the effect before SWEMWBS runs
    assert dict(display_tables(stored, 10)["wellbeing"])["WEMWBS difference, users minus non-users (points)"]


def test_a_survey_with_neither_scale_says_there_is_no_outcome(tmp_path: Path) -> None:
    responses = write_golden(tmp_path / "export", asked="swemwbs")
    frame = pd.read_csv(responses, dtype=str, keep_default_na=False)
    frame["wemwbs_3"] = ""  # every SWEMWBS is incomplete too
    frame.to_csv(responses, index=False)
    with pytest.raises(DatasetError, match=r"no response has a complete WEMWBS \(14 statements\) or SWEMWBS"):
        run_dataset(read_dataset(responses.parent))


def test_a_survey_mixing_both_forms_is_modelled_on_wemwbs_and_says_what_it_leaves_to_the_check(tmp_path: Path) -> None:
    responses = write_golden(tmp_path / "export")
    frame = pd.read_csv(responses, dtype=str, keep_default_na=False)
    short = frame["community"].isin(["cedar", "damson"])  # two campaigns asked SWEMWBS, not the ONS questions
    for column in (
        "wemwbs_4",
        "wemwbs_5",
        "wemwbs_8",
        "wemwbs_10",
        "wemwbs_12",
        "wemwbs_13",
        "wemwbs_14",
        "ons_life_satisfaction",
    ):
        frame.loc[short, column] = ""
    frame.to_csv(responses, index=False)
    result = run_dataset(read_dataset(responses.parent))
    # 240 asked the short form, and 4 left out a statement (wemwbs_5) only the full form has.
    assert result.scale.key == "wemwbs" and result.summary["short_form_only"] == 244
    effects = result.asset_effects.set_index("asset")
    assert np.isnan(effects.loc["cedar_hub", "effect"])  # no WEMWBS there
    check = result.swemwbs_effects.set_index("asset")
    assert check.loc["cedar_hub", "effect"] == pytest.approx(GOLDEN["cedar_hub"][0], rel=1e-9)
    sentences = " ".join(str(s) for s in effects_section(result, names_for(result))["sentences"])
    assert "244 responses have a SWEMWBS score but no complete WEMWBS" in sentences
    assert "its community's asset profiles, made for that community alone, are modelled on SWEMWBS" in sentences
    # The ledger names no outcome for an asset valued on nothing (it said "WEMWBS, bridged").
    rows = {row[0].value: row for row in ledger(result.asset_value, names_for(result), 10, 2019).rows}
    outcome = [column.title for column in ledger(result.asset_value, names_for(result), 10, 2019).columns].index(
        "Outcome"
    )
    assert rows["Cedar Hub"][outcome].value == "" and rows["Ash Hub"][outcome].value == "Life satisfaction (asked)"


def test_the_report_of_a_short_form_survey_quotes_no_wemwbs_yardstick(short_form: Path) -> None:
    # numbers7 audit: the references quoted the WEMWBS norms and 3-point yardstick, and the privacy note
    # spoke of score bands, in a report of a survey that asked only SWEMWBS (which has neither).
    html = (short_form / "out" / "report.html").read_text(encoding="utf-8")
    text = " ".join(unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<img[^>]*>", "", html))).split())
    references = text[text.index("References") :]
    assert "men 50.1, women 49.6" not in references and "about 3 points of individual change" not in references
    assert "(SWEMWBS means: men 23.7, women 23.2)" in references and "1 to 3 points of individual change" in references
    assert "broad bands" not in text and "Wellbeing is shown as group averages, never as individual values" in text


def test_an_asset_of_a_short_form_community_in_a_mixed_survey_says_why_it_has_no_wemwbs_model(tmp_path: Path) -> None:
    # numbers7 audit: the reason given was "fewer than 10 users or non-users in the model (0 users, 0
    # non-users)" for assets with about 60 users each, whose campaign had asked SWEMWBS instead.
    responses = write_golden(tmp_path / "export")
    frame = pd.read_csv(responses, dtype=str, keep_default_na=False)
    short = frame["community"] == "cedar"
    for item in (4, 5, 8, 10, 12, 13, 14):
        frame.loc[short, f"wemwbs_{item}"] = ""
    frame.to_csv(responses, index=False)
    result = run_dataset(read_dataset(responses.parent))
    effects = result.asset_effects.set_index("asset")
    for slug in ("cedar_park", "cedar_club", "cedar_hub"):
        assert effects.loc[slug, "warning"] == 'no respondent in "cedar" has a complete WEMWBS (14 statements)'
        assert effects.loc[slug, "n_users"] > 50 and np.isnan(effects.loc[slug, "effect"])
        assert result.swemwbs_effects.set_index("asset").loc[slug, "effect"] == pytest.approx(GOLDEN[slug][0])
    sentences = " ".join(str(s) for s in effects_section(result, names_for(result))["sentences"])
    assert "0 users, 0 non-users" not in sentences


def test_one_full_wemwbs_in_a_short_form_survey_does_not_take_the_models_away(tmp_path: Path) -> None:
    # numbers7 audit: one response with all 14 statements (an imported pilot row) made WEMWBS the outcome of
    # the whole run: every asset "not estimated" and nothing valued. Now a scale needs enough responses for
    # one asset model (2 x min_group) to be the outcome.
    responses = write_golden(tmp_path / "export", asked="swemwbs")
    frame = pd.read_csv(responses, dtype=str, keep_default_na=False)
    for item in (4, 5, 8, 10, 12, 13, 14):
        frame.loc[0, f"wemwbs_{item}"] = "3"
    frame.to_csv(responses, index=False)
    result = run_dataset(read_dataset(responses.parent))
    assert result.scale.key == "swemwbs" and result.summary["wemwbs_scored"] == 1
    effects = result.asset_effects.set_index("asset")
    for slug, golden in GOLDEN.items():
        assert effects.loc[slug, "effect"] == pytest.approx(golden[0], rel=1e-9), slug
    section = sections.wellbeing_section(result, names_for(result))
    assert section is not None
    sentence = str(section["introduction"])
    assert "Only 1 response of this survey has the full WEMWBS, too few to model, so SWEMWBS" in sentence


def test_an_alpha_just_under_the_yardstick_is_not_rounded_up_to_it(short_form: Path) -> None:
    # numbers7 audit: SWEMWBS alpha 0.798 read "0.80" beside "hang together well when alpha is 0.8 or more".
    result = run_dataset(read_dataset(short_form / "export"))
    alphas = result.reliability.copy()
    alphas.loc[(alphas["scale"] == "swemwbs") & (alphas["group"] == "overall"), "alpha"] = 0.798
    sentences = reliability_section(replace(result, reliability=alphas), names_for(result))["sentences"]
    assert "when alpha is 0.8 or more; here it is 0.798." in sentences[0]
