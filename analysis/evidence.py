"""Which effect of each asset is valued, how strong the evidence for it is, and how much it shrinks.

For each asset the outcome is life satisfaction (ONS4 question 1) when the survey asked it of
enough of the asset's respondents: its effect is then in WELLBY units directly. Otherwise the
effect on the run's wellbeing scale is bridged, at 0.13 life-satisfaction points per WEMWBS point
(``wemwbs_bridged``) or 0.26 per SWEMWBS point when a survey asked only the short form
(``swemwbs_bridged``; shared/reference/valuation.md). Evidence is graded across every asset valued
in the run: ``clear`` (Benjamini-Hochberg adjusted p below alpha), ``suggestive`` (unadjusted
p below the same alpha but not clear), ``none``, ``not_estimated``. valuation.md names the grades
and fixes no threshold of its own, so both follow the run's alpha (``--alpha``): at 0.05 the
conventional one; at 0.1 a "suggestive" asset would pass a 10% test on its own, as the report says.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from analysis.config import AnalysisConfig
from analysis.dataset import records
from analysis.models import asset_effects, benjamini_hochberg
from analysis.scales import WEMWBS, WellbeingScale
from analysis.shrinkage import random_effects

LIFE_SATISFACTION = "ons_life_satisfaction"
OUTCOMES = ("life_satisfaction", "wemwbs_bridged", "swemwbs_bridged")

VALUED_COLUMNS = (
    "asset",
    "kind",
    "outcome",
    "n_users",
    "n",
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
    "model_warning",
)


def valued_effects(
    responses: pd.DataFrame,
    assets: pd.DataFrame,
    scale_effects: pd.DataFrame,
    config: AnalysisConfig,
    scale: WellbeingScale = WEMWBS,
) -> pd.DataFrame:
    """One row per asset: the effect to value (life-satisfaction points), its grade and its BLUP.

    Parameters
    ----------
    responses, assets
        The dataset's tables.
    scale_effects
        ``asset_effects`` on `scale` (WEMWBS, or SWEMWBS for a short-form survey) for the same
        assets (the pipeline has it already).

    Returns
    -------
    pandas.DataFrame
        ``asset, kind, outcome, n_users, n, effect, se, ci_low, ci_high, p, df, p_adj, evidence,
        effect_shrunk, se_shrunk, model_warning``. ``effect`` and ``se`` are in life-satisfaction
        points (bridged rows: the scale's effect x `WellbeingScale.ls_per_point`); ``p`` and ``df``
        (t degrees of freedom) are the chosen model's.
    """
    has_ls = LIFE_SATISFACTION in responses and bool(responses[LIFE_SATISFACTION].notna().any())
    ls_effects = None
    if scale.is_life_satisfaction:
        ls_effects = scale_effects  # the run's own models: valued directly, never bridged
    elif has_ls:
        ls_effects = asset_effects(responses, assets, config, outcome=LIFE_SATISFACTION)
    ls_rows = {str(row["asset"]): row for row in records(ls_effects)} if ls_effects is not None else {}
    rows = []
    for wellbeing in records(scale_effects):
        ls = ls_rows.get(str(wellbeing["asset"]))
        rows.append(_chosen(wellbeing, ls, config, scale))
    table = pd.DataFrame(
        rows, columns=[c for c in VALUED_COLUMNS if c not in ("p_adj", "evidence", "effect_shrunk", "se_shrunk")]
    )
    table["p_adj"] = benjamini_hochberg(table["p"].to_numpy(dtype="float64"))
    table["evidence"] = [_grade(p, p_adj, config.alpha) for p, p_adj in zip(table["p"], table["p_adj"], strict=True)]
    shrunk, se_shrunk, note = shrink(table["effect"].to_numpy(dtype=float), table["se"].to_numpy(dtype=float))
    table["effect_shrunk"], table["se_shrunk"] = shrunk, se_shrunk
    if note:
        table["model_warning"] = [
            "; ".join(part for part in (warning, note) if part) if math.isfinite(effect) else warning
            for warning, effect in zip(table["model_warning"], table["effect"], strict=True)
        ]
    return table.reindex(columns=list(VALUED_COLUMNS))


def shrink(effects: np.ndarray, se: np.ndarray) -> tuple[np.ndarray, np.ndarray, str]:
    """REML BLUPs of the estimated effects (NaN elsewhere), or NaN with a note when not possible."""
    shrunk = np.full(len(effects), np.nan)
    shrunk_se = np.full(len(effects), np.nan)
    estimated = np.isfinite(effects) & np.isfinite(se) & (se > 0)
    if estimated.sum() < 3:
        return shrunk, shrunk_se, "no shrunken estimate: fewer than 3 assets were estimated"
    try:
        fit = random_effects(effects[estimated], se[estimated], method="REML")
    except ValueError as error:
        return shrunk, shrunk_se, f"no shrunken estimate: {error}"
    shrunk[estimated], shrunk_se[estimated] = fit.blup, fit.blup_se
    return shrunk, shrunk_se, ""


def _chosen(
    wellbeing: dict[str, Any], ls: dict[str, Any] | None, config: AnalysisConfig, scale: WellbeingScale
) -> dict[str, Any]:
    """The life-satisfaction estimate when it exists and keeps enough respondents, else the bridged one."""
    base = {"asset": wellbeing["asset"], "kind": wellbeing["kind"], "n_users": int(wellbeing["n_users"])}
    usable = (
        ls is not None and math.isfinite(ls["effect"]) and ls["n"] >= config.ls_share_needed * max(wellbeing["n"], 1)
    )
    if ls is not None and (usable or scale.is_life_satisfaction):
        return {
            **base,
            "outcome": "life_satisfaction",
            **{key: ls[key] for key in ("n", "effect", "se", "ci_low", "ci_high", "p", "df")},
            "model_warning": str(ls["warning"] or ""),
        }
    factor = scale.ls_per_point(config)
    reason = ""
    if ls is not None and math.isfinite(wellbeing["effect"]):
        reason = (
            f"life satisfaction not used ({ls['warning'] or 'answered by too few of the respondents'}): "
            f"{scale.name} bridged instead"
        )
    return {
        **base,
        "outcome": scale.bridged,
        "n": int(wellbeing["n"]),
        "effect": wellbeing["effect"] * factor,
        "se": wellbeing["se"] * factor,
        "ci_low": wellbeing["ci_low"] * factor,
        "ci_high": wellbeing["ci_high"] * factor,
        "p": wellbeing["p"],
        "df": wellbeing["df"],  # a bridge rescales the effect and its SE, not their t distribution
        "model_warning": "; ".join(part for part in (str(wellbeing["warning"] or ""), reason) if part),
    }


def _grade(p: float, p_adj: float, alpha: float) -> str:
    if not math.isfinite(p):
        return "not_estimated"
    if math.isfinite(p_adj) and p_adj < alpha:
        return "clear"
    if p < alpha:
        return "suggestive"
    return "none"
