"""Money value of the wellbeing associated with each asset, in WELLBYs (HM Treasury 2021).

value = effect (life-satisfaction points) x users x pounds per WELLBY x price factor, then the
agreed SROI adjustments: net = gross x (1 - deadweight) x (1 - displacement) x (1 - attribution),
summed over ``years`` with drop-off and the 1.5% wellbeing discount rate. The range comes from a
seeded Monte Carlo over the effect (Student's t with the model's residual degrees of freedom, scaled
by its SE, as its confidence interval) and the user share (Beta, Jeffreys prior, with
the finite population correction: see `analysis.value_ranges.value_range`);
a benefit-cost ratio is given only for a clear positive effect with a known cost.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from analysis.adjustments import FRACTIONS, adjustment_factor
from analysis.config import AnalysisConfig
from analysis.dataset import records
from analysis.population import Users, count_users
from analysis.scales import SCALES
from analysis.value_ranges import SENSITIVITY_COLUMNS, tornado_rows, value_range

VALUE_COLUMNS = (
    "asset",
    "name",
    "community",
    "community_name",
    "kind",
    "outcome",
    "effect",
    "se",
    "ci_low",
    "ci_high",
    "p",
    "df",
    "p_adj",
    "evidence",
    "effect_shrunk",
    "se_shrunk",
    "n_users",
    "n_asked",
    "users_valued",
    "users_basis",
    "users_note",
    "population_size",
    "population_source",
    *FRACTIONS,
    "years",
    "adjustment_reason",
    "agreed_by",
    "agreed_on",
    "value_basis",
    "gross_value_central",
    "value_central",
    "value_low",
    "value_high",
    "value_central_wellby_low",
    "value_central_wellby_high",
    "wellby_low",
    "wellby_central",
    "wellby_high",
    "value_shrunk_central",
    "annual_cost",
    "cost_year",
    "price_year",
    "bcr_central",
    "bcr_low",
    "bcr_high",
    "caveat",
    "warning",
    "suppressed",
)
# Blanked for an asset with fewer users than the disclosure threshold: each gives the count away.
SUPPRESSED_COLUMNS = (
    "users_valued",
    "gross_value_central",
    "value_central",
    "value_low",
    "value_high",
    "value_central_wellby_low",
    "value_central_wellby_high",
    "value_shrunk_central",
    "bcr_central",
    "bcr_low",
    "bcr_high",
)
CAUSATION = (
    "Association, not causation: a cross-sectional survey cannot show that the asset caused the difference "
    "(people who use it may differ in ways not measured)."
)
CAVEATS = {
    "clear": CAUSATION + " A social value, not a cash saving.",
    "clear_negative": (
        "A clear negative association: this may reflect that people who are struggling use the service "
        "(selection), not harm done by it. No benefit-cost ratio. " + CAUSATION
    ),
    "suggestive": (
        "Not established: the association is not clear once every asset tested is allowed for. The range shows "
        "what the value would be if it were real; no benefit-cost ratio. " + CAUSATION
    ),
    "none": "No association found: no value is established and there is no benefit-cost ratio. " + CAUSATION,
    "not_estimated": "Not estimated: too little data for a model (see warning). No value.",
}
# A negative association "with a service people use because they are struggling ... is selection, not harm"
# (valuation.md), however strong the evidence: said of a suggestive one too (numbers8 audit).
SELECTION = " A negative association may reflect that people who are struggling use the service (selection), not harm."


def bridged_warning(outcome: str, config: AnalysisConfig) -> str:
    """The warning of a value reached through a bridge (``wemwbs_bridged``, ``swemwbs_bridged``); empty otherwise."""
    scale = SCALES.get(outcome.removesuffix("_bridged")) if outcome.endswith("_bridged") else None
    if scale is None:
        return ""
    return (
        f"valued through the {scale.name} bridge ({scale.ls_per_point(config):g} life-satisfaction points per "
        f"{scale.name} point; WellWorth, citing Mukuria et al. 2016): a secondary figure without a published "
        "uncertainty"
    )


def asset_value(
    valued: pd.DataFrame,
    assets: pd.DataFrame,
    responses: pd.DataFrame,
    campaigns: pd.DataFrame,
    adjustments: pd.DataFrame,
    config: AnalysisConfig,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``asset_value.csv`` (one row per asset) and the tornado table of clear assets.

    Parameters
    ----------
    valued
        `analysis.evidence.valued_effects`: effects in life-satisfaction points with grades.
    adjustments
        Agreed SROI adjustments (`analysis.adjustments.prepare_adjustments`); an asset with a row
        is valued *net*, one without stays *gross*.

    Returns
    -------
    (asset_value, value_sensitivity)
        ``value_central`` is the point estimate; ``value_low`` / ``value_high`` the 2.5th / 97.5th
        percentiles of the Monte Carlo at the central WELLBY value (``config.wellby_central``, HM
        Treasury's GBP 13,000 by default); ``value_central_wellby_low`` / ``_high`` the point estimate
        at ``config.wellby_low`` / ``_high`` (GBP 10,000 / 16,000). ``wellby_low``, ``wellby_central``
        and ``wellby_high`` record those pounds per WELLBY (2019 prices), so that every text built
        from a row names the values it used. An asset with fewer users than the disclosure threshold
        has ``suppressed`` = 1 and every figure that would give its user count away blank
        (`SUPPRESSED_COLUMNS`), and no tornado rows.
        Values of different assets overlap (people use several): never add them up.

    References
    ----------
    .. [1] HM Treasury. Wellbeing Guidance for Appraisal: Supplementary Green Book Guidance. 2021.
    .. [2] HM Treasury. The Green Book: Central Government Guidance on Appraisal and Evaluation.
       2022 (Monte Carlo analysis, discount rates).
    .. [3] Social Value UK. A Guide to Social Return on Investment. 2012.
    """
    info = {str(row["slug"]): row for row in records(assets)}
    # valuation.md: each adjustment "needs a reason and who agreed it, and results are shown gross until they
    # are agreed". `prepare_adjustments` insists on the reason; a row that said neither who agreed it nor the
    # workshop that did (``source``) was applied as net all the same (numbers8 audit): its asset stays gross.
    agreed = {
        str(row["asset"]): row
        for row in records(adjustments)
        if _named(row.get("agreed_by")) or _named(row.get("source"))
    }
    unattributed = {str(row["asset"]) for row in records(adjustments)} - set(agreed)
    # An assets.csv without community names beside a campaigns.csv with them: the row (and the report's
    # names, which read it first) called the community by its slug.
    named = {
        str(row["community"]): str(row["community_name"])
        for row in records(campaigns)
        if isinstance(row.get("community_name"), str) and row["community_name"].strip()
    }
    rows, sensitivity = [], []
    for effect in records(valued):
        slug = str(effect["asset"])
        asset = info[slug]
        if not isinstance(asset.get("community_name"), str) or not asset["community_name"].strip():
            asset = asset | {"community_name": named.get(str(asset["community"]))}
        users = count_users(slug, str(asset["community"]), int(effect["n_users"]), responses, campaigns)
        row = _value_row(effect, asset, users, agreed.get(slug), config, unattributed=slug in unattributed)
        rows.append(row)
        if row["evidence"] == "clear" and not row["suppressed"]:
            sensitivity += tornado_rows(row, users, config)
    return (
        pd.DataFrame(rows, columns=list(VALUE_COLUMNS)),
        pd.DataFrame(sensitivity, columns=list(SENSITIVITY_COLUMNS)),
    )


