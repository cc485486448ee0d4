"""Money value of the wellbeing associated with each asset, in WELLBYs (HM Treasury 2021)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from analysis.config import WELLBY_PRICE_YEAR, AnalysisConfig
from analysis.dataset import asset_column, records

VALUE_COLUMNS = (
    "asset",
    "n_users",
    "annual_cost",
    "value_low",
    "value_central",
    "value_high",
    "bcr_central",
    "bcr_low",
    "bcr_high",
    "users_valued",
    "users_basis",
    "effect",
    "ci_low",
    "ci_high",
    "p_adj",
    "significant",
    "ls_per_point",
    "wellby_low",
    "wellby_central",
    "wellby_high",
    "price_year",
    "deflator",
    "caveat",
    "warning",
)
CAVEAT = (
    "Association, not causation: a cross-sectional survey cannot show that the asset caused the "
    "difference in wellbeing (people who use it may differ in ways not measured). Deadweight: some "
    "of this wellbeing would exist without the asset. A social value, not a cash saving."
)


def asset_value(
    effects: pd.DataFrame,
    assets: pd.DataFrame,
    responses: pd.DataFrame,
    campaigns: pd.DataFrame,
    config: AnalysisConfig,
    *,
    ls_per_point: float | None = None,
) -> pd.DataFrame:
    """``asset_value.csv``: value a year = effect x users x LS points per WEMWBS point x pounds per WELLBY.

    Central uses the effect and the central WELLBY value (GBP 13,000); low uses ``ci_low`` and
    GBP 10,000; high uses ``ci_high`` and GBP 16,000 (issue 4, part 6), all in 2019 prices times
    ``config.price_factor``. When ``ci_low`` is negative, "low" is therefore not the smallest
    product of the two ranges; it is kept as specified so the columns mean the same in every row.
    A negative or non-significant effect is shown as it is, never floored at zero: see
    ``significant`` (Benjamini-Hochberg adjusted p below alpha).

    Users are the surveyed users. They are scaled to the community only when every campaign
    in that community in the data records both a population size and a sampling method: then
    users = (share of respondents asked who use the asset) x (population size of the latest such
    campaign), and ``users_basis`` says so. The share's own sampling error is not carried into
    the low-high range, and a non-random sample may not represent the community.

    Parameters
    ----------
    effects
        ``asset_effects`` table (WEMWBS points, or SWEMWBS points with `ls_per_point` given).
    ls_per_point
        Life-satisfaction points per outcome point; default ``config.ls_per_wemwbs``.

    References
    ----------
    .. [1] HM Treasury. Wellbeing Guidance for Appraisal: Supplementary Green Book Guidance. 2021.
    .. [2] Mukuria C, Rowen D, Peasgood T, Brazier J. An empirical comparison of well-being measures
       used in the UK. Policy Research Unit in Economic Evaluation of Health and Care Interventions,
       report RR0048, 2016; as used by Happy City's
       WellWorth method (0.13 life-satisfaction points per WEMWBS point, 0.26 per SWEMWBS point).
    """
    per_point = config.ls_per_wemwbs if ls_per_point is None else ls_per_point
    factor = config.price_factor
    info = {str(row["slug"]): row for row in records(assets)}
    rows = []
    for effect in records(effects):
        slug = str(effect["asset"])
        asset = info[slug]
        users, basis = _users(slug, asset, int(effect["n_users"]), responses, campaigns)
        cost = float(asset["annual_cost"]) if pd.notna(asset["annual_cost"]) else math.nan
        base = users * per_point * factor
        central = float(effect["effect"]) * base * config.wellby_central
        low = float(effect["ci_low"]) * base * config.wellby_low
        high = float(effect["ci_high"]) * base * config.wellby_high
        significant: Any = np.nan if not math.isfinite(effect["p_adj"]) else int(effect["p_adj"] < config.alpha)
        rows.append(
            {
                "asset": slug,
                "n_users": int(effect["n_users"]),
                "annual_cost": cost,
                "value_low": low,
                "value_central": central,
                "value_high": high,
                "bcr_central": _ratio(central, cost),
                "bcr_low": _ratio(low, cost),
                "bcr_high": _ratio(high, cost),
                "users_valued": users,
                "users_basis": basis,
                "effect": float(effect["effect"]),
                "ci_low": float(effect["ci_low"]),
                "ci_high": float(effect["ci_high"]),
                "p_adj": float(effect["p_adj"]),
                "significant": significant,
                "ls_per_point": per_point,
                "wellby_low": config.wellby_low * factor,
                "wellby_central": config.wellby_central * factor,
                "wellby_high": config.wellby_high * factor,
                "price_year": config.price_year,
                "deflator": factor if config.price_year != WELLBY_PRICE_YEAR else 1.0,
                "caveat": CAVEAT,
                "warning": _warning(str(effect["warning"]), float(effect["effect"]), cost),
            }
        )
    return pd.DataFrame(rows, columns=list(VALUE_COLUMNS))


def _warning(effect_warning: str, effect: float, cost: float) -> str:
    if not math.isfinite(effect):
        return f"no value: {effect_warning or 'no estimate'}"
    if not (math.isfinite(cost) and cost > 0):
        return "no benefit-cost ratio: annual cost unknown or zero"
    return ""


def _ratio(value: float, cost: float) -> float:
    return value / cost if math.isfinite(cost) and cost > 0 and math.isfinite(value) else math.nan


def _users(
    slug: str, asset: dict[str, Any], n_users: int, responses: pd.DataFrame, campaigns: pd.DataFrame
) -> tuple[float, str]:
    """Number of users to value, and a sentence saying where it came from."""
    community = str(asset["community"])
    asked = responses[responses["community"] == community]
    column = asset_column(slug)
    answered = int(asked[column].notna().sum()) if column in asked else 0
    surveyed = (
        f"surveyed users only ({n_users} of {answered} respondents asked); the campaign records no population "
        "size and sampling method"
    )
    chosen = campaigns[
        (campaigns["community"] == community) & campaigns["campaign"].isin(set(asked["campaign"].astype(str)))
    ]
    if len(chosen) == 0 or answered == 0:
        return float(n_users), surveyed
    recorded = chosen["population_size"].notna() & chosen["sampling_method"].notna()
    if not recorded.all():
        return float(n_users), surveyed
    latest = records(chosen)[-1]
    population = int(latest["population_size"])
    share = n_users / answered
    basis = (
        f"scaled to the community: {n_users} of {answered} respondents asked use it ({share:.1%}) x population "
        f"{population:,} (campaign {latest['campaign']}; sampling: {latest['sampling_method']})"
    )
    return share * population, basis
