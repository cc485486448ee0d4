"""Report text on value: a ledger per asset, honest sentences, the winner's-curse sensitivity, a tornado.

A money figure is stated as a finding only for a clear positive effect (Benjamini-Hochberg
adjusted p below alpha). Every other estimated row keeps its range in the ledger, phrased as
"not established; if real ...", and its sentence says so; a clear negative association gets no
ratio and the selection explanation (people who are struggling may use the service).
The section's template is ``templates/sections/value.html.j2``.
"""

from __future__ import annotations

import math
import re
from typing import Any

import pandas as pd
from markupsafe import Markup

from analysis.config import WELLBY_PRICE_YEAR
from analysis.dataset import records
from analysis.disclosure import suppress_counts
from analysis.evidence_grades import EVIDENCE_LABELS
from analysis.report.figures import Picture, embed, tornado_figure, value_figure
from analysis.report.ledger import (
    interval,
    ledger,
    number,
    period,
    positive_clear,
    suppressed,
)
from analysis.report.methods import bridge_sentence, config_wellby
from analysis.report.names import Names
from analysis.report.phrases import blank, level, money, ratio
from analysis.report.templating import Context
from analysis.result import AnalysisTables

EVIDENCE_ORDER = {"clear": 0, "suggestive": 1, "none": 2, "not_estimated": 3}
TORNADO_LIMIT = 8


def value_table(result: AnalysisTables, names: Names) -> pd.DataFrame:
    """``result.asset_value`` typed for display, names filled in where a slug has no recorded name."""
    values = result.asset_value.copy()
    values["name"] = [
        str(name) if not blank(name) and str(name) else names.asset(slug)
        for slug, name in zip(values["asset"], values["name"], strict=True)
    ]
    values["community"] = [
        str(community) if not blank(community) and str(community) else names.asset_community.get(str(slug), "")
        for slug, community in zip(values["asset"], values["community"], strict=True)
    ]
    numeric = (
        "effect se p p_adj effect_shrunk se_shrunk n_users users_valued population_size gross_value_central "
        "value_central value_low value_high value_central_wellby_low value_central_wellby_high wellby_low wellby_high "
        "value_shrunk_central annual_cost cost_year price_year bcr_central bcr_low bcr_high ci_low ci_high"
    ).split()
    for column in numeric:
        values[column] = values[column].astype("float64")
    for column in ("caveat", "warning"):
        values[column] = values[column].fillna("").astype(str)
    order = values["evidence"].map(EVIDENCE_ORDER).fillna(9)
    return values.assign(_order=order).sort_values(["_order", "value_central"], ascending=[True, False])


