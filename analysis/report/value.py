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
from analysis.report.methods import bridge_sentence, config_wellby
from analysis.report.names import Names
from analysis.report.phrases import blank, level, money, ratio
from analysis.report.tables import Table, table
from analysis.report.templating import Context
from analysis.result import AnalysisTables

EVIDENCE_ORDER = {"clear": 0, "suggestive": 1, "none": 2, "not_estimated": 3}
OUTCOME_LABELS = {
    "life_satisfaction": "Life satisfaction (asked)",
    "wemwbs_bridged": "WEMWBS, bridged to life satisfaction",
    "swemwbs_bridged": "SWEMWBS, bridged to life satisfaction",
}
TORNADO_LIMIT = 8


def _number(value: Any) -> float:
    return math.nan if blank(value) else float(value)


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


def _interval(row: dict[str, Any]) -> tuple[float, float]:
    low, high = _number(row.get("ci_low")), _number(row.get("ci_high"))
    if math.isfinite(low) and math.isfinite(high):
        return low, high
    effect, se = _number(row["effect"]), _number(row["se"])
    return effect - 1.96 * se, effect + 1.96 * se


def period(row: dict[str, Any]) -> str:
    """How long a value row covers: "a year", or the agreed years as a present value.

    With agreed adjustments over several years, ``value_central`` and its range are the present
    value of every year (drop-off, 1.5% discounting), not one year's value.
    """
    years = _number(row.get("years"))
    if not math.isfinite(years) or years <= 1:
        return "a year"
    return f"over {years:.0f} years (present value, after drop-off and discounting)"


def suppressed(row: dict[str, Any]) -> bool:
    """True for an asset with fewer users than the disclosure threshold: its value is not shown (`asset_value`)."""
    flag = row.get("suppressed")
    return not blank(flag) and bool(flag)


def withheld(threshold: int) -> str:
    """What a value cell says of a suppressed asset."""
    return f"not shown: fewer than {threshold} users"


def _positive_clear(row: dict[str, Any]) -> bool:
    return row["evidence"] == "clear" and _number(row["effect"]) > 0


def _with_note(main: str, note: str) -> str:
    """A ledger cell: the figure, then a note on its own line."""
    return Markup("{}<br><span class='note'>{}</span>").format(main, note)


def _users_cell(row: dict[str, Any], threshold: int) -> str:
    n_users = _number(row["n_users"])
    if math.isfinite(n_users) and 0 < n_users < threshold:
        return f"fewer than {threshold} surveyed users"
    valued = _number(row["users_valued"])
    basis = str(row["users_basis"])
    if not math.isfinite(valued):
        return ""
    if basis in ("scaled_random", "scaled_quota"):
        sample = "random sample" if basis == "scaled_random" else "quota sample, may not represent it"
        return _with_note(f"{valued:,.0f}", f"scaled to {population_phrase(row)}; {sample}")
    return _with_note(f"{valued:,.0f}", "surveyed users only")


def population_phrase(row: dict[str, Any]) -> str:
    """The population users were scaled to, with its source: "9,000 residents (source: ONS mid-2024, 16+)".

    valuation.md: users are scaled to "the population the sample represents ... with its source"; the
    ledger said only "scaled to the population", so the number behind every value had no source (numbers8 audit).
    """
    population = _number(row.get("population_size"))
    source = row.get("population_source")
    size = f"{population:,.0f} residents" if math.isfinite(population) else "the population"
    named = not blank(source) and bool(str(source).strip())
    return f"{size} ({f'source: {str(source).strip()}' if named else 'source not recorded'})"


def _effect_cell(row: dict[str, Any], ci: str) -> str:
    effect = _number(row["effect"])
    if not math.isfinite(effect):
        return ""
    low, high = _interval(row)
    return _with_note(f"{effect:+.2f}", f"{ci} CI {low:+.2f} to {high:+.2f}")


def _value_cell(row: dict[str, Any], threshold: int) -> str:
    evidence = row["evidence"]
    if suppressed(row):
        return withheld(threshold)
    if evidence == "not_estimated" or not math.isfinite(_number(row["value_central"])):
        return "not estimated"
    span = f"{money(row['value_low'])} to {money(row['value_high'])}"
    if period(row) != "a year":
        span += f"; {period(row)}"
    if _positive_clear(row):
        return _with_note(Markup("<strong>{}</strong>").format(money(row["value_central"])), f"range {span}")
    if evidence == "clear":
        return _with_note("negative association, not a value", f"face value {span}")
    return _with_note("not established", f"if real: {span}")


