"""Report text on methods and caveats, references, and the provenance block (also written as provenance.json).

The sections' templates are ``templates/sections/methods.html.j2`` and ``provenance.html.j2``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from markupsafe import Markup

import instruments
from analysis.config import WELLBY_CENTRAL, WELLBY_HIGH, WELLBY_LOW, WELLBY_PRICE_YEAR, AnalysisConfig
from analysis.report.templating import Context
from analysis.result import AnalysisTables
from analysis.scales import WellbeingScale

# The references of a scale are listed only when a run used it: a SWEMWBS survey's report quoted the
# WEMWBS norms (men 50.1, women 49.6) and its 3-point yardstick, a life-satisfaction one both scales' (numbers7 audit).
WEMWBS_REFERENCES = (
    "Tennant R, Hiller L, Fishwick R, et al. The Warwick-Edinburgh Mental Well-being Scale (WEMWBS): "
    "development and UK validation. Health and Quality of Life Outcomes 2007;5:63.",
    "Maheswaran H, Weich S, Powell J, Stewart-Brown S. Evaluating the responsiveness of the Warwick Edinburgh "
    "Mental Well-Being Scale (WEMWBS): group and individual level analysis. Health and Quality of Life Outcomes "
    "2012;10:156 (about 3 points of individual change as meaningful).",
    "NHS Digital. Health Survey for England 2016: well-being and mental health (WEMWBS means: men 50.1, women 49.6).",
)
SWEMWBS_REFERENCES = (
    # The Rasch analysis that made SWEMWBS and its conversion table, from the WEMWBS development sample.
    "Stewart-Brown S, Tennant A, Tennant R, et al. Internal construct validity of the Warwick-Edinburgh "
    "Mental Well-being Scale (WEMWBS): a Rasch analysis. Health and Quality of Life Outcomes 2009;7:15.",
    "Ng Fat L, Scholes S, Boniface S, Mindell J, Stewart-Brown S. Evaluating and establishing national norms for "
    "mental wellbeing using the short Warwick-Edinburgh Mental Well-being Scale (SWEMWBS): findings from the Health "
    "Survey for England. Quality of Life Research 2017;26:1129-1144 (SWEMWBS means: men 23.7, women 23.2).",
    "Shah N, Cader M, Andrews WP, Wijesekera D, Stewart-Brown SL. Responsiveness of the Short Warwick Edinburgh "
    "Mental Well-Being Scale (SWEMWBS): evaluation a clinical sample. Health and Quality of Life Outcomes "
    "2018;16:239 (1 to 3 points of individual change as meaningful).",
)
RELIABILITY_REFERENCE = (
    "Cronbach LJ. Coefficient alpha and the internal structure of tests. Psychometrika 1951;16:297-334; "
    "Feldt LS. Psychometrika 1965;30:357-370 (confidence interval)."
)
REFERENCES = (
    "Office for National Statistics. Personal well-being user guidance (the ONS4 questions; harmonised standard "
    "of the Government Statistical Service; Crown copyright).",
    "HM Treasury. Wellbeing Guidance for Appraisal: Supplementary Green Book Guidance. July 2021 (one WELLBY "
    "£13,000 in 2019 prices, range £10,000-£16,000; wellbeing discounted at 1.5% a year).",
    "HM Treasury. The Green Book: Central Government Guidance on Appraisal and Evaluation (Monte Carlo "
    "analysis of uncertainty).",
    "Mukuria C, Rowen D, Peasgood T, Brazier J. An empirical comparison of well-being measures used in "
    "the UK. Policy Research Unit in Economic Evaluation of Health and Care Interventions, RR0048, 2016 "
    "(conversion factors as used by Happy City's WellWorth method).",
    "Social Value UK. A Guide to Social Return on Investment. 2012 (deadweight, displacement, attribution, drop-off).",
    "Raudenbush SW. Analyzing effect sizes: random-effects models. In: The Handbook of Research Synthesis and "
    "Meta-Analysis, 2nd ed. 2009 (REML between-asset variance; best linear unbiased predictions as in "
    "Viechtbauer W, metafor, Journal of Statistical Software 2010;36(3)).",
    "MacKinnon JG, White H. Some heteroskedasticity-consistent covariance matrix estimators with improved "
    "finite sample properties. Journal of Econometrics 1985;29:305-325.",
    "MacKinnon JG, Nielsen MO, Webb MD. Cluster-robust inference: a guide to empirical practice. Journal "
    "of Econometrics 2023;232:272-299.",
    "Benjamini Y, Hochberg Y. Controlling the false discovery rate. Journal of the Royal Statistical "
    "Society B 1995;57:289-300.",
    "McAneney H, Tully MA, Hunter RF, et al. Individual factors and perceived community characteristics "
    "in relation to mental health and mental well-being. BMC Public Health 2015;15:1237.",
    "Bickerdike L, Booth A, Wilson PM, et al. Social prescribing: less rhetoric and more reality. A "
    "systematic review of the evidence. BMJ Open 2017;7:e013384.",
)


def references(scale: WellbeingScale) -> tuple[str, ...]:
    """The references of a run on `scale`: a WEMWBS run has the SWEMWBS check too; life satisfaction neither."""
    if scale.is_life_satisfaction:
        return REFERENCES
    scales = (*WEMWBS_REFERENCES, *SWEMWBS_REFERENCES) if scale.key == "wemwbs" else SWEMWBS_REFERENCES
    return (*scales, *REFERENCES, RELIABILITY_REFERENCE)


def wellby_phrase(low: float, central: float, high: float) -> str:
    """The pounds per WELLBY a run used, with their source: HM Treasury's, or the run's own beside HM Treasury's.

    valuation.md: GBP 13,000 central, GBP 10,000 to 16,000 as sensitivity, 2019 prices (HM Treasury 2021). The
    text said those figures whatever the run's settings were; values set otherwise are not HM Treasury's.
    """
    values = f"£{central:,.0f} in {WELLBY_PRICE_YEAR} prices, with £{low:,.0f} and £{high:,.0f} as sensitivity values"
    if (low, central, high) == (WELLBY_LOW, WELLBY_CENTRAL, WELLBY_HIGH):
        return f"{values} (HM Treasury, Wellbeing Guidance for Appraisal, 2021)"
    return (
        f"{values} (set for this run; HM Treasury's Wellbeing Guidance for Appraisal, 2021, gives "
        f"£{WELLBY_CENTRAL:,.0f}, range £{WELLBY_LOW:,.0f} to £{WELLBY_HIGH:,.0f})"
    )


def config_wellby(config: AnalysisConfig) -> str:
    """`wellby_phrase` of a run's settings."""
    return wellby_phrase(config.wellby_low, config.wellby_central, config.wellby_high)