def value_sentence(row: dict[str, Any], names: Names, threshold: int, *, ci: str = "95%") -> str:
    """One asset's value in a sentence (the report's ledger and the asset profiles say it alike).

    `ci` names the level of the effect's interval (``level(config.confidence)``); the value range
    is the Monte Carlo's 95% whatever it is.
    """
    name = Markup("<strong>{}</strong> ({})").format(row["name"], names.community(row["community"]))
    evidence = row["evidence"]
    effect = number(row["effect"])
    if evidence == "not_estimated" or not math.isfinite(effect):
        reason = suppress_counts(names.clean(row["warning"]), threshold) or "no estimate"
        return Markup("{}: not estimated ({}), so no value is given.").format(name, reason)
    low, high = interval(row)
    points = f"{abs(effect):.2f} life-satisfaction points {'higher' if effect > 0 else 'lower'} than non-users"
    # A bridged effect was not reported as life satisfaction: it is WEMWBS or SWEMWBS converted (valuation.md).
    outcome = str(row.get("outcome"))
    change = (
        f"users score {points} on {outcome.removesuffix('_bridged').upper()} bridged to life satisfaction"
        if outcome.endswith("_bridged")
        else f"users report life satisfaction {points}"
    )
    if suppressed(row):
        return Markup(
            "{}: {} ({} CI {:+.2f} to {:+.2f}; evidence: {}). No money value is shown: fewer than {} of the people "
            "surveyed use it, and a value would give their number away."
        ).format(name, change, ci, low, high, EVIDENCE_LABELS.get(str(evidence), str(evidence)).lower(), threshold)
    basis = "net of the agreed adjustments" if str(row["value_basis"]) == "net" else "gross (no adjustments agreed)"
    if positive_clear(row):
        text = Markup(
            "{name}: {change} ({ci} CI {low:+.2f} to {high:+.2f}), "
            "clear after allowing for the number of assets tested. The wellbeing associated with it is valued at "
            "{central} {period}, {basis} (95% range {value_low} to {value_high}; {wellby_low} to {wellby_high} with "
            "a WELLBY worth {wellby}{wellby_prices})."
        ).format(
            name=name,
            change=change,
            ci=ci,
            low=low,
            high=high,
            central=money(row["value_central"]),
            period=period(row),
            basis=basis,
            value_low=money(row["value_low"]),
            value_high=money(row["value_high"]),
            wellby_low=money(row["value_central_wellby_low"]),
            wellby_high=money(row["value_central_wellby_high"]),
            # The run's own pounds per WELLBY (HM Treasury's by default), recorded in the row; the sentence said
            # "£10,000 to £16,000" whatever the settings. The figures are in the run's price year, those 2019's.
            wellby=f"£{number(row['wellby_low']):,.0f} to £{number(row['wellby_high']):,.0f}",
            wellby_prices=_wellby_prices(row),
        )
        if math.isfinite(number(row["bcr_central"])):
            text += Markup(
                " Against its running cost of {} a year, each pound goes with £{} of wellbeing (range {} to {}); "
                "a social value, not a cash saving."
            ).format(
                money(row["annual_cost"]),
                ratio(row["bcr_central"]),
                ratio(row["bcr_low"]),
                ratio(row["bcr_high"]),
            )
        else:
            text += " Its running cost is not known, so there is no benefit-cost ratio."
        return text
    if evidence == "clear":
        return Markup(
            "{}: {} ({} CI {:+.2f} to {:+.2f}), clear after allowing "
            "for the number of assets tested. This may reflect that people who are struggling use the service, not "
            "harm done by it; no benefit-cost ratio is given."
        ).format(name, change, ci, low, high)
    if evidence == "suggestive":
        text = Markup(
            "{}: the survey does not establish an effect ({}; the difference could be chance once all assets "
            "are tested together). If the association were real, the range would be {} to {} {}; no "
            "benefit-cost ratio is given."
        ).format(name, change, money(row["value_low"]), money(row["value_high"]), period(row))
        if effect < 0:
            # valuation.md: a negative association may be selection, not harm, "and say so"; a suggestive one
            # was given a negative money range with no such word (numbers8 audit).
            text += Markup(
                " A lower wellbeing among users may reflect that people who are struggling use the service, not "
                "harm done by it."
            )
        return text
    return Markup(
        "{}: the survey finds no association it can tell apart from chance ({}, {} CI {:+.2f} to {:+.2f}), "
        "so no value or benefit-cost ratio is given."
    ).format(name, change, ci, low, high)


def _wellby_prices(row: dict[str, Any]) -> str:
    """ " in 2019 prices" when the row's money is in another price year (the WELLBY values are 2019's)."""
    year = number(row.get("price_year"))
    return f" in {WELLBY_PRICE_YEAR} prices" if math.isfinite(year) and int(year) != WELLBY_PRICE_YEAR else ""


def value_section(result: AnalysisTables, names: Names) -> Context:
    """The ledger, its sentences, the winner's-curse sensitivity and the tornado chart."""
    config = result.config
    threshold = config.disclosure_threshold
    values = value_table(result, names)
    price_year = int(config.price_year)
    ci = level(config.confidence)
    # Suppressed assets (too few users to show a value) have no figure, tornado or shrunken value.
    clear = values[(values["evidence"] == "clear") & (values["effect"] > 0) & values["value_central"].notna()]
    counts = values["evidence"].value_counts()
    intro = [
        "To put a money value on the wellbeing that goes with an asset we follow HM Treasury's wellbeing "
        "guidance: one WELLBY (one point of life satisfaction, 0-10, for one person for a year) is worth "
        f"{config_wellby(config)}. Where the survey asked the ONS life-satisfaction question, each asset's effect "
        "on it is valued directly."
        + bridge_sentence(result.scale, config).replace(" Otherwise the", " Otherwise its", 1),
        Markup(
            "Each asset is graded by its evidence: <em>clear</em> ({}) when the difference stands out after "
            "allowing for every asset tested (Benjamini-Hochberg adjusted p below {}); <em>suggestive</em> ({}) when "
            "it would pass on its own (p below {}) but not once all assets are tested together; <em>none</em> "
            "({}); or not estimated ({}). Only a clear positive effect is given a value as a finding and a "
            "benefit-cost ratio."
        ).format(
            int(counts.get("clear", 0)),
            config.alpha,
            int(counts.get("suggestive", 0)),
            config.alpha,
            int(counts.get("none", 0)),
            int(counts.get("not_estimated", 0)),
        ),
        *(
            # Graded on life satisfaction, an asset can be "clear" in the previous section (on WEMWBS) and "none"
            # here, with nothing said to the workshop about why (numbers8 audit).
            [
                "These grades are for the outcome valued, life satisfaction where it was asked, so the grade of an "
                f"asset here can differ from its grade on {result.scale.name} in the section above."
            ]
            if not result.scale.is_life_satisfaction and (values["outcome"] == "life_satisfaction").any()
            else []
        ),
        Markup(
            "<strong>Values of different assets overlap</strong>: many people use several assets and the survey "
            "cannot separate their contributions, so the values must not be added up into a total."
        ),
    ]
    if not ((values["evidence"] == "clear") & (values["effect"] > 0)).any():
        intro.append(
            "No asset has a clear positive association with wellbeing once all assets are tested together, so "
            "this report states no money value as a finding."
        )
    figure = None
    if len(clear):
        # A value over several agreed years is set against the cost of those years (discounted as the
        # benefit-cost ratio does), never against one year's cost.
        over_years = [
            sum(1 / (1 + config.cost_discount_rate) ** t for t in range(int(years) if math.isfinite(years) else 1))
            for years in clear["years"].astype("float64")
        ]
        figure = embed(
            value_figure(clear.assign(annual_cost=clear["annual_cost"] * over_years), names),
            "Assets with clear evidence of a positive association only: the central value of the associated "
            "wellbeing (marker) and its 95% range from the Monte Carlo simulation (line), a year unless agreed "
            "adjustments cover several years, one colour and marker shape per community; the hollow diamond is "
            f"the asset's running cost over the same period, where known. {price_year} prices.",
        )
    return {
        "intro": intro,
        "figure": figure,
        "ledger": ledger(values, names, threshold, price_year, ci=ci),
        "sentences": [(str(row["evidence"]), value_sentence(row, names, threshold, ci=ci)) for row in records(values)],
        "warnings": _warnings(values, names, threshold),
        "shrinkage": _shrinkage(clear),
        "tornado": _tornado(result, clear, names),
    }


