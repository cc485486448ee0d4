"""The workshop report's content: names not slugs, honest value sentences, suppression, ledger,
tornado, provenance; and the asset-use table checked against an independent pandas computation."""

from __future__ import annotations

import dataclasses
import html
import json
import re

import numpy as np
import pandas as pd
import pytest

import instruments
from analysis import AnalysisConfig, AnalysisResult, run
from analysis.asset_use import asset_use, frequency_labels
from analysis.report import render_report, write_provenance
from tests.analysis.synthetic import STANDARD, make_survey

NAMES = {"north": "Northfield", "south": "Southsea", "east": "Eastry"}


def visible_text(document: str) -> str:
    """What a reader sees: tags, style sheet and image data removed, alt text and captions kept."""
    body = re.sub(r"<style>.*?</style>", " ", document, flags=re.DOTALL)
    body = re.sub(r'src="data:image/png;base64,[^"]*"', " ", body)
    alts = " ".join(re.findall(r'alt="([^"]*)"', body))
    return html.unescape(re.sub(r"<[^>]+>", " ", body) + " " + alts)


@pytest.fixture(scope="module")
def frames() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    responses, assets = make_survey(STANDARD, per_community=300, seed=11)
    # A rarely used asset: 3 users in Northfield, so its counts must never be quoted.
    column = responses["asset_north_bus"].astype("Int64")
    north = (responses["community"] == "north").to_numpy()
    column[north] = 0
    column[np.flatnonzero(north)[:3]] = 2
    responses["asset_north_bus"] = column
    assets = assets.assign(community_name=assets["community"].map(NAMES))
    campaigns = pd.DataFrame(
        {
            "campaign": ["north-2026", "south-2026", "east-2026"],
            "community": ["north", "south", "east"],
            "population_size": [5000, None, 12000],
            "sampling_method": ["random", None, "quota"],
        }
    )
    return responses, assets, campaigns


@pytest.fixture(scope="module")
def result(frames) -> AnalysisResult:
    responses, assets, campaigns = frames
    return run(responses, assets, campaigns=campaigns, config=AnalysisConfig(draws=2_000))


@pytest.fixture(scope="module")
def document(result) -> str:
    return render_report(result)


def with_grades(result: AnalysisResult, grades: dict[str, tuple[str, float]]) -> AnalysisResult:
    """The result with hand-set evidence grades and effects (asset -> (evidence, effect))."""
    values = result.asset_value.copy()
    for slug, (evidence, effect) in grades.items():
        row = values["asset"] == slug
        values.loc[row, "evidence"] = evidence
        values.loc[row, "effect"] = effect
        if evidence == "not_estimated":
            values.loc[row, ["effect", "se", "value_central", "value_low", "value_high"]] = np.nan
            values.loc[row, "warning"] = "fewer than 10 users or non-users in the model (3 users, 297 non-users)"
        if evidence != "clear" or effect <= 0:
            values.loc[row, ["bcr_central", "bcr_low", "bcr_high"]] = np.nan
    return dataclasses.replace(result, asset_value=values)


def test_asset_use_matches_an_independent_computation(frames, result) -> None:
    responses, assets, _campaigns = frames
    table = result.asset_use.set_index("asset")
    threshold = result.config.disclosure_threshold
    for slug, community in zip(assets["slug"], assets["community"], strict=True):
        asked = responses.loc[responses["community"] == community]
        frequency = asked[f"asset_{slug}"].dropna().astype(int)
        importance = asked[f"asset_{slug}_value"]
        row = table.loc[slug]
        assert row["community_name"] == NAMES[community]
        assert row["asked"] == len(frequency)
        counts = frequency.value_counts().reindex(range(5), fill_value=0)
        users = int((frequency >= 1).sum())
        if min(users, len(frequency) - users) >= threshold:
            assert row["users"] == users and row["user_share"] == pytest.approx(users / len(frequency))
        else:
            assert pd.isna(row["users"]) and pd.isna(row["user_share"]) and row["suppressed"] == 1
        if counts[counts > 0].min() >= threshold:
            for code in range(5):
                assert row[f"frequency_{code}_count"] == counts[code]
                assert row[f"frequency_{code}_share"] == pytest.approx(counts[code] / len(frequency))
        else:  # a small cell blanks the whole distribution
            assert all(pd.isna(row[f"frequency_{code}_count"]) for code in range(5))
        for group, chosen in (("users", frequency >= 1), ("non_users", frequency == 0)):
            ratings = importance.loc[chosen[chosen].index].dropna()
            if len(ratings) >= threshold:
                assert row[f"importance_{group}_n"] == len(ratings)
                assert row[f"importance_{group}_mean"] == pytest.approx(ratings.mean())
            else:
                assert pd.isna(row[f"importance_{group}_mean"])
    assert table.loc["north_bus", "suppressed"] == 1
    assert frequency_labels()[0] == "Never" and frequency_labels()[4] == "Most days"