def bridge_sentence(scale: WellbeingScale, config: AnalysisConfig) -> str:
    """How an effect is valued where life satisfaction was not asked (empty when it is the run's outcome).

    valuation.md gives the bridge factors without a range ("secondary figures without a published
    uncertainty: a named, configurable assumption"), so they are neither drawn in the Monte Carlo nor
    moved in the tornado; the sentence says so and why.
    """
    if scale.is_life_satisfaction:
        return ""
    return (
        f" Otherwise the {scale.name} effect is converted at {scale.ls_per_point(config):g} life-satisfaction points "
        f"per {scale.name} point (WellWorth, citing Mukuria et al. 2016), a secondary figure without published "
        "uncertainty, labelled 'bridged'. The factor is taken as fixed: with no published range there is nothing "
        "honest to draw it from or to move it over, so a bridged value's range and tornado carry the uncertainty "
        "of the effect, the users and the WELLBY value only, and the value moves in proportion to the factor (a "
        "factor 10% lower gives a value 10% lower)."
    )


def price_sentence(config: AnalysisConfig) -> str:
    """The price year of the money values and what converted them from HM Treasury's 2019 prices.

    A single deflator (``--deflator``) has no source: the sentence said values were "in 2019 prices unless a
    deflator table with its source was given" beside a ledger in 2024 prices (numbers8 audit).
    """
    year = config.price_year
    if config.deflators is not None:
        return (
            f"Values are in {year} prices, converted from 2019 prices with the deflator table given "
            f"(source: {config.deflators.source})."
        )
    if config.deflator is not None:
        return (
            f"Values are in {year} prices, converted from 2019 prices by a single deflator of {config.deflator:g} "
            "given without its source: check it against HM Treasury's GDP deflator series before relying on it."
        )
    return "Values are in 2019 prices (no deflator table was given)."