def _named(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _value_row(
    effect: dict[str, Any],
    asset: dict[str, Any],
    users: Users,
    agreed: dict[str, Any] | None,
    config: AnalysisConfig,
    *,
    unattributed: bool = False,
) -> dict[str, Any]:
    estimated = math.isfinite(effect["effect"])
    settings = _settings(agreed)
    factor = adjustment_factor(**settings, rate=config.discount_rate)
    per_person = users.valued * config.price_factor
    point = effect["effect"] * per_person if estimated else math.nan
    low, high = value_range(effect, users, config) if estimated else (math.nan, math.nan)
    central_pounds = config.wellby_central * factor
    cost, cost_warning = _cost(asset, settings["years"], config)
    evidence = str(effect["evidence"])
    honest_ratio = evidence == "clear" and estimated and effect["effect"] > 0 and math.isfinite(cost) and cost > 0
    value_central = point * central_pounds
    value_low, value_high = low * central_pounds, high * central_pounds
    warnings = [effect["model_warning"], users.warning]
    if estimated:
        warnings.append(bridged_warning(str(effect["outcome"]), config))
    if evidence == "clear" and effect["effect"] > 0:
        warnings.append(cost_warning)
    if agreed is None and estimated:
        warnings.append(
            "adjustments recorded without who agreed them: not applied until that is recorded, gross figures"
            if unattributed
            else "adjustments not yet agreed: gross figures (no deadweight, displacement or attribution)"
        )
    caveat_key = "clear_negative" if evidence == "clear" and effect["effect"] < 0 else evidence
    # Small-number suppression: value / (effect x pounds per WELLBY) is the users valued, so a value of an asset
    # with fewer users than the disclosure threshold gives their count away (above `min_group`, a model can be
    # estimated on fewer users than may be shown; numbers8 audit). Its effect and grade stay; no money figure.
    suppressed = estimated and users.n_users < config.disclosure_threshold
    if suppressed:
        warnings.append(
            f"fewer than {config.disclosure_threshold} users: no value is shown, as it would give their number away"
        )
    row = {
        "asset": effect["asset"],
        "name": asset["name"],
        "community": asset["community"],
        "community_name": asset.get("community_name") or asset["community"],
        "kind": asset["kind"],
        **{key: effect[key] for key in ("outcome", "effect", "se", "ci_low", "ci_high", "p", "p_adj", "evidence")},
        "df": effect.get("df", math.nan),
        "effect_shrunk": effect["effect_shrunk"],
        "se_shrunk": effect["se_shrunk"],
        "n_users": users.n_users,
        "n_asked": users.asked,
        "users_valued": users.valued,
        "users_basis": users.basis,
        "users_note": users.note,
        "population_size": users.population,
        "population_source": users.population_source,
        **settings,
        "adjustment_reason": None if agreed is None else agreed["reason"],
        "agreed_by": None if agreed is None else agreed.get("agreed_by"),
        "agreed_on": None if agreed is None else agreed.get("agreed_on"),
        "value_basis": "gross" if agreed is None else "net",
        "gross_value_central": point * config.wellby_central,
        "value_central": value_central,
        "value_low": value_low,
        "value_high": value_high,
        "value_central_wellby_low": point * config.wellby_low * factor,
        "value_central_wellby_high": point * config.wellby_high * factor,
        "wellby_low": config.wellby_low,
        "wellby_central": config.wellby_central,
        "wellby_high": config.wellby_high,
        "value_shrunk_central": effect["effect_shrunk"] * per_person * central_pounds,
        "annual_cost": asset["annual_cost"],
        "cost_year": asset.get("cost_year"),
        "price_year": config.price_year,
        "bcr_central": value_central / cost if honest_ratio else math.nan,
        "bcr_low": value_low / cost if honest_ratio else math.nan,
        "bcr_high": value_high / cost if honest_ratio else math.nan,
        "caveat": CAVEATS[caveat_key]
        + (SELECTION if evidence == "suggestive" and effect["effect"] < 0 else "")
        + ("" if agreed is None else " Net of the agreed adjustments."),
        "warning": "; ".join(part for part in warnings if part),
        "suppressed": int(suppressed),
    }
    if suppressed:
        row.update(dict.fromkeys(SUPPRESSED_COLUMNS, math.nan))
        row["users_note"] = f"fewer than {config.disclosure_threshold} users (not shown)"
    return row


def _settings(agreed: dict[str, Any] | None) -> dict[str, Any]:
    if agreed is None:
        return {"deadweight": 0.0, "displacement": 0.0, "attribution": 0.0, "drop_off": 0.0, "years": 1}
    return {key: float(agreed[key]) for key in FRACTIONS} | {"years": int(agreed["years"])}


def _cost(asset: dict[str, Any], years: int, config: AnalysisConfig) -> tuple[float, str]:
    """The cost set against the value (in the price year, over the same years) and any warning."""
    annual = asset["annual_cost"]
    if annual is None or not math.isfinite(annual) or annual <= 0:
        return math.nan, "no benefit-cost ratio: annual cost unknown or zero"
    cost_year = asset.get("cost_year")
    year = None if cost_year is None or pd.isna(cost_year) else int(cost_year)
    factor = config.cost_factor(year)
    warning = ""
    if factor is None:
        factor = 1.0
        warning = (
            f"the ratio mixes price years: value in {config.price_year} prices, cost in "
            f"{'an unknown year' if year is None else f'{year} prices'} (give a deflator table to convert)"
        )
    over_years = sum(1 / (1 + config.cost_discount_rate) ** t for t in range(years))
    return float(annual) * factor * over_years, warning


def bridged_values(
    effects: pd.DataFrame,
    assets: pd.DataFrame,
    responses: pd.DataFrame,
    campaigns: pd.DataFrame,
    config: AnalysisConfig,
    *,
    ls_per_point: float,
) -> pd.DataFrame:
    """Central gross value of another outcome's effects through a bridge (the SWEMWBS sensitivity check).

    Returns ``asset, users_valued, value_central`` (one year, no adjustments, ``config.wellby_central``
    a WELLBY); both blank for an asset with fewer users than the disclosure threshold.
    """
    info = {str(row["slug"]): row for row in records(assets)}
    rows = []
    for effect in records(effects):
        slug = str(effect["asset"])
        users = count_users(slug, str(info[slug]["community"]), int(effect["n_users"]), responses, campaigns)
        value = effect["effect"] * ls_per_point * users.valued * config.price_factor * config.wellby_central
        if users.n_users < config.disclosure_threshold:  # as `asset_value`: the value would give the count away
            rows.append({"asset": slug, "users_valued": math.nan, "value_central": math.nan})
            continue
        rows.append({"asset": slug, "users_valued": users.valued, "value_central": value})
    return pd.DataFrame(rows, columns=["asset", "users_valued", "value_central"])