def test_asset_use_blanks_a_whole_row_under_the_threshold() -> None:
    responses = pd.DataFrame(
        {"community": ["a"] * 6, "asset_x": [0, 1, 2, 0, 4, 3], "asset_x_value": [1, 2, 3, 4, 5, 5]}
    )
    assets = pd.DataFrame({"slug": ["x"], "name": ["X"], "kind": ["place"], "community": ["a"]})
    row = asset_use(responses, assets, AnalysisConfig()).iloc[0]
    assert row["suppressed"] == 1 and pd.isna(row["asked"]) and pd.isna(row["users"])
    assert asset_use(responses, assets, AnalysisConfig(disclosure_threshold=0)).iloc[0]["users"] == 4


def test_names_never_slugs(result, document) -> None:
    text = visible_text(document)
    for slug in result.dataset.assets["slug"]:
        assert slug not in text, f"asset slug {slug} in the report"
    for slug, name in NAMES.items():
        assert re.search(rf"\b{slug}\b", text) is None, f"community slug {slug} in the report"
        assert name in text
    assert instruments.get("wemwbs").items[0].text in text  # item wording, not keys
    assert not re.search(r"\bwemwbs_\d+\b", text)


def test_small_counts_are_not_quoted_in_the_text(result, document) -> None:
    graded = with_grades(result, {"north_bus": ("not_estimated", np.nan)})
    for text in (visible_text(document), visible_text(render_report(graded))):
        quoted = re.findall(r"\b([1-9]) (?:people|persons?|users?|non-users?|respondents?)\b", text)
        assert quoted == [], f"small counts quoted: {quoted}"
        assert "fewer than 10" in text


def test_value_ledger_and_honest_sentences(result) -> None:
    graded = with_grades(
        result,
        {
            "north_park": ("clear", 0.35),
            "north_library": ("suggestive", 0.2),
            "north_choir": ("none", 0.01),
            "south_hub": ("clear", -0.4),
            "north_bus": ("not_estimated", np.nan),
        },
    )
    document = render_report(graded)
    assert "Value ledger" in document and "never add them up" in document
    assert "must not be added up" in document
    sentences = dict(re.findall(r"<p class='value-sentence evidence-(\w+)'>(.*?)</p>", document))
    assert set(sentences) >= {"clear", "suggestive", "none", "not_estimated"}
    paragraphs = re.findall(r"<p class='value-sentence evidence-(\w+)'>(.*?)</p>", document)
    for evidence, sentence in paragraphs:
        text = html.unescape(re.sub(r"<[^>]+>", "", sentence))
        if evidence in ("suggestive",):
            assert "does not establish" in text and "if the association were real" in text.lower()
            assert "ratio" in text and "each pound" not in text
        elif evidence in ("none", "not_estimated"):
            assert "£" not in text, text
        elif "South Hub" in text:
            assert "may reflect that people who are struggling use the service" in text
            assert "£" not in text and "each pound" not in text
    ledger = re.search(r"<caption>Value ledger.*?</table>", document, re.DOTALL)
    assert ledger is not None
    rows = {
        html.unescape(re.sub(r"<[^>]+>", " ", cells[0])).strip(): [
            html.unescape(re.sub(r"<[^>]+>", " ", c)) for c in cells
        ]
        for cells in (re.findall(r"<td[^>]*>(.*?)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", ledger.group(0)))
        if cells
    }
    assert "none: effect not established" in rows["North Library"][8]
    assert "if real" in rows["North Library"][6]
    assert "none: negative association" in rows["South Hub"][8]
    assert "gross" in rows["North Park"][9]
    assert rows["North Park"][1].strip() == "Northfield"