def _cost_cell(row: dict[str, Any]) -> str:
    cost = _number(row["annual_cost"])
    if not math.isfinite(cost):
        return "not known"
    year = _number(row["cost_year"])
    when = f"{year:.0f} prices" if math.isfinite(year) else "price year not recorded"
    return _with_note(money(cost), when)


def _ratio_cell(row: dict[str, Any], threshold: int) -> str:
    if suppressed(row) and _positive_clear(row):
        return withheld(threshold)
    central = _number(row["bcr_central"])
    if _positive_clear(row) and math.isfinite(central):
        return _with_note(ratio(central), f"{ratio(row['bcr_low'])} to {ratio(row['bcr_high'])}")
    if row["evidence"] == "clear" and _number(row["effect"]) < 0:
        return "none: negative association"
    if row["evidence"] == "clear":
        return "none: cost not known"
    return "none: effect not established"


def _basis_cell(row: dict[str, Any]) -> str:
    if str(row["value_basis"]) == "net":
        who = " ".join(str(row[key]) for key in ("agreed_by", "agreed_on") if not blank(row[key]) and str(row[key]))
        return _with_note("net", f"agreed {who}") if who else "net"
    return _with_note("gross", "adjustments not agreed")


def ledger(values: pd.DataFrame, names: Names, threshold: int, price_year: int, *, ci: str = "95%") -> Table:
    """The value ledger: one row per asset; `ci` is the level of the effects' intervals (the value
    ranges are the Monte Carlo's 2.5th-97.5th percentiles, always 95%)."""
    rows = records(values)
    frame = pd.DataFrame(
        {
            "asset": [row["name"] for row in rows],
            "community": [names.community(row["community"]) for row in rows],
            "evidence": [EVIDENCE_LABELS.get(str(row["evidence"]), str(row["evidence"])) for row in rows],
            # An asset with no model was valued on nothing: no outcome to name (numbers7 audit).
            "outcome": [
                ""
                if row["evidence"] == "not_estimated"
                else OUTCOME_LABELS.get(str(row["outcome"]), str(row["outcome"]))
                for row in rows
            ],
            "users": [_users_cell(row, threshold) for row in rows],
            "effect": [_effect_cell(row, ci) for row in rows],
            "value": [_value_cell(row, threshold) for row in rows],
            "cost": [_cost_cell(row) for row in rows],
            "ratio": [_ratio_cell(row, threshold) for row in rows],
            "basis": [_basis_cell(row) for row in rows],
        }
    )
    return table(
        frame,
        [
            ("asset", "Asset", "text"),
            ("community", "Community", "text"),
            ("evidence", "Evidence", "text"),
            ("outcome", "Outcome", "text"),
            ("users", "Users valued", "html"),
            ("effect", "Effect (life-satisfaction points)", "html"),
            ("value", "Value a year unless noted (central; 95% range)", "html"),
            ("cost", "Annual cost", "html"),
            ("ratio", "Benefit-cost ratio", "html"),
            ("basis", "Gross or net", "html"),
        ],
        f"Value ledger: the wellbeing associated with each asset, a year unless agreed adjustments cover several "
        f"years, in {price_year} prices (values of different assets overlap: never add them up)",
    )


def value_sentence(row: dict[str, Any], names: Names, threshold: int, *, ci: str = "95%") -> str:
    """One asset's value in a sentence (the report's ledger and the asset profiles say it alike).

    `ci` names the level of the effect's interval (``level(config.confidence)``); the value range
    is the Monte Carlo's 95% whatever it is.
    """
    name = Markup("<strong>{}</strong> ({})").format(row["name"], names.community(row["community"]))
    evidence = row["evidence"]
    effect = _number(row["effect"])
    if evidence == "not_estimated" or not math.isfinite(effect):
        reason = suppress_counts(names.clean(row["warning"]), threshold) or "no estimate"
        return Markup("{}: not estimated ({}), so no value is given.").format(name, reason)
    low, high = _interval(row)
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
    if _positive_clear(row):
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
            wellby=f"£{_number(row['wellby_low']):,.0f} to £{_number(row['wellby_high']):,.0f}",
            wellby_prices=_wellby_prices(row),
        )
        if math.isfinite(_number(row["bcr_central"])):
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
    year = _number(row.get("price_year"))
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
