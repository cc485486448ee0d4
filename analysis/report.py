"""The workshop report: one self-contained HTML file with embedded PNG figures, for non-statisticians.

Nothing in the file points outside it (no scripts, style sheets, fonts or images from
elsewhere): it is served as a download and opened from disk. Figures are drawn with
matplotlib's object API (no pyplot, so no global state; safe in a background thread).
"""

from __future__ import annotations

import base64
import html
import io
import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

import instruments
from analysis.config import WEMWBS_BANDS
from analysis.dataset import records
from analysis.valuation import CAVEAT

if TYPE_CHECKING:
    from analysis.pipeline import AnalysisResult

# Okabe-Ito colour-blind-safe palette.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
BAND_COLOURS = ("#D55E00", "#E69F00", "#56B4E9", "#009E73")
DIMENSION_LABELS = {
    "sixways_connect": "Connect",
    "sixways_be_active": "Be active",
    "sixways_keep_learning": "Keep learning",
    "sixways_take_notice": "Take notice",
    "sixways_give": "Give",
    "sixways_care": "Care",
}

REFERENCES = (
    "Tennant R, Hiller L, Fishwick R, et al. The Warwick-Edinburgh Mental Well-being Scale (WEMWBS): "
    "development and UK validation. Health and Quality of Life Outcomes 2007;5:63.",
    "Stewart-Brown S, Tennant A, Tennant R, et al. Internal construct validity of the Warwick-Edinburgh "
    "Mental Well-being Scale (WEMWBS): a Rasch analysis. Health and Quality of Life Outcomes 2009;7:15.",
    "NHS Digital. Health Survey for England 2016: well-being and mental health (WEMWBS means: men 50.1, women 49.6).",
    "HM Treasury. Wellbeing Guidance for Appraisal: Supplementary Green Book Guidance. July 2021.",
    "Mukuria C, Rowen D, Peasgood T, Brazier J. An empirical comparison of well-being measures used in "
    "the UK. Policy Research Unit in Economic Evaluation of Health and Care Interventions, RR0048, 2016 "
    "(conversion factors as used by Happy City's WellWorth method).",
    "MacKinnon JG, White H. Some heteroskedasticity-consistent covariance matrix estimators with improved "
    "finite sample properties. Journal of Econometrics 1985;29:305-325.",
    "MacKinnon JG, Nielsen MO, Webb MD. Cluster-robust inference: a guide to empirical practice. Journal "
    "of Econometrics 2023;232:272-299.",
    "Benjamini Y, Hochberg Y. Controlling the false discovery rate. Journal of the Royal Statistical "
    "Society B 1995;57:289-300.",
    "Cronbach LJ. Coefficient alpha and the internal structure of tests. Psychometrika 1951;16:297-334; "
    "Feldt LS. Psychometrika 1965;30:357-370 (confidence interval).",
    "McAneney H, Tully MA, Hunter RF, et al. Individual factors and perceived community characteristics "
    "in relation to mental health and mental well-being. BMC Public Health 2015;15:1237.",
    "Bickerdike L, Booth A, Wilson PM, et al. Social prescribing: less rhetoric and more reality. A "
    "systematic review of the evidence. BMJ Open 2017;7:e013384.",
)

NOT_SIGNIFICANT = " (not clearly different from zero once many assets are tested: adjusted p above 0.05)"


def write_report(result: AnalysisResult, path: str | Path) -> Path:
    """Write ``report.html`` for `result`; returns the path."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_report(result), encoding="utf-8")
    return target


def render_report(result: AnalysisResult) -> str:
    """The report as one HTML document (a string)."""
    sections = [
        _introduction(result),
        _wellbeing_section(result),
        _sixways_section(result),
        _assets_section(result),
        _kinds_section(result),
        _value_section(result),
        _reliability_section(result),
        _methods_section(result),
    ]
    body = "\n".join(sections)
    return f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Community wellbeing and assets: workshop report</title>
<style>{_CSS}</style>
</head>
<body>
<main>
<h1>Community wellbeing and assets: workshop report</h1>
{body}
</main>
</body>
</html>
"""


_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; line-height: 1.5;
       color: #1b1b1b; background: #fff; margin: 0; }
