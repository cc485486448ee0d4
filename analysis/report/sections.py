"""Report sections on wellbeing: introduction, England norms, six ways, kinds of asset, reliability."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from analysis.config import WEMWBS_BANDS
from analysis.dataset import ons4_items, records
from analysis.descriptives import measure_label
from analysis.report.figures import sixways_figure, wellbeing_figure
from analysis.report.html import (
    blank,
    change_phrase,
    clear_phrase,
    esc,
    figure_html,
    paragraphs,
    points_phrase,
    signed,
    table_html,
)
from analysis.report.names import SIXWAYS_LABELS, Names, item_text

if TYPE_CHECKING:
    from analysis.pipeline import AnalysisResult


def introduction(result: AnalysisResult, names: Names) -> str:
    """Who answered, when, how; the privacy rule and the headline caveat."""
    summary = result.summary
    config = result.config
    modes = ", ".join(f"{count:,} {mode}" for mode, count in summary["modes"].items())
    dates = ""
    if summary["first_submitted"]:
        dates = f" submitted between {summary['first_submitted']} and {summary['last_submitted']}"
    verified = ""
    if summary.get("verified_only"):
        verified = " Paper forms still awaiting their second keying or with unresolved differences are left out."
    elif summary["unverified"]:
        verified = f" {summary['unverified']:,} responses are not yet verified (paper double entry pending)."
    communities = sorted((names.community(slug) for slug in summary["communities"]), key=str.lower)
    count = len(communities)
    return f"""