def _warnings(values: pd.DataFrame, names: Names, threshold: int) -> list[str]:
    """Each distinct warning once, with the assets it applies to."""
    grouped: dict[str, list[str]] = {}
    for row in records(values):
        if row["evidence"] == "not_estimated":
            continue  # its sentence gives the reason
        for warning in re.split(r";\s*(?![^()]*\))", str(row["warning"])):
            text = suppress_counts(names.clean(warning.strip()), threshold)
            if text:
                grouped.setdefault(text, []).append(str(row["name"]))
    return [f"{text[:1].upper() + text[1:]} ({', '.join(assets)})." for text, assets in grouped.items()]


def _shrinkage(clear: pd.DataFrame) -> list[str]:
    """The winner's-curse sentences (none when no clear asset has a shrunken value)."""
    shrunk = clear[clear["value_shrunk_central"].notna()]
    if len(shrunk) == 0:
        return []
    sentences: list[str] = [
        "The largest of many noisy estimates tends to be too large (the winner's curse). As a sensitivity, a "
        "random-effects model across all the valued assets pulls each effect towards their average; the "
        "headline stays the asset's own estimate."
    ]
    for row in records(shrunk):
        sentences.append(
            Markup(
                "If effects are spread like those of all assets, the value of <strong>{}</strong> would be {} {} "
                "instead of {} (effect {:+.2f} instead of {:+.2f} points)."
            ).format(
                row["name"],
                money(row["value_shrunk_central"]),
                period(row),
                money(row["value_central"]),
                row["effect_shrunk"],
                row["effect"],
            )
        )
    return sentences


def _tornado(result: AnalysisTables, clear: pd.DataFrame, names: Names) -> Picture | None:
    sensitivity = getattr(result, "value_sensitivity", None)
    if not isinstance(sensitivity, pd.DataFrame) or len(clear) == 0:
        return None
    chosen = list(clear.sort_values("value_central", ascending=False)["asset"][:TORNADO_LIMIT])
    rows = sensitivity[sensitivity["asset"].isin(chosen)]
    if len(rows) == 0:
        return None
    which = (
        "each asset with clear evidence"
        if len(chosen) == len(clear)
        else f"the {len(chosen)} assets with clear evidence and the largest central values"
    )
    caption = (
        f"One panel for {which}: the value (a year unless agreed over several years) when one setting at a time "
        "is moved to the low and to the high end of its range, everything else as in the ledger - deadweight, "
        "displacement, attribution and drop-off each 0.10 below and above their value (within 0 to 1), and the "
        f"WELLBY value from £{result.config.wellby_low:,.0f} to £{result.config.wellby_high:,.0f} ({WELLBY_PRICE_YEAR} "
        "prices). Each bar spans the two resulting values; the vertical line is the "
        "central value; the widest bar is at the top. Drop-off moves the value only when an asset is valued over "
        "more than one year."
    )
    return embed(tornado_figure(rows, clear, names), caption)
