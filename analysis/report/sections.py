"""Report text on wellbeing: introduction, England norms, ONS questions, six ways, kinds of asset, reliability.

Each function gives its section's template (``templates/sections/``) the sentences, figures and
tables; plain strings are escaped by the template, sentences with emphasis are `Markup`.
"""

from __future__ import annotations

import math

from markupsafe import Markup

from analysis.columns import ons4_items
from analysis.config import WEMWBS_BANDS
from analysis.dataset import records
from analysis.descriptives import measure_label
from analysis.report.figures import embed, sixways_figure, wellbeing_figure
from analysis.report.names import SIXWAYS_LABELS, Names, item_text
from analysis.report.phrases import blank, change_phrase, clear_phrase, level, points_phrase, signed
from analysis.report.tables import table
from analysis.report.templating import Context
from analysis.result import AnalysisTables
from analysis.scales import WellbeingScale

# What the scale's developers found, for the reliability section's yardstick (shared/reference/wemwbs.md
# gives no published alpha for SWEMWBS, so none is quoted for it).
RELIABILITY_YARDSTICK = {
    "wemwbs": " (the scale's developers found 0.91 in a population sample, Tennant et al. 2007)",
}


def introduction(result: AnalysisTables, names: Names) -> Context:
    """Who answered, when, how; the privacy rule and the headline caveat."""
    summary = result.summary
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
    return {
        "responses": f"{summary['responses']:,}",
        "dates": dates,
        "count": len(communities),
        "communities": ", ".join(communities),
        "modes": modes,
        "verified": verified,
        "threshold": result.config.disclosure_threshold,
        # A life-satisfaction run has no England norm, so the opening must not promise a comparison.
        "compares": result.scale.norms(result.config) is not None,
    }


def _group_label(group_type: str, group: str, names: Names) -> str:
    if group_type == "overall":
        return "Everyone"
    if group_type == "community":
        return f"Community: {names.community(group)}"
    return f"{group_type.replace('_', ' ').capitalize()}: {group}"


def wellbeing_section(result: AnalysisTables, names: Names) -> Context | None:
    """Mean WEMWBS (or SWEMWBS) against the England norm, per community and overall (None: no norm)."""
    config = result.config
    scale = result.scale
    norm_values = scale.norms(config)
    if norm_values is None or len(result.norm_comparison) == 0:
        return None  # life satisfaction alone: the ONS section shows it, and no norm is in the references
    men, women, source = norm_values
    ci = level(config.confidence)
    norms = result.norm_comparison
    overall = records(norms[norms["group_type"] == "overall"])[0]
    communities = norms[norms["group_type"] == "community"]
    bands = result.wemwbs_bands
    caption = (
        f"Average {scale.name} score of everyone and of each community (dot, with its {ci} confidence interval "
        "as a line) and the England average for the same gender mix (vertical mark)."
    )
    if len(bands):
        caption = (
            f"Left: {caption[0].lower()}{caption[1:]} Right: the share of people in each of four commonly used "
            "score bands, one bar per group."
        )
    figure = embed(
        wellbeing_figure(norms, bands, names, ci=ci, scale_label=scale.range_label),
        caption + " Groups under the disclosure threshold are not drawn.",
    )
    sentences = []
    if not overall["suppressed"]:
        sentences.append(
            f"Across everyone who answered, the average {scale.name} score was {overall['mean']:.1f} out of "
            f"{scale.highest}. That is {points_phrase(overall['difference'])} the England average for people of "
            f"the same gender mix ({source}: men {men}, women {women}); the range we can "
            f"be reasonably sure of ({ci} confidence interval) is {signed(overall['ci_low'])} to "
            f"{signed(overall['ci_high'])} points, so "
            f"{clear_phrase(overall['ci_low'], overall['ci_high'], 'difference')}."
        )
    for row in records(communities):
        name = names.community(row["group"])
        if row["suppressed"]:
            sentences.append(f"{name}: fewer than {config.disclosure_threshold} people, not reported.")
        else:
            sentences.append(
                f"{name}: average {row['mean']:.1f}, {points_phrase(row['difference'])} the England "
                f"average ({ci} CI {signed(row['ci_low'])} to {signed(row['ci_high'])}; "
                f"{clear_phrase(row['ci_low'], row['ci_high'], 'difference')})."
            )
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
    norm_table = table(
        labelled,
        [
            ("label", "Group", "text"),
            ("n", "People", "int"),
            ("mean", f"Average {scale.name}", "1"),
            ("norm", "England average, same gender mix", "1"),
            ("difference", "Difference", "s1"),
            ("ci_low", f"{ci} CI from", "s1"),
            ("ci_high", f"{ci} CI to", "s1"),
        ],
        f"Average {scale.name} against the England norm (blank: fewer than {config.disclosure_threshold} people)",
    )
    introduction = _measured_with(scale, result.summary.get("wemwbs_scored", 0))
    return {"figure": figure, "sentences": sentences, "table": norm_table, "introduction": introduction}