<p>This report describes the wellbeing of the people who answered the survey, how it compares with
England as a whole, how often they use local community assets and how much those assets matter to
them, and how wellbeing goes with that use. It is written for a workshop: each figure has a
plain-English summary beneath it, and the last sections explain the methods, what the numbers can
and cannot tell us, and exactly how this report was made.</p>
<p class="plain">It is based on <strong>{summary["responses"]:,} complete responses</strong>{dates}
from {count} communit{"y" if count == 1 else "ies"} ({esc(", ".join(communities))}); modes: {esc(modes)}.{verified}
Groups of fewer than {config.disclosure_threshold} people are not reported, to protect privacy.</p>
<div class="caveat"><p><strong>Please read with care.</strong> This is a one-off survey. It shows which
things go together, not what causes what: people who use an asset may differ from those who do not in
ways the survey did not measure.</p></div>
"""


def _group_label(group_type: str, group: str, names: Names) -> str:
    if group_type == "overall":
        return "Everyone"
    if group_type == "community":
        return f"Community: {names.community(group)}"
    return f"{group_type.replace('_', ' ').capitalize()}: {group}"


def wellbeing_section(result: AnalysisResult, names: Names) -> str:
    """Mean WEMWBS against the England norm, per community and overall."""
    config = result.config
    norms = result.norm_comparison
    overall = records(norms[norms["group_type"] == "overall"])[0]
    communities = norms[norms["group_type"] == "community"]
    figure = figure_html(
        wellbeing_figure(norms, result.wemwbs_bands, names),
        "Left: average WEMWBS score of everyone and of each community (dot, with its 95% confidence interval "
        "as a line) and the England average for the same gender mix (vertical mark). Right: the share of "
        "people in each of four commonly used score bands, one bar per group. Groups under the disclosure "
        "threshold are not drawn.",
    )
    sentences = []
    if not overall["suppressed"]:
        sentences.append(
            f"Across everyone who answered, the average WEMWBS score was {overall['mean']:.1f} out of 70. "
            f"That is {points_phrase(overall['difference'])} the England average for people of the same gender "
            f"mix ({config.norm_source}: men {config.norm_men}, women {config.norm_women}); the range we can "
            f"be reasonably sure of (95% confidence interval) is {signed(overall['ci_low'])} to "
            f"{signed(overall['ci_high'])} points, so "
            f"{clear_phrase(overall['ci_low'], overall['ci_high'], 'difference')}."
        )
    for row in records(communities):
        name = esc(names.community(row["group"]))
        if row["suppressed"]:
            sentences.append(f"{name}: fewer than {config.disclosure_threshold} people, not reported.")
        else:
            sentences.append(
                f"{name}: average {row['mean']:.1f}, {points_phrase(row['difference'])} the England "
                f"average (95% CI {signed(row['ci_low'])} to {signed(row['ci_high'])}; "
                f"{clear_phrase(row['ci_low'], row['ci_high'], 'difference')})."
            )
    bands = result.wemwbs_bands
    low_band = bands[(bands["group_type"] == "overall") & (bands["band"] == WEMWBS_BANDS[0][0])]
    if len(low_band) and not records(low_band)[0]["suppressed"]:
        sentences.append(
            f"About {records(low_band)[0]['share']:.0%} of people scored 40 or below. Score bands like this are "
            "conventions used in reports, not diagnoses: WEMWBS is not a screening tool."
        )
    mode = norms[norms["group_type"] == "mode"]
    if len(mode[(mode["group"] == "interview") & (mode["suppressed"] == 0)]):
        sentences.append(
            "People interviewed face to face tend to report higher wellbeing than people filling the form in "
            "themselves, so groups with many interviews may look better off than they are."
        )
    labelled = norms.assign(
        label=[_group_label(t, str(g), names) for t, g in zip(norms["group_type"], norms["group"], strict=True)]
    )
    table = table_html(
        labelled,
        [
            ("label", "Group", "text"),
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
        + paragraphs(sentences)
        + table
    )


def personal_wellbeing_section(result: AnalysisResult, names: Names) -> str:
    """The four ONS personal well-being questions, everyone and per community (when they were asked)."""
    table = result.descriptives
    rows = table[table["measure"].isin(ons4_items()) & table["group_type"].isin(["overall", "community"])].copy()
    if rows["n"].fillna(0).sum() == 0:
        return ""
    rows["who"] = [
        _group_label(kind, str(group), names) for kind, group in zip(rows["group_type"], rows["group"], strict=True)
    ]
    rows["question"] = rows["measure"].map(measure_label)
    rows["interval"] = [
        "" if blank(low) else f"{low:.2f} to {high:.2f}"
        for low, high in zip(rows["ci_low"], rows["ci_high"], strict=True)
    ]
    return (
        "<h2>Personal well-being (ONS questions)</h2>"
        + paragraphs(
            [
                "The four ONS personal well-being questions are answered from 0 to 10. For life satisfaction, "
                "worthwhile and happiness higher is better; for anxiety higher is worse. Life satisfaction is "
                "the measure the valuation uses where it was asked (one point for one person for a year is one "
                "WELLBY).",
            ]
        )
        + table_html(
            rows,
            [
                ("who", "Who", "text"),
                ("question", "Question", "text"),
                ("n", "Answered", "int"),
                ("mean", "Average", "2"),
                ("interval", "95% confidence interval", "text"),
            ],
            "Personal well-being (ONS questions): averages with 95% confidence intervals; groups under the "
            "disclosure threshold are left blank",
        )
    )


def sixways_section(result: AnalysisResult, names: Names) -> str:
    """How often people do each of the six ways to wellbeing."""
    table = result.descriptives
    dims = list(SIXWAYS_LABELS)
    rows = table[table["measure"].isin(dims) & table["group_type"].isin(["overall", "community"])]
    if rows["mean"].notna().sum() == 0:
        return "<h2>Six ways to wellbeing</h2><p>No six-ways answers to report.</p>"
    overall = rows[rows["group_type"] == "overall"].set_index("measure")["mean"].reindex(dims)
    sentences = []
    if overall.notna().any():
        high = str(overall.idxmax())
        low = str(overall.idxmin())
        sentences.append(
            f"Of the six ways, people most often said they <em>{SIXWAYS_LABELS[high].lower()}</em> "
            f"(average {overall[high]:.1f} on a 1-5 scale, 1 = never, 5 = very often) and least often "
            f"<em>{SIXWAYS_LABELS[low].lower()}</em> ({overall[low]:.1f})."
        )
    sentences.append(
        "These six-ways questions are the project's own and have not been validated, so compare communities "
        "with each other rather than reading the numbers as a standard measure."
    )
    return (
        "<h2>Six ways to wellbeing</h2>"
        + figure_html(
            sixways_figure(rows, dims, names),
            "Average frequency of each of the six ways to wellbeing (1 = never, 5 = very often): one bar for "
            "everyone and one per community, each with its 95% confidence interval as a vertical line. Groups "
            "under the disclosure threshold are drawn at zero height.",
        )
        + paragraphs(sentences)
    )


def kinds_section(result: AnalysisResult) -> str:
    """Wellbeing and the number of assets used, by kind, across communities."""
    kinds = result.kind_effects
    total = kinds[(kinds["exposure"] == "assets_used_total") & (kinds["method"] == "ols_crv3")]
    sentences = []
    if len(total) and math.isfinite(records(total)[0]["effect"]):
        row = records(total)[0]
        sentences.append(
            f"Across all {int(row['n_communities'])} communities, each additional asset a person uses goes with "
            f"a WEMWBS score {change_phrase(row['effect'])} (95% CI {signed(row['ci_low'])} to "
            f"{signed(row['ci_high'])}; {clear_phrase(row['ci_low'], row['ci_high'], 'association')})."
        )
    sentences.append(
        "These models pool every community. Their uncertainty allows for people in the same community being "
        "alike (cluster-robust CRV3 errors with few-cluster t tests); with only a handful of communities the "
        "intervals are wide. Other methods are shown as checks: where they disagree, be cautious."
    )
    methods = {
        "ols_crv3": "regression, CRV3 (main)",
        "ols_fe_crv3": "regression with community fixed effects, CRV3",
        "mixedlm": "mixed model (check)",
    }
    labelled = kinds.assign(
        label=kinds["exposure"].str.replace("assets_used_", "", regex=False).str.replace("_", " "),
        method=kinds["method"].map(lambda method: methods.get(str(method), str(method).replace("_", " "))),
    )
    table = table_html(
        labelled,
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
    return "<h2>Kinds of assets, across communities</h2>" + paragraphs(sentences) + table


def reliability_section(result: AnalysisResult, names: Names) -> str:
    """Cronbach's alpha and corrected item-total correlations, items by their wording."""
    alphas = result.reliability
    overall = alphas[(alphas["group"] == "overall") & (alphas["scale"] == "wemwbs")]
    sentences = []
    if len(overall) and math.isfinite(records(overall)[0]["alpha"]):
        value = records(overall)[0]["alpha"]
        sentences.append(
            f"The 14 WEMWBS statements hang together well when alpha is 0.8 or more; here it is {value:.2f} "
            "(the scale's developers found 0.91 in a population sample, Tennant et al. 2007)."
        )
    item_total = result.item_total.assign(wording=[item_text(str(key)) for key in result.item_total["item"]])
    wemwbs = item_total[item_total["scale"] == "wemwbs"]
    if wemwbs["r"].notna().any():
        weakest = records(wemwbs.sort_values("r"))[0]
        sentences.append(
            f"Each statement's correlation with the rest of the scale ranges from {wemwbs['r'].min():.2f} "
            f"(&ldquo;{esc(weakest['wording'])}&rdquo;) to {wemwbs['r'].max():.2f}."
        )
    scales = {"wemwbs": "WEMWBS", "swemwbs": "SWEMWBS"}
    table = table_html(
        alphas.assign(
            scale=alphas["scale"].map(lambda s: scales.get(str(s), str(s))),
            group=alphas["group"].map(lambda g: "Everyone" if g == "overall" else names.community(g)),
        ),
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
    items = table_html(
        item_total.assign(scale=item_total["scale"].map(lambda s: scales.get(str(s), str(s)))),
        [("scale", "Scale", "text"), ("wording", "Statement", "text"), ("r", "Corrected item-total correlation", "3")],
        "Corrected item-total correlations (each statement against the sum of the others), everyone",
    )
    return "<h2>How reliable is the wellbeing measure here?</h2>" + paragraphs(sentences) + table + items
