"""One asset's valued effect and its asset row, the inputs of `analysis.valuation.asset_value`
that the valuation and report-text tests share."""

from __future__ import annotations

import pandas as pd


def valued_effect(**changes) -> pd.DataFrame:
    """One asset's valued effect: 2 WEMWBS points bridged (0.26 LS points), clear."""
    row = {
        "asset": "park",
        "kind": "place",
        "outcome": "wemwbs_bridged",
        "n_users": 40,
        "n": 95,
        "effect": 0.26,
        "se": 0.0975,
        "ci_low": 0.065,
        "ci_high": 0.455,
        "p": 0.008,
        "df": 80.0,  # 95 respondents less the model's 15 coefficients
        "p_adj": 0.02,
        "evidence": "clear",
        "effect_shrunk": 0.2,
        "se_shrunk": 0.09,
        "model_warning": "",
    }
    return pd.DataFrame([row | changes])


def asset_row(**changes) -> pd.DataFrame:
    row = {
        "slug": "park",
        "name": "Park",
        "kind": "place",
        "community": "town",
        "annual_cost": 100_000.0,
        "cost_year": 2019,
        "community_name": "Town",
    }
    return pd.DataFrame([row | changes])