def _measured_with(scale: WellbeingScale, full_forms: int = 0) -> str:
    """The wellbeing section's opening sentence: which scale, and why no bands for SWEMWBS.

    `full_forms` counts the responses with a full WEMWBS, which a SWEMWBS run has when they are too few to model.
    """
    text = (
        f"Wellbeing was measured with {scale.full_name}: {scale.statements} statements about the last two weeks, "
        f"giving a score from {scale.lowest} to {scale.highest}; higher is better."
    )
    if scale.key == "swemwbs":
        text += (
            " This survey asked the short form only, so SWEMWBS is the outcome throughout."
            if not full_forms
            else f" Only {full_forms:,} response{'s' if full_forms != 1 else ''} of this survey "
            f"{'have' if full_forms != 1 else 'has'} the full WEMWBS, too few to model, so SWEMWBS (which "
            f"{'they have' if full_forms != 1 else 'it has'} too) is the outcome throughout."
        )
        text += (
            " Its scores are the "
            "metric scores of the published conversion table. SWEMWBS has no commonly used score bands, so none "
            "are shown."
        )
    return text


def personal_wellbeing_section(result: AnalysisTables, names: Names) -> Context | None:
    """The four ONS personal well-being questions, everyone and per community (None when not asked)."""
    ci = level(result.config.confidence)
    descriptives = result.descriptives
    rows = descriptives[
        descriptives["measure"].isin(ons4_items()) & descriptives["group_type"].isin(["overall", "community"])
    ].copy()
    if rows["n"].fillna(0).sum() == 0:
        return None
    rows["who"] = [
        _group_label(kind, str(group), names) for kind, group in zip(rows["group_type"], rows["group"], strict=True)
    ]
    rows["question"] = rows["measure"].map(measure_label)
    rows["interval"] = [
        "" if blank(low) else f"{low:.2f} to {high:.2f}"
        for low, high in zip(rows["ci_low"], rows["ci_high"], strict=True)
    ]
    return {
        "table": table(
            rows,
            [
                ("who", "Who", "text"),
                ("question", "Question", "text"),
                ("n", "Answered", "int"),
                ("mean", "Average", "2"),
                ("interval", f"{ci} confidence interval", "text"),
            ],
            f"Personal well-being (ONS questions): averages with {ci} confidence intervals; groups under the "
            "disclosure threshold are left blank",
        )
    }


def sixways_section(result: AnalysisTables, names: Names) -> Context | None:
    """How often people do each of the six ways to wellbeing (None when nobody answered)."""
    ci = level(result.config.confidence)
    descriptives = result.descriptives
    dims = list(SIXWAYS_LABELS)
    rows = descriptives[descriptives["measure"].isin(dims) & descriptives["group_type"].isin(["overall", "community"])]
    if rows["mean"].notna().sum() == 0:
        return None
    overall = rows[rows["group_type"] == "overall"].set_index("measure")["mean"].reindex(dims)
    sentences: list[str] = []
    if overall.notna().any():
        high = str(overall.idxmax())
        low = str(overall.idxmin())
        sentences.append(
            Markup(
                "Of the six ways, people most often said they <em>{}</em> (average {:.1f} on a 1-5 scale, 1 = never, "
                "5 = very often) and least often <em>{}</em> ({:.1f})."
            ).format(SIXWAYS_LABELS[high].lower(), overall[high], SIXWAYS_LABELS[low].lower(), overall[low])
        )
    sentences.append(
        "These six-ways questions are the project's own and have not been validated, so compare communities "
        "with each other rather than reading the numbers as a standard measure."
    )
    figure = embed(
        sixways_figure(rows, dims, names),
        "Average frequency of each of the six ways to wellbeing (1 = never, 5 = very often): one bar for "
        f"everyone and one per community, each with its {ci} confidence interval as a vertical line. Groups "
        "under the disclosure threshold are drawn at zero height.",
    )
    return {"figure": figure, "sentences": sentences}