main { max-width: 60rem; margin: 0 auto; padding: 1.5rem; }
h1 { font-size: 1.8rem; } h2 { margin-top: 2.5rem; border-bottom: 2px solid #0072B2; }
figure { margin: 1.5rem 0; } figure img { max-width: 100%; height: auto; border: 1px solid #ddd; }
figcaption { font-size: 0.95rem; color: #333; }
table { border-collapse: collapse; margin: 1rem 0; font-size: 0.9rem; }
caption { text-align: left; font-weight: bold; padding-bottom: 0.3rem; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.5rem; text-align: right; vertical-align: top; }
th:first-child, td:first-child { text-align: left; }
td.text, th.text { text-align: left; } td.text:first-child { min-width: 11rem; }
.scroll { overflow-x: auto; }
.caveat { background: #fff4e5; border-left: 4px solid #E69F00; padding: 0.5rem 1rem; }
.note { color: #444; font-size: 0.9rem; }
.plain { background: #eef6fb; border-left: 4px solid #0072B2; padding: 0.5rem 1rem; }
"""


# ---------------------------------------------------------------------------------------------
# Sections


def _introduction(result: AnalysisResult) -> str:
    summary = result.summary
    config = result.config
    modes = ", ".join(f"{count} {mode}" for mode, count in summary["modes"].items())
    dates = ""
    if summary["first_submitted"]:
        dates = f" submitted between {summary['first_submitted']} and {summary['last_submitted']}"
    verified = ""
    if summary.get("verified_only"):
        verified = " Paper forms still awaiting their second keying or with unresolved differences are left out."
    elif summary["unverified"]:
        verified = f" {summary['unverified']} responses are not yet verified (paper double entry pending)."
    return f"""
<p>This report describes the wellbeing of the people who answered the survey, how it compares with
England as a whole, and how wellbeing goes with the use of local community assets. It is written
for a workshop: each figure has a plain-English summary beneath it, and the last section explains
the methods and what the numbers can and cannot tell us.</p>
<p class="plain">It is based on <strong>{summary["responses"]:,} complete responses</strong>{dates}
from {len(summary["communities"])} communit{"y" if len(summary["communities"]) == 1 else "ies"}
({_esc(", ".join(summary["communities"]))}); modes: {_esc(modes)}.{verified}
Groups of fewer than {config.disclosure_threshold} people are not reported, to protect privacy.</p>
<div class="caveat"><p><strong>Please read with care.</strong> This is a one-off survey. It shows which
things go together, not what causes what: people who use an asset may differ from those who do not in
ways the survey did not measure.</p></div>
"""


def _wellbeing_section(result: AnalysisResult) -> str:
    config = result.config
    norms = result.norm_comparison
    overall = records(norms[norms["group_type"] == "overall"])[0]
    communities = norms[norms["group_type"] == "community"]
    figure = _figure(
        _wellbeing_figure(result),
        "Average WEMWBS score per community with 95% confidence intervals, against the England average "
        "for the same gender mix, and the share of people in each commonly used score band.",
    )
    sentences = []
    if not overall["suppressed"]:
        sentences.append(
            f"Across everyone who answered, the average WEMWBS score was {overall['mean']:.1f} out of 70. "
            f"That is {_points_phrase(overall['difference'])} the England average for people of the same gender "
            f"mix ({config.norm_source}: men {config.norm_men}, women {config.norm_women}); the range we can "
            f"be reasonably sure of (95% confidence interval) is {_signed(overall['ci_low'])} to "
            f"{_signed(overall['ci_high'])} points, so {_clear(overall['ci_low'], overall['ci_high'], 'difference')}."
        )
    for row in records(communities):
        if row["suppressed"]:
            sentences.append(f"{_esc(row['group'])}: fewer than {config.disclosure_threshold} people, not reported.")
        else:
            sentences.append(
                f"{_esc(row['group'])}: average {row['mean']:.1f}, {_points_phrase(row['difference'])} the England "
                f"average (95% CI {_signed(row['ci_low'])} to {_signed(row['ci_high'])}; "
                f"{_clear(row['ci_low'], row['ci_high'], 'difference')})."
            )
    bands = result.wemwbs_bands
    low_band = bands[(bands["group_type"] == "overall") & (bands["band"] == WEMWBS_BANDS[0][0])]
    if len(low_band) and not records(low_band)[0]["suppressed"]:
        sentences.append(
            f"About {records(low_band)[0]['share']:.0%} of people scored 40 or below. Score bands like this are "
            "conventions used in reports, not diagnoses: WEMWBS is not a screening tool."
        )
    mode = norms[norms["group_type"] == "mode"]
    interview = mode[(mode["group"] == "interview") & (mode["suppressed"] == 0)]
    if len(interview):
        sentences.append(
            "People interviewed face to face tend to report higher wellbeing than people filling the form in "
            "themselves, so groups with many interviews may look better off than they are."
        )
    table = _table(
        norms.assign(
            group=norms["group_type"].str.replace("_", " ") + ": " + norms["group"].astype(str),
        ),
        [
            ("group", "Group", "text"),
            ("n", "People", "int"),
            ("mean", "Average WEMWBS", "1"),
            ("norm", "England average, same gender mix", "1"),
            ("difference", "Difference", "s1"),
            ("ci_low", "95% CI from", "s1"),
            ("ci_high", "95% CI to", "s1"),
        ],
        f"Average WEMWBS against the England norm (blank: fewer than {config.disclosure_threshold} people)",
    )
    return (
        "<h2>Wellbeing compared with England</h2>"
        "<p>Wellbeing was measured with the Warwick-Edinburgh Mental Wellbeing Scale (WEMWBS): 14 statements "
        "about the last two weeks, giving a score from 14 to 70; higher is better.</p>"
        + figure
        + _paragraphs(sentences)
        + table
    )


def _sixways_section(result: AnalysisResult) -> str:
    table = result.descriptives
    dims = list(DIMENSION_LABELS)
    rows = table[table["measure"].isin(dims) & table["group_type"].isin(["overall", "community"])]
    if rows["mean"].notna().sum() == 0:
        return "<h2>Six ways to wellbeing</h2><p>No six-ways answers to report.</p>"
    overall = rows[rows["group_type"] == "overall"].set_index("measure")["mean"].reindex(dims)
    sentences = []
    if overall.notna().any():
        high = str(overall.idxmax())
        low = str(overall.idxmin())
        sentences.append(
            f"Of the six ways, people most often said they <em>{DIMENSION_LABELS[high].lower()}</em> "
            f"(average {overall[high]:.1f} on a 1-5 scale, 1 = never, 5 = very often) and least often "
            f"<em>{DIMENSION_LABELS[low].lower()}</em> ({overall[low]:.1f})."
        )
    sentences.append(
        "These six-ways questions are the project's own and have not been validated, so compare communities "
        "with each other rather than reading the numbers as a standard measure."
    )
    return (
        "<h2>Six ways to wellbeing</h2>"
        + _figure(
            _sixways_figure(rows, dims),
            "Average frequency of each of the six ways to wellbeing (1 = never, 5 = very often), overall and "
            "per community, with 95% confidence intervals.",
        )
        + _paragraphs(sentences)
    )


def _assets_section(result: AnalysisResult) -> str:
    effects = result.asset_effects
    config = result.config
    assets = result.dataset.assets.set_index("slug")
    estimated = effects[effects["effect"].notna()]
    skipped = effects[effects["effect"].isna()]
    sentences = [
        f"For each asset we compared the WEMWBS scores of people who use it with those of people in the same "
        f"community who do not, allowing for age, gender, employment, years in the area and how the survey was "
        f"done (online, interview or paper). {len(estimated)} of {len(effects)} assets had enough users and "
        f"non-users (at least {config.min_group} of each) to do this."
    ]
    clear = estimated[estimated["p_adj"] < config.alpha]
    if len(clear):
        for row in records(clear.sort_values("effect", ascending=False)):
            name = _asset_name(assets, row["asset"])
            sentences.append(
                f"Users of <strong>{name}</strong> scored on average {_points_phrase(row['effect'])} non-users "
                f"(95% CI {_signed(row['ci_low'])} to {_signed(row['ci_high'])}), a difference that stands out even "
                "after allowing for the number of assets tested."
            )
    else:
        sentences.append(
            "After allowing for the number of assets tested at once, no single asset stands out clearly; that "
            "does not mean the assets make no difference, only that this survey cannot tell them apart from chance."
        )
    if len(skipped):
        sentences.append(
            "Not estimated: "
            + "; ".join(f"{_asset_name(assets, row['asset'])} ({_esc(row['warning'])})" for row in records(skipped))
            + "."
        )
    dose = result.dose_response.set_index("asset")
    short = result.swemwbs_effects.set_index("asset")
    merged = effects.set_index("asset").join(dose[["effect", "ci_low", "ci_high"]].add_prefix("dose_"))
    merged = merged.join(short[["effect", "ci_low", "ci_high", "p_adj"]].add_prefix("swemwbs_")).reset_index()
    merged["name"] = [_asset_name(assets, slug, escape=False) for slug in merged["asset"]]
    agree = estimated.merge(short.reset_index()[["asset", "effect"]], on="asset", suffixes=("", "_short"))
    agree = agree[agree["effect_short"].notna()]
    if len(agree):
        same = int((np.sign(agree["effect"]) == np.sign(agree["effect_short"])).sum())
        sentences.append(
            f"As a check, the same models with the short scale (SWEMWBS, 7-35) point the same way for {same} of "
            f"{len(agree)} assets."
        )
    table = _table(
        merged,
        [
            ("name", "Asset", "text"),
            ("kind", "Kind", "text"),
            ("n_users", "Users", "int"),
            ("n", "In model", "int"),
            ("effect", "Difference (WEMWBS points)", "s2"),
            ("ci_low", "95% CI from", "s2"),
            ("ci_high", "95% CI to", "s2"),
            ("p", "p", "p"),
            ("p_adj", "p (BH-adjusted)", "p"),
            ("dose_effect", "Per step of use (0-4)", "s2"),
            ("swemwbs_effect", "SWEMWBS difference", "s2"),
        ],
        "Asset effects: WEMWBS points associated with using each asset, adjusted",
    )
    return (
        "<h2>Community assets and wellbeing</h2>"
        + _figure(
            _forest_figure(estimated, assets, config.alpha),
            "Difference in WEMWBS score between users and non-users of each asset, with 95% confidence "
            "intervals, adjusted for age, gender, employment, years in the area and survey mode. Filled dots: "
            "clear after allowing for multiple testing (Benjamini-Hochberg).",
        )
        + _paragraphs(sentences)
        + table
        + "<p class='note'>'Per step of use' is the change in WEMWBS for each step up the frequency scale "
        "(never, less than monthly, about monthly, about weekly, most days): a dose-response check. "
        "SWEMWBS differences are on the short scale (7-35) and are not directly comparable in size.</p>"
    )


def _kinds_section(result: AnalysisResult) -> str:
    kinds = result.kind_effects
    total = kinds[(kinds["exposure"] == "assets_used_total") & (kinds["method"] == "ols_crv3")]
    sentences = []
    if len(total) and math.isfinite(records(total)[0]["effect"]):
        row = records(total)[0]
        sentences.append(
            f"Across all {int(row['n_communities'])} communities, each additional asset a person uses goes with "
            f"a WEMWBS score {_change_phrase(row['effect'])} (95% CI {_signed(row['ci_low'])} to "
            f"{_signed(row['ci_high'])}; {_clear(row['ci_low'], row['ci_high'], 'association')})."
        )
    sentences.append(
        "These models pool every community. Their uncertainty allows for people in the same community being "
        "alike (cluster-robust CRV3 errors with few-cluster t tests); with only a handful of communities the "
        "intervals are wide. A second method (a mixed model with a community random intercept) is shown as a "
        "check: where the two disagree, be cautious."
    )
    methods = {"ols_crv3": "regression, CRV3 (main)", "mixedlm": "mixed model (check)"}
    table = _table(
        kinds.assign(
            label=kinds["exposure"].str.replace("assets_used_", "", regex=False).str.replace("_", " "),
            method=kinds["method"].map(methods),
        ),
        [
            ("label", "Number of assets used", "text"),
            ("method", "Method", "text"),
            ("n", "People", "int"),
            ("n_communities", "Communities", "int"),
            ("effect", "Per asset (WEMWBS points)", "s2"),
            ("ci_low", "95% CI from", "s2"),
            ("ci_high", "95% CI to", "s2"),
            ("p", "p", "p"),
            ("warning", "Warning", "text"),
        ],
        "Wellbeing and the number of assets used, by kind of asset, across communities",
    )
    return "<h2>Kinds of assets, across communities</h2>" + _paragraphs(sentences) + table


def _value_section(result: AnalysisResult) -> str:
    values = result.asset_value
    config = result.config
    assets = result.dataset.assets.set_index("slug")
    valued = values[values["value_central"].notna()]
    price = f"{config.price_year} prices"
    sentences = [
        f"To put a money value on the wellbeing that goes with an asset we follow HM Treasury's wellbeing "
        f"guidance: one WELLBY (one point of life satisfaction for one person for a year) is worth "
        f"£{config.wellby_central * config.price_factor:,.0f} (range £{config.wellby_low * config.price_factor:,.0f} "
        f"to £{config.wellby_high * config.price_factor:,.0f}, {price}). One WEMWBS point is taken as "
        f"{config.ls_per_wemwbs} life-satisfaction points (WellWorth, after Mukuria et al. 2016). "
        "Value a year = difference in WEMWBS x number of users x that conversion x value of a WELLBY."
    ]
    for row in records(valued.sort_values("value_central", ascending=False).head(5)):
        name = _asset_name(assets, row["asset"])
        # "Significant" is judged on the BH-adjusted p, so the range shown may exclude zero regardless.
        sign = "" if row["significant"] == 1 else NOT_SIGNIFICANT
        ratio = (
            f", against a running cost of {_money(row['annual_cost'])} a year "
            f"(benefit-cost ratio {row['bcr_central']:.1f})"
            if math.isfinite(row["bcr_central"])
            else ""
        )
        sentences.append(
            f"{name}: central value {_money(row['value_central'])} a year{sign}, range {_money(row['value_low'])} "
            f"to {_money(row['value_high'])}{ratio}."
        )
    scaled = values["users_basis"].str.startswith("scaled").sum()
    sentences.append(
        f"Users were scaled from the survey to the whole community for {scaled} of {len(values)} assets (where the "
        "campaign records its population size and sampling method): the share of respondents who use the asset "
        "times the community's population. Otherwise only the people surveyed are counted, which understates "
        "the value. Scaling assumes the respondents represent the community, which a non-random sample may not."
    )
    populations = _population_notes(result)
    if populations:
        sentences.append("Populations used: " + "; ".join(populations) + ".")
    counted = np.where(values["users_basis"].str.startswith("scaled"), "scaled to the community", "surveyed users only")
    table = _table(
        values.assign(name=[_asset_name(assets, slug, escape=False) for slug in values["asset"]], counted=counted),
        [
            ("name", "Asset", "text"),
            ("users_valued", "Users valued", "0"),
            ("annual_cost", "Annual cost (£)", "money"),
            ("value_low", "Value low (£)", "money"),
            ("value_central", "Value central (£)", "money"),
            ("value_high", "Value high (£)", "money"),
            ("bcr_central", "Benefit-cost ratio", "2"),
            ("counted", "Users counted", "text"),
        ],
        f"Money value of the wellbeing associated with each asset, a year, {price}",
    )
    return (
        "<h2>Value against cost</h2>"
        + _figure(
            _value_figure(valued, assets),
            "Central value a year of the wellbeing associated with each asset (bars: low to high range), and "
            "its annual running cost (diamond), where known.",
        )
        + _paragraphs(sentences)
        + f"<div class='caveat'><p>{_esc(CAVEAT)}</p></div>"
        + table
    )


def _population_notes(result: AnalysisResult) -> list[str]:
    campaigns = result.dataset.campaigns
    notes = []
    used = set(result.dataset.responses["campaign"].astype(str))
    for row in records(campaigns[campaigns["campaign"].isin(used)]):
        if pd.notna(row["population_size"]) and row["sampling_method"]:
            notes.append(
                f"{_esc(row['community'])} {int(row['population_size']):,} (campaign {_esc(row['campaign'])}; "
                f"sampling: {_esc(row['sampling_method'])})"
            )
    return notes


def _reliability_section(result: AnalysisResult) -> str:
    alphas = result.reliability
    overall = alphas[(alphas["group"] == "overall") & (alphas["scale"] == "wemwbs")]
    sentences = []
    if len(overall) and math.isfinite(records(overall)[0]["alpha"]):
        value = records(overall)[0]["alpha"]
        sentences.append(
            f"The 14 WEMWBS statements hang together well when alpha is 0.8 or more; here it is {value:.2f} "
            "(the scale's developers found 0.91 in a population sample, Tennant et al. 2007)."
        )
    item_total = result.item_total
    wemwbs = item_total[item_total["scale"] == "wemwbs"]
    if wemwbs["r"].notna().any():
        weakest = records(wemwbs.sort_values("r"))[0]
        sentences.append(
            f"Each statement's correlation with the rest of the scale ranges from {wemwbs['r'].min():.2f} "
            f"({_esc(weakest['item'])}) to {wemwbs['r'].max():.2f}."
        )
    table = _table(
        alphas,
        [
            ("scale", "Scale", "text"),
            ("group", "Group", "text"),
            ("n", "Complete answers", "int"),
            ("alpha", "Cronbach's alpha", "3"),
            ("ci_low", "95% CI from", "3"),
            ("ci_high", "95% CI to", "3"),
        ],
        "Reliability (internal consistency)",
    )
    items = _table(
        item_total,
        [("scale", "Scale", "text"), ("item", "Item", "text"), ("r", "Corrected item-total correlation", "3")],
        "Corrected item-total correlations (each item against the sum of the others), everyone",
    )
    return "<h2>How reliable is the wellbeing measure here?</h2>" + _paragraphs(sentences) + table + items


def _methods_section(result: AnalysisResult) -> str:
    summary = result.summary
    config = result.config
    communities = len(summary["communities"])
    effects = result.asset_effects
    asked_share = ""
    if (effects["n"] > 0).any():
        asked_share = f" Asset models used a median of {int(effects.loc[effects['n'] > 0, 'n'].median())} people each."
    missing = summary["demographics_missing"]
    missing_text = ", ".join(f"{column.replace('_', ' ')} {count}" for column, count in missing.items())
    notices = [
        instruments.get(key).licence.notice for key in ("wemwbs", "swemwbs") if instruments.get(key).licence.notice
    ]
    items = [
        "<strong>Association, not causation.</strong> The survey was done once. It shows that people who use "
        "an asset report higher (or lower) wellbeing, not that the asset caused it: people with better wellbeing "
        "may be more likely to go out and use assets, and unmeasured differences (health, income) may explain "
        "some of the gap (see the review by Bickerdike et al. 2017 on the evidence for such designs).",
        f"<strong>Number of communities.</strong> The data come from {communities} "
        f"communit{'y' if communities == 1 else 'ies'}. Comparisons across communities rest on very few units, "
        "so they use cluster-robust CRV3 standard errors with t tests on (communities - 1) degrees of freedom, "
        "which hold their error rate with few clusters where the usual clustered errors do not (MacKinnon, "
        "Nielsen and Webb 2023); a mixed model with a community random intercept is a robustness check. "
        "The closest published design is McAneney et al. 2015.",
        f"<strong>Missing data.</strong> Only complete responses are analysed. A WEMWBS score needs all 14 "
        f"answers ({summary['wemwbs_scored']:,} of {summary['responses']:,} responses have one). Models use "
        f"people with every variable present (complete cases); unanswered questions: {missing_text}. "
        f"{summary['complete_covariates']:,} responses answered every background question.{asked_share} "
        "If people who skipped questions differ, results may be biased.",
        "<strong>Mode of completion.</strong> Interviewer-administered WEMWBS tends to read higher than "
        "self-completion. Every model adjusts for mode; the comparison with the England average (a "
        "self-completed survey) does not, so see the mode rows of the norm table.",
        "<strong>Asset models.</strong> For each asset: WEMWBS = use (yes/no) + age band + gender + "
        "employment + years in the area + mode, among the people in that asset's community who answered the "
        "question; ordinary least squares with HC3 heteroskedasticity-robust standard errors and t-based "
        f"{config.confidence:.0%} intervals (MacKinnon and White 1985). p-values are adjusted across all "
        "assets with the Benjamini-Hochberg false discovery rate (1995). Frequency of use as a 0-4 slope is a "
        "dose-response check, and SWEMWBS as the outcome a sensitivity check.",
        f"<strong>Privacy.</strong> Statistics for groups of fewer than {config.disclosure_threshold} people "
        "are blanked. Wellbeing distributions are shown as shares in broad bands, never as individual values.",
        "<strong>Valuation.</strong> WELLBY values from HM Treasury (2021, 2019 prices"
        + (
            f", uprated to {config.price_year} with a GDP deflator ratio of {config.price_factor}"
            if config.price_year != 2019
            else ""
        )
        + f"); {config.ls_per_wemwbs} life-satisfaction points per WEMWBS point and {config.ls_per_swemwbs} per "
        "SWEMWBS point (WellWorth, citing Mukuria et al. 2016), secondary figures kept as named assumptions. "
        "The low-high range reflects the effect's confidence interval and the WELLBY range, not the "
        "uncertainty in the number of users. " + _esc(CAVEAT),
        "<strong>Reliability.</strong> Cronbach's alpha on complete answers with Feldt's confidence interval.",
        "<strong>Sample.</strong> Respondents were not necessarily chosen at random; results describe the "
        "people who answered and may not represent everyone in each community.",
    ]
    references = "".join(f"<li>{_esc(reference)}</li>" for reference in REFERENCES)
    notice_html = "".join(f"<p class='note'>{_esc(notice)}</p>" for notice in notices)
    return (
        "<h2>Methods and caveats</h2><ul>"
        + "".join(f"<li>{item}</li>" for item in items)
        + "</ul><h3>References</h3><ol>"
        + references
        + "</ol>"
        + notice_html
    )


# ---------------------------------------------------------------------------------------------
# Figures


def _wellbeing_figure(result: AnalysisResult) -> Figure:
    norms = result.norm_comparison
    rows = norms[norms["group_type"].isin(["overall", "community"])].iloc[::-1]
    bands = result.wemwbs_bands
    figure = Figure(figsize=(10, 0.55 * len(rows) + 1.8), layout="constrained")
    left, right = figure.subplots(1, 2, width_ratios=(1, 1.2))
    positions = np.arange(len(rows))
    labels = [str(group) for group in rows["group"]]
    shown = rows["suppressed"].to_numpy() == 0
    mean = rows["mean"].to_numpy(dtype=float)
    low = mean - (rows["difference"] - rows["ci_low"]).to_numpy(dtype=float)
    high = mean + (rows["ci_high"] - rows["difference"]).to_numpy(dtype=float)
    left.errorbar(
        mean[shown],
        positions[shown],
        xerr=[(mean - low)[shown], (high - mean)[shown]],
        fmt="o",
        color=PALETTE[0],
        capsize=3,
        label="average (95% CI)",
    )
    left.scatter(
        rows["norm"].to_numpy(dtype=float)[shown],
        positions[shown],
        marker="|",
        s=300,
        color=PALETTE[3],
        label="England average, same gender mix",
    )
    for position in positions[~shown]:
        left.text(0.02, position, "fewer than threshold", transform=left.get_yaxis_transform(), va="center", fontsize=8)
    left.set_yticks(positions, labels)
    left.set_xlabel("WEMWBS score (14-70)")
    left.set_title("Average wellbeing")
    left.legend(loc="lower center", bbox_to_anchor=(0.5, 1.08), fontsize=8, frameon=False)
    groups = labels  # the same order as the left panel
    starts = np.zeros(len(groups))
    for colour, (label, _upper) in zip(BAND_COLOURS, WEMWBS_BANDS, strict=True):
        shares = []
        for group in groups:
            match = bands[(bands["group"] == group) & (bands["band"] == label)]
            shares.append(float(match["share"].iloc[0]) if len(match) and pd.notna(match["share"].iloc[0]) else 0.0)
        right.barh(np.arange(len(groups)), shares, left=starts, color=colour, label=label.split(" (")[0])
        starts += np.asarray(shares)
    right.set_yticks(np.arange(len(groups)), groups)
    right.set_xlim(0, 1)
    right.xaxis.set_major_formatter(lambda value, _pos: f"{value:.0%}")
    right.set_title("Share in each score band (conventions, not diagnoses)")
    right.legend(loc="lower center", bbox_to_anchor=(0.5, 1.08), ncols=4, fontsize=8, frameon=False)
    return figure


def _sixways_figure(rows: pd.DataFrame, dims: Sequence[str]) -> Figure:
    groups = ["overall", *sorted(set(rows["group"]) - {"overall"})]
    figure = Figure(figsize=(10, 4.2), layout="constrained")
    axes = figure.subplots()
    width = 0.8 / len(groups)
    base = np.arange(len(dims))
    for index, group in enumerate(groups):
        chosen = rows[rows["group"] == group].set_index("measure").reindex(dims)
        mean = chosen["mean"].to_numpy(dtype=float)
        error = np.vstack(
            [mean - chosen["ci_low"].to_numpy(dtype=float), chosen["ci_high"].to_numpy(dtype=float) - mean]
        )
        axes.bar(
            base + index * width - 0.4 + width / 2,
            np.nan_to_num(mean),
            width,
            yerr=np.nan_to_num(error),
            color=PALETTE[index % len(PALETTE)],
            label=group,
            capsize=2,
        )
    axes.set_xticks(base, [DIMENSION_LABELS[d] for d in dims])
    axes.set_ylim(1, 5)
    axes.set_ylabel("average (1 = never, 5 = very often)")
    axes.legend(ncols=min(len(groups), 5), fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.08), frameon=False)
    return figure


def _forest_figure(estimated: pd.DataFrame, assets: pd.DataFrame, alpha: float) -> Figure:
    rows = estimated.assign(community=[str(assets.loc[slug, "community"]) for slug in estimated["asset"]])
    rows = rows.sort_values(["community", "effect"], ascending=[False, True])
    figure = Figure(figsize=(9, 0.32 * max(len(rows), 3) + 1.4), layout="constrained")
    axes = figure.subplots()
    if len(rows) == 0:
        axes.text(0.5, 0.5, "No asset had enough users and non-users to estimate.", ha="center", va="center")
        axes.set_axis_off()
        return figure
    positions = np.arange(len(rows))
    significant = (rows["p_adj"] < alpha).to_numpy()
    communities = list(dict.fromkeys(rows["community"]))
    colours = [PALETTE[communities.index(c) % len(PALETTE)] for c in rows["community"]]
    for position, row, colour, filled in zip(positions, records(rows), colours, significant, strict=True):
        axes.plot([row["ci_low"], row["ci_high"]], [position, position], color=colour, linewidth=1.6)
        axes.plot(
            row["effect"], position, "o", color=colour, markerfacecolor=colour if filled else "white", markersize=6
        )
    axes.axvline(0, color="#555", linewidth=0.8, linestyle="--")
    labels = [
        f"{assets.loc[slug, 'name']} ({community})"
        for slug, community in zip(rows["asset"], rows["community"], strict=True)
    ]
    axes.set_yticks(positions, [label if len(label) < 60 else label[:57] + "..." for label in labels], fontsize=8)
    axes.set_xlabel("difference in WEMWBS points, users minus non-users (95% CI)")
    axes.set_ylim(-0.7, len(rows) - 0.3)
    return figure


def _value_figure(valued: pd.DataFrame, assets: pd.DataFrame) -> Figure:
    rows = valued.sort_values("value_central")
    figure = Figure(figsize=(9, 0.32 * max(len(rows), 3) + 1.4), layout="constrained")
    axes = figure.subplots()
    if len(rows) == 0:
        axes.text(0.5, 0.5, "No asset could be valued.", ha="center", va="center")
        axes.set_axis_off()
        return figure
    positions = np.arange(len(rows))
    largest = float(np.nanmax(np.abs(rows[["value_low", "value_high", "annual_cost"]].to_numpy(dtype=float))))
    scale, unit = (1e6, "£ million a year") if largest >= 5e6 else (1e3, "£ thousand a year")
    central = rows["value_central"].to_numpy(dtype=float) / scale
    low = rows["value_low"].to_numpy(dtype=float) / scale
    high = rows["value_high"].to_numpy(dtype=float) / scale
    colours = [PALETTE[2] if value >= 0 else PALETTE[3] for value in central]
    axes.barh(positions, central, color=colours, alpha=0.8, label="central value a year")
    axes.hlines(
        positions, np.minimum(low, high), np.maximum(low, high), color="#333", linewidth=1.2, label="low to high"
    )
    cost = rows["annual_cost"].to_numpy(dtype=float) / scale
    known = np.isfinite(cost)
    axes.scatter(cost[known], positions[known], marker="D", color=PALETTE[4], zorder=3, label="annual cost")
    axes.axvline(0, color="#555", linewidth=0.8)
    names = [str(assets.loc[slug, "name"]) for slug in rows["asset"]]
    axes.set_yticks(positions, [n if len(n) < 50 else n[:47] + "..." for n in names], fontsize=8)
    axes.set_xlabel(unit)
    axes.legend(fontsize=8, loc="lower right")
    return figure


# ---------------------------------------------------------------------------------------------
# HTML helpers


def _figure(figure: Figure, caption: str) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110)
    encoded = base64.b64encode(buffer.getvalue()).decode("ascii")
    return (
        f'<figure><img src="data:image/png;base64,{encoded}" alt="{_esc(caption)}">'
        f"<figcaption>{_esc(caption)}</figcaption></figure>"
    )


def _paragraphs(sentences: Iterable[str]) -> str:
    return "".join(f"<p>{sentence}</p>" for sentence in sentences)


TEXT_CLASS = " class='text'"


def _table(frame: pd.DataFrame, columns: Sequence[tuple[str, str, str]], caption: str) -> str:
    head = "".join(
        f"<th scope='col'{TEXT_CLASS if style == 'text' else ''}>{_esc(title)}</th>" for _key, title, style in columns
    )
    body = []
    for record in frame.to_dict("records"):
        cells = []
        for key, _title, style in columns:
            value = record.get(key)
            css = TEXT_CLASS if style == "text" else ""
            cells.append(f"<td{css}>{_format(value, style)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f"<div class='scroll'><table><caption>{_esc(caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def _format(value: Any, style: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    if style == "text":
        return _esc(str(value))
    number = float(value)
    if style == "int":
        return f"{int(number):,}"
    if style == "money":
        return f"{number:,.0f}"
    if style == "p":
        return "<0.001" if number < 0.001 else f"{number:.3f}"
    if style.startswith("s"):
        return f"{number:+.{int(style[1:])}f}"
    return f"{number:,.{int(style)}f}"


def _esc(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _asset_name(assets: pd.DataFrame, slug: str, *, escape: bool = True) -> str:
    name = str(assets.loc[slug, "name"]) if slug in assets.index else slug
    return _esc(name) if escape else name


def _signed(value: float) -> str:
    return f"{value:+.1f}"


def _points_phrase(value: float) -> str:
    if not math.isfinite(value):
        return "not estimated relative to"
    if abs(value) < 0.05:
        return "about the same as"
    return f"{abs(value):.1f} points {'higher than' if value > 0 else 'lower than'}"


def _change_phrase(value: float) -> str:
    if abs(value) < 0.05:
        return "about the same"
    return f"{abs(value):.1f} points {'higher' if value > 0 else 'lower'}"


def _clear(low: float, high: float, what: str) -> str:
    if not (math.isfinite(low) and math.isfinite(high)):
        return f"the {what} could not be estimated"
    if low > 0 or high < 0:
        return f"the {what} is unlikely to be chance alone"
    return f"the {what} could be chance"


def _money(value: float) -> str:
    if not math.isfinite(value):
        return "not known"
    sign = "-" if value < 0 else ""
    if abs(value) >= 1e6:  # no false precision in sentences: "£133.8 million", not "£133,823,965"
        return f"{sign}£{abs(value) / 1e6:,.1f} million"
    return f"{sign}£{abs(value):,.0f}"