def test_tornado_only_with_a_clear_asset(result, document) -> None:
    assert (result.asset_value["evidence"] == "clear").any()
    assert "One panel for" in document and "£10,000 to £16,000" in document
    nothing_clear = with_grades(result, {slug: ("none", 0.1) for slug in result.asset_value["asset"]})
    quiet = render_report(nothing_clear)
    assert "One panel for" not in quiet
    assert "states no money value as a finding" in quiet
    assert "each pound" not in quiet


def test_provenance_block_and_file(result, document, tmp_path) -> None:
    assert "<h2 id='provenance'>Provenance</h2>" in document
    assert result.provenance["data_sha256"] in document
    path = write_provenance(result, tmp_path / "provenance.json")
    assert json.loads(path.read_text(encoding="utf-8"))["data_sha256"] == result.provenance["data_sha256"]


def test_tables_scroll_in_their_own_container(document) -> None:
    tables = document.count("<table>")
    assert tables > 5 and document.count("<div class='scroll' role='region'") == tables
    assert "overflow-x: auto" in document


def test_personal_wellbeing_is_reported_only_when_asked(frames, document) -> None:
    assert "Personal well-being (ONS questions)" not in document  # the synthetic survey did not ask ONS4
    responses, assets, campaigns = frames
    rng = np.random.default_rng(4)
    answered = responses.assign(
        **{key: rng.integers(0, 11, len(responses)) for key in instruments.get("ons4").item_keys}
    )
    text = visible_text(render_report(run(answered, assets, campaigns=campaigns, config=AnalysisConfig(draws=2_000))))
    assert "Personal well-being (ONS questions)" in text and "Anxiety yesterday" in text
    expected = answered.loc[answered["community"] == "north", "ons_life_satisfaction"].mean()
    assert f"Community: Northfield Life satisfaction (ONS, 0-10; higher = better) 300 {expected:.2f}" in " ".join(
        text.split()
    )


def test_names_are_escaped_in_text_tables_and_captions(result) -> None:
    """Names are typed by staff: the template escapes them, and so do the sentences that carry emphasis."""
    hostile = "<b>North & Park</b>"

    def renamed(frame: pd.DataFrame, key: str) -> pd.DataFrame:
        return frame.assign(name=frame["name"].where(frame[key] != "north_park", hostile))

    graded = with_grades(result, {"north_park": ("clear", 0.35)})
    document = render_report(
        dataclasses.replace(
            graded,
            dataset=dataclasses.replace(result.dataset, assets=renamed(result.dataset.assets, "slug")),
            asset_value=renamed(graded.asset_value, "asset"),
            asset_use=renamed(result.asset_use, "asset"),
        )
    )
    assert "<b>North" not in document
    escaped = "&lt;b&gt;North &amp; Park&lt;/b&gt;"
    assert f"<strong>{escaped}</strong> (Northfield)" in document  # a value sentence
    assert f"<td class='text'>{escaped}</td>" in document  # the ledger and the use table


def test_interval_labels_follow_the_confidence_level(frames) -> None:
    # `python -m analysis report --alpha 0.1` computes 90% intervals; the report called them 95% CIs.
    responses, assets, campaigns = frames
    result = run(responses, assets, campaigns=campaigns, config=AnalysisConfig(alpha=0.1, draws=1_000))
    text = visible_text(render_report(result))
    assert "90% CI" in text and "90% confidence interval" in text
    assert "95% CI" not in text and "95% confidence interval" not in text
    # The value ranges are the Monte Carlo's 2.5th-97.5th percentiles whatever alpha is: still 95%.
    assert "95% range" in text
    park = result.asset_effects.set_index("asset").loc["north_park"]
    assert 1.64 < (park["ci_high"] - park["effect"]) / park["se"] < 1.66  # t(0.95, ~250 df): a 90% interval
    assert "90% CI from" in text and "Average (dot, 90% CI)" not in text  # figure text is drawn, not written
    # The grades follow alpha too: the methods said "suggestive when only the unadjusted p is below 0.05".
    flat = re.sub(r"\s+", " ", text)
    assert "suggestive when only the unadjusted p is below 0.1," in flat and "below 0.05" not in flat
    assert "it would pass on its own (p below 0.1)" in flat