def kinds_section(result: AnalysisTables) -> Context:
    """Wellbeing and the number of assets used, by kind, across communities."""
    ci = level(result.config.confidence)
    scale = result.scale
    kinds = result.kind_effects
    total = kinds[(kinds["exposure"] == "assets_used_total") & (kinds["method"] == "ols_crv3")]
    sentences = []
    if len(total) and math.isfinite(records(total)[0]["effect"]):
        row = records(total)[0]
        sentences.append(
            f"Across all {int(row['n_communities'])} communities, each additional asset a person uses goes with "
            f"a {scale.name} score {change_phrase(row['effect'])} ({ci} CI {signed(row['ci_low'])} to "
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
    kinds_table = table(
        labelled,
        [
            ("label", "Number of assets used", "text"),
            ("method", "Method", "text"),
            ("n", "People", "int"),
            ("n_communities", "Communities", "int"),
            ("effect", f"Per asset ({scale.name} points)", "s2"),
            ("ci_low", f"{ci} CI from", "s2"),
            ("ci_high", f"{ci} CI to", "s2"),
            ("p", "p", "p"),
            ("warning", "Warning", "text"),
        ],
        "Wellbeing and the number of assets used, by kind of asset, across communities",
    )
    return {"sentences": sentences, "table": kinds_table}


def reliability_section(result: AnalysisTables, names: Names) -> Context:
    """Cronbach's alpha and corrected item-total correlations, items by their wording."""
    ci = level(result.config.confidence)
    scale = result.scale
    # A scale nobody answered in full (WEMWBS in a short-form survey) would only fill the tables with blanks.
    answered = set(
        result.reliability.loc[(result.reliability["group"] == "overall") & (result.reliability["n"] > 0), "scale"]
    )
    alphas = result.reliability[result.reliability["scale"].isin(answered)]
    if not answered:
        return {
            "sentences": [
                f"The asset models use {scale.full_name}: one question has no internal consistency to measure, "
                "and no WEMWBS or SWEMWBS was answered in full."
            ],
            "table": None,
            "statements": None,
        }
    overall = alphas[(alphas["group"] == "overall") & (alphas["scale"] == scale.key)]
    sentences: list[str] = []
    if len(overall) and math.isfinite(records(overall)[0]["alpha"]):
        value = records(overall)[0]["alpha"]
        # Three decimals when two would round a value under the yardstick up to it (0.798 read "0.80").
        shown = f"{value:.3f}" if value < 0.8 <= round(value, 2) else f"{value:.2f}"
        sentences.append(
            f"The {scale.statements} {scale.name} statements hang together well when alpha is 0.8 or more; here it "
            f"is {shown}{RELIABILITY_YARDSTICK.get(scale.key, '')}."
        )
    item_total = result.item_total[result.item_total["scale"].isin(answered)]
    item_total = item_total.assign(wording=[item_text(str(key)) for key in item_total["item"]])
    modelled = item_total[item_total["scale"] == scale.key]
    if modelled["r"].notna().any():
        weakest = records(modelled.sort_values("r"))[0]
        sentences.append(
            Markup(
                "Each statement's correlation with the rest of the scale ranges from {:.2f} (&ldquo;{}&rdquo;) to "
                "{:.2f}."
            ).format(modelled["r"].min(), weakest["wording"], modelled["r"].max())
        )
    scales = {"wemwbs": "WEMWBS", "swemwbs": "SWEMWBS"}
    alpha_table = table(
        alphas.assign(
            scale=alphas["scale"].map(lambda s: scales.get(str(s), str(s))),
            group=alphas["group"].map(lambda g: "Everyone" if g == "overall" else names.community(g)),
        ),
        [
            ("scale", "Scale", "text"),
            ("group", "Group", "text"),
            ("n", "Complete answers", "int"),
            ("alpha", "Cronbach's alpha", "3"),
            ("ci_low", f"{ci} CI from", "3"),
            ("ci_high", f"{ci} CI to", "3"),
        ],
        "Reliability (internal consistency)",
    )
    items = table(
        item_total.assign(scale=item_total["scale"].map(lambda s: scales.get(str(s), str(s)))),
        [("scale", "Scale", "text"), ("wording", "Statement", "text"), ("r", "Corrected item-total correlation", "3")],
        "Corrected item-total correlations (each statement against the sum of the others), everyone",
    )
    return {"sentences": sentences, "table": alpha_table, "statements": items}