def methods_section(result: AnalysisTables) -> Context:
    """How the numbers were made and what they cannot show, with the references."""
    summary = result.summary
    config = result.config
    scale = result.scale
    communities = len(summary["communities"])
    effects = result.asset_effects
    asked_share = ""
    if (effects["n"] > 0).any():
        asked_share = f" Asset models used a median of {int(effects.loc[effects['n'] > 0, 'n'].median())} people each."
    missing = summary["demographics_missing"]
    missing_text = ", ".join(f"{column.replace('_', ' ')} {count:,}" for column, count in missing.items())
    notices = [
        instruments.get(key).licence.notice for key in ("wemwbs", "swemwbs") if instruments.get(key).licence.notice
    ]
    provenance = getattr(result, "provenance", None) or {}
    monte = provenance.get("monte_carlo") or {}
    draws = monte.get("draws", getattr(config, "draws", None))
    seed = monte.get("seed", getattr(config, "seed", None))
    monte_carlo = f" ({draws:,} draws, seed {seed})" if isinstance(draws, int) and seed is not None else ""
    caveats = [
        Markup(
            "<strong>Association, not causation.</strong> The survey was done once. It shows that people who use "
            "an asset report higher (or lower) wellbeing, not that the asset caused it: people with better wellbeing "
            "may be more likely to go out and use assets, and unmeasured differences (health, income) may explain "
            "some of the gap (see the review by Bickerdike et al. 2017 on the evidence for such designs)."
        ),
        Markup(
            "<strong>Number of communities.</strong> The data come from {} communit{}. Comparisons across "
            "communities rest on very few units, so they use cluster-robust CRV3 standard errors with t tests on "
            "(communities - 1) degrees of freedom, which hold their error rate with few clusters where the usual "
            "clustered errors do not (MacKinnon, Nielsen and Webb 2023); community fixed effects and a mixed model "
            "with a community random intercept are checks. The closest published design is McAneney et al. 2015."
        ).format(communities, "y" if communities == 1 else "ies"),
        Markup(
            "<strong>Missing data.</strong> Only complete responses are analysed. {} ({:,} of {:,} responses have "
            "one). Models use people with every variable present (complete "
            "cases); unanswered questions: {}. {:,} responses answered every background question.{} If people who "
            "skipped questions differ, results may be biased."
        ).format(
            f"A {scale.name} score needs all {scale.statements} answers"
            if scale.statements > 1
            else f"The models need an answer to {scale.full_name}",
            summary.get("scale_scored", summary["wemwbs_scored"]),
            summary["responses"],
            missing_text,
            summary["complete_covariates"],
            asked_share,
        ),
        Markup(
            "<strong>Mode of completion.</strong> Interviewer-administered wellbeing questions tend to read higher "
            "than self-completion. Every model adjusts for mode{}"
        ).format(
            "; the comparison with the England average (a self-completed survey) does not, so see the mode rows "
            "of the norm table."
            if scale.norms(config) is not None
            else "."  # no England average is compared, so there is no norm table to point to
        ),
        Markup(
            "<strong>Asset models.</strong> For each asset: {} = use (yes/no) + age band + gender + "
            "employment + years in the area + mode, among the people in that asset's community who answered the "
            "question; ordinary least squares with HC3 heteroskedasticity-robust standard errors and t-based "
            "{:.0%} intervals (MacKinnon and White 1985). Frequency of use as a 0-4 slope is a dose-response check{}."
        ).format(
            scale.name,
            config.confidence,
            ", and SWEMWBS as the outcome a sensitivity check" if scale.key == "wemwbs" else "",
        ),
        Markup(
            "<strong>Evidence grades.</strong> p-values are adjusted across all assets valued in the run with the "
            "Benjamini-Hochberg false discovery rate (1995): <em>clear</em> when the adjusted p is below {}, "
            "<em>suggestive</em> when only the unadjusted p is below {}, otherwise <em>none</em>. A benefit-cost "
            "ratio is given only for a clear positive effect with a known cost."
        ).format(config.alpha, config.alpha),
        Markup(
            "<strong>Valuation.</strong> Where the survey asked the ONS life-satisfaction question (0-10), an "
            "asset's effect on it is valued directly: one point for one person for a year is one WELLBY, worth "
            "{}.{} Users are "
            "the share of respondents asked who use the asset times the population the sample represents "
            "(residents in the surveyed ages, 16+ by default) for random samples; the same with a warning for quota "
            "samples; surveyed users only for convenience samples or when no population is recorded. {} A ratio "
            "that divides values of one price year by a cost of another carries a warning."
        ).format(config_wellby(config), bridge_sentence(scale, config), price_sentence(config)),
        Markup(
            "<strong>Adjustments (SROI).</strong> Net value = gross x (1 - deadweight) x (1 - displacement) x "
            "(1 - attribution) (Social Value UK 2012). Deadweight here is the share of the association judged not "
            "causal (the effect is already a difference from non-users, so the counterfactual is not deducted "
            "twice). Over more than one year, each further year keeps (1 - drop-off) of the last and is "
            "discounted at {:.1%} a year, as HM Treasury discounts wellbeing; the running cost it is set against "
            "for a benefit-cost ratio covers the same years, discounted at {:.1%} a year (the Green Book's "
            "standard rate). Adjustments are judgements: each needs a reason and who agreed it, and a value is "
            "labelled gross until they are agreed."
        ).format(config.discount_rate, config.cost_discount_rate),
        Markup(
            "<strong>Ranges.</strong> The low and high values are the 2.5th and 97.5th percentiles of a seeded "
            "Monte Carlo simulation{} over the effect (Student's t with the model's residual degrees of freedom, "
            "scaled by its standard error: the distribution of its confidence interval) and the share of users "
            "(Beta, Jeffreys prior; with one campaign's sample, only the residents not asked are uncertain: the "
            "finite population correction), "
            "at the central WELLBY value (the Green Book's suggested way to carry "
            "uncertainty)."
        ).format(monte_carlo),
        Markup(
            "<strong>Winner's curse.</strong> The largest of many noisy estimates is biased upward. A random-effects "
            "model across the valued assets (REML between-asset variance, best linear unbiased predictions, as R's "
            "metafor) shows how much; with a few real effects among many nulls it over-shrinks the real ones, so "
            "it is a sensitivity, not the headline."
        ),
        Markup(
            "<strong>Privacy.</strong> Statistics and counts for groups of fewer than {} people are blanked, in "
            "the tables and in the text. Wellbeing is shown as group averages{}, never as individual values."
        ).format(
            config.disclosure_threshold,
            # Only WEMWBS has the commonly used bands; a SWEMWBS or life-satisfaction report shows none.
            " and as shares in broad bands" if scale.key == "wemwbs" else "",
        ),
        *(
            ()
            if scale.is_life_satisfaction  # one question: no internal consistency was computed
            else (
                Markup(
                    "<strong>Reliability.</strong> Cronbach's alpha on complete answers with Feldt's confidence "
                    "interval."
                ),
            )
        ),
        Markup(
            "<strong>Sample.</strong> Unless a campaign records a random sample, respondents were not chosen at "
            "random; results describe the people who answered and may not represent everyone in each community."
        ),
    ]
    return {"caveats": caveats, "references": references(scale), "notices": notices}


