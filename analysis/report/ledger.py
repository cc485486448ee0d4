"""The value ledger: one row per asset, each cell a figure with its note (the report's value section
and the asset profiles read these helpers too).

A money figure is a finding only for a clear positive effect; every other estimated row keeps its
range phrased as "not established; if real ..." or, for a clear negative association, "face value".
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
from markupsafe import Markup

from analysis.dataset import records
from analysis.evidence_grades import EVIDENCE_LABELS
from analysis.report.names import Names
from analysis.report.phrases import blank, money, ratio
from analysis.report.tables import Table, table

OUTCOME_LABELS = {
    "life_satisfaction": "Life satisfaction (asked)",
    "wemwbs_bridged": "WEMWBS, bridged to life satisfaction",
    "swemwbs_bridged": "SWEMWBS, bridged to life satisfaction",
}


def number(value: Any) -> float:
    """A cell as a float, blank as NaN."""
    return math.nan if blank(value) else float(value)


def interval(row: dict[str, Any]) -> tuple[float, float]:
    low, high = number(row.get("ci_low")), number(row.get("ci_high"))
    if math.isfinite(low) and math.isfinite(high):
        return low, high
    effect, se = number(row["effect"]), number(row["se"])
    return effect - 1.96 * se, effect + 1.96 * se


def period(row: dict[str, Any]) -> str:
    """How long a value row covers: "a year", or the agreed years as a present value.

    With agreed adjustments over several years, ``value_central`` and its range are the present
    value of every year (drop-off, 1.5% discounting), not one year's value.
    """
    years = number(row.get("years"))
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


def positive_clear(row: dict[str, Any]) -> bool:
    return row["evidence"] == "clear" and number(row["effect"]) > 0


def _with_note(main: str, note: str) -> str:
    """A ledger cell: the figure, then a note on its own line."""
    return Markup("{}<br><span class='note'>{}</span>").format(main, note)


def _users_cell(row: dict[str, Any], threshold: int) -> str:
    n_users = number(row["n_users"])
    if math.isfinite(n_users) and 0 < n_users < threshold:
        return f"fewer than {threshold} surveyed users"
    valued = number(row["users_valued"])
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
    population = number(row.get("population_size"))
    source = row.get("population_source")
    size = f"{population:,.0f} residents" if math.isfinite(population) else "the population"
    named = not blank(source) and bool(str(source).strip())
    return f"{size} ({f'source: {str(source).strip()}' if named else 'source not recorded'})"


def _effect_cell(row: dict[str, Any], ci: str) -> str:
    effect = number(row["effect"])
    if not math.isfinite(effect):
        return ""
    low, high = interval(row)
    return _with_note(f"{effect:+.2f}", f"{ci} CI {low:+.2f} to {high:+.2f}")


def _value_cell(row: dict[str, Any], threshold: int) -> str:
    evidence = row["evidence"]
    if suppressed(row):
        return withheld(threshold)
    if evidence == "not_estimated" or not math.isfinite(number(row["value_central"])):
        return "not estimated"
    span = f"{money(row['value_low'])} to {money(row['value_high'])}"
    if period(row) != "a year":
        span += f"; {period(row)}"
    if positive_clear(row):
        return _with_note(Markup("<strong>{}</strong>").format(money(row["value_central"])), f"range {span}")
    if evidence == "clear":
        return _with_note("negative association, not a value", f"face value {span}")
    return _with_note("not established", f"if real: {span}")


def _cost_cell(row: dict[str, Any]) -> str:
    cost = number(row["annual_cost"])
    if not math.isfinite(cost):
        return "not known"
    year = number(row["cost_year"])
    when = f"{year:.0f} prices" if math.isfinite(year) else "price year not recorded"
    return _with_note(money(cost), when)


def _ratio_cell(row: dict[str, Any], threshold: int) -> str:
    if suppressed(row) and positive_clear(row):
        return withheld(threshold)
    central = number(row["bcr_central"])
    if positive_clear(row) and math.isfinite(central):
        return _with_note(ratio(central), f"{ratio(row['bcr_low'])} to {ratio(row['bcr_high'])}")
    if row["evidence"] == "clear" and number(row["effect"]) < 0:
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