def test_community_names_from_campaigns_when_the_assets_have_none(frames) -> None:
    # `python -m analysis report` on an assets.csv without community_name beside a campaigns.csv with
    # it: asset_value.csv and the report's ledger named the community by its slug ("north").
    responses, assets, campaigns = frames
    campaigns = campaigns.assign(community_name=campaigns["community"].map(NAMES))
    result = run(responses, assets.drop(columns=["community_name"]), campaigns=campaigns, config=AnalysisConfig())
    assert set(result.asset_value["community_name"]) == set(NAMES.values())
    text = visible_text(render_report(result))
    assert "North Park Northfield" in re.sub(r"\s+", " ", text)
    assert " north " not in re.sub(r"\s+", " ", text)


def test_the_asset_differences_come_with_the_meaningful_change_yardstick(document) -> None:
    # valuation.md lists what a workshop expects beside a WEMWBS difference: about 3 points of individual
    # change as meaningful (Maheswaran et al. 2012), 1-3 on SWEMWBS. The report gave no yardstick.
    text = re.sub(r"\s+", " ", visible_text(document))
    assert "a change of about 3 WEMWBS points is commonly taken as meaningful for one person" in text
    assert "Maheswaran H, Weich S, Powell J, Stewart-Brown S." in text


def test_the_wellby_values_in_the_text_are_the_runs(frames, document) -> None:
    # Pounds per WELLBY set otherwise than HM Treasury's: the methods, the value section's opening, each clear
    # asset's sentence and the tornado caption still said GBP 13,000 and GBP 10,000-16,000 (numbers8 audit).
    responses, assets, campaigns = frames
    config = AnalysisConfig(wellby_low=8_000, wellby_central=12_000, wellby_high=20_000, draws=1_000)
    result = run(responses, assets, campaigns=campaigns, config=config)
    text = re.sub(r"\s+", " ", visible_text(render_report(result)))
    own = "£12,000 in 2019 prices, with £8,000 and £20,000 as sensitivity values (set for this run; HM Treasury's"
    assert text.count(own) == 2  # the methods and the value section
    assert "a WELLBY worth £8,000 to £20,000" in text and "WELLBY value from £8,000 to £20,000" in text
    # HM Treasury's figures appear only as the source's, in the references and beside the run's own.
    assert text.count("£13,000") == text.count(own) + 1
    assert "worth £10,000 to £16,000" not in text and "from £10,000 to £16,000" not in text
    assert (result.asset_value["wellby_central"] == 12_000).all()
    default = re.sub(r"\s+", " ", visible_text(document))
    hmt = "£13,000 in 2019 prices, with £10,000 and £16,000 as sensitivity values (HM Treasury, Wellbeing Guidance"
    assert default.count(hmt) == 2 and "set for this run" not in default


def test_the_methods_say_the_bridge_factor_is_fixed_and_why(document) -> None:
    # valuation.md gives the WEMWBS bridge (0.13) no range, so it is not drawn in the Monte Carlo or moved in the
    # tornado; the methods said only "a secondary figure without published uncertainty" (numbers8 audit).
    text = re.sub(r"\s+", " ", visible_text(document))
    fixed = (
        "The factor is taken as fixed: with no published range there is nothing honest to draw it from or to move "
        "it over, so a bridged value's range and tornado carry the uncertainty of the effect, the users and the "
        "WELLBY value only"
    )
    assert text.count(fixed) == 2  # the methods and the value section
    assert "0.13 life-satisfaction points per WEMWBS point" in text