PROVENANCE_LABELS = {
    "software": "Software versions",
    "monte_carlo": "Monte Carlo simulation",
    "deflators": "Deflator table",
    "rows": "Rows read",
    "created_at": "Created",
    "data_sha256": "Data (SHA-256)",
    "filters": "Filters",
    "verified_only": "Verified responses only",
    "verified_only_rule": "Verified-only rule",
    "seed": "Monte Carlo seed",
    "draws": "Monte Carlo draws",
    "settings": "Settings",
    "adjustments": "Adjustments used",
}


def _written(value: Any) -> str:
    if isinstance(value, (dict, list, tuple)):
        return Markup("<pre>{}</pre>").format(json.dumps(value, indent=2, sort_keys=True, default=str))
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def provenance_section(result: AnalysisTables) -> list[tuple[str, str]]:
    """Every provenance entry as (label, value): software, settings, adjustments, checksums, filters, seed, time."""
    provenance = getattr(result, "provenance", None) or {}
    return [
        (PROVENANCE_LABELS.get(str(key), str(key).replace("_", " ").capitalize()), _written(value))
        for key, value in provenance.items()
    ]


def write_provenance(result: AnalysisTables, path: str | Path) -> Path:
    """Write ``result.provenance`` as JSON (UTF-8, sorted keys) to `path`; returns the path."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    provenance = getattr(result, "provenance", None) or {}
    target.write_text(json.dumps(provenance, indent=2, sort_keys=True, default=str) + "\n", encoding="utf-8")
    return target
