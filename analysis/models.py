"""Asset-to-wellbeing regressions: per asset (OLS, HC3), across communities (CRV3 and MixedLM).

The tables of models; the estimators are in `analysis.ols` (HC3, CRV3) and `analysis.mixedlm`.

Every model is adjusted for ``age_band + gender + employment + years_in_area + mode``
(categorical except years), on complete cases. A model that cannot be estimated gives a row
with a ``warning`` and blank estimates; it never stops the run.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from statsmodels.stats.multitest import multipletests

from analysis.columns import ASSET_KINDS, asset_column, kind_columns
from analysis.config import CATEGORICAL_COVARIATES, NUMERIC_COVARIATES, AnalysisConfig
from analysis.dataset import records, total_assets_used
from analysis.mixedlm import mixed_estimate
from analysis.ols import Estimate, FloatArray, crv3_estimate, fit_hc3
from analysis.scales import SCALES
from instruments.answers import quoted

ASSET_EFFECT_COLUMNS = (
    "asset",
    "kind",
    "n_users",
    "n",
    "effect",
    "se",
    "ci_low",
    "ci_high",
    "p",
    "df",
    "p_adj",
    "method",
    "warning",
)
KIND_EFFECT_COLUMNS = (
    "exposure",
    "kind",
    "method",
    "n",
    "n_communities",
    "effect",
    "se",
    "ci_low",
    "ci_high",
    "p",
    "df",
    "warning",
    "note",
)
KIND_METHODS = ("ols_crv3", "ols_fe_crv3", "mixedlm")


def benjamini_hochberg(p_values: Sequence[float] | FloatArray | pd.Series) -> FloatArray:
    """Benjamini-Hochberg adjusted p-values, computed on the finite p-values only (NaN stays NaN).

    statsmodels' `multipletests` defaults to Holm-Sidak and returns all-NaN when one input is
    NaN, so this passes ``method="fdr_bh"`` and the finite values alone.

    References
    ----------
    .. [1] Benjamini Y, Hochberg Y. Controlling the false discovery rate: a practical and
       powerful approach to multiple testing. J R Stat Soc B 1995;57:289-300.
    """
    values = np.asarray(p_values, dtype="float64")
    adjusted = np.full(values.shape, np.nan)
    finite = np.isfinite(values)
    if finite.any():
        adjusted[finite] = multipletests(values[finite], method="fdr_bh")[1]
    return adjusted


def design(frame: pd.DataFrame, exposure: FloatArray, exposure_name: str) -> tuple[FloatArray, list[str]]:
    """Design matrix: intercept, the exposure, dummies for the categorical covariates, years.

    Each categorical covariate's reference level is its most common level among these rows
    (ties: the lowest), which keeps the matrix well conditioned; levels absent from the rows
    get no column. Equivalent to the formula ``y ~ exposure + C(age_band) + C(gender) +
    C(employment) + years_in_area + C(mode)`` up to the choice of reference levels, which
    does not change the exposure coefficient.
    """
    n = len(frame)
    blocks: list[FloatArray] = [np.ones((n, 1)), np.asarray(exposure, dtype="float64").reshape(n, 1)]
    names = ["Intercept", exposure_name]
    for covariate in CATEGORICAL_COVARIATES:
        codes, levels = pd.factorize(frame[covariate], sort=True)
        counts = np.bincount(codes, minlength=len(levels))
        reference = int(np.argmax(counts))
        others = [level for level in range(len(levels)) if level != reference]
        if others:
            blocks.append((codes[:, None] == np.asarray(others)[None, :]).astype("float64"))
            names += [f"{covariate}[{_level_name(levels[level])}]" for level in others]
    for covariate in NUMERIC_COVARIATES:
        blocks.append(frame[covariate].to_numpy(dtype="float64").reshape(n, 1))
        names.append(covariate)
    return np.hstack(blocks), names


def _level_name(level: Any) -> str:
    if isinstance(level, float) and level.is_integer():
        return str(int(level))
    return str(level)


def complete_rows(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Rows with every one of `columns` present."""
    return frame.loc[frame[list(columns)].notna().all(axis=1)]


def asset_effects(
    responses: pd.DataFrame,
    assets: pd.DataFrame,
    config: AnalysisConfig,
    *,
    outcome: str = "wemwbs",
    exposure: str = "uses",
) -> pd.DataFrame:
    """One model per asset among the respondents asked about it (its community).

    ``outcome ~ uses + age_band + gender + employment + years_in_area + mode`` with uses =
    frequency > 0 (``exposure="uses"``), or the frequency 0-4 as a dose-response slope
    (``exposure="frequency"``). OLS with HC3 standard errors and t-based intervals;
    Benjamini-Hochberg adjusted p-values across all assets (finite p-values only).

    Returns
    -------
    pandas.DataFrame
        ``asset_effects.csv``: ``asset, kind, n_users, n, effect, se, ci_low, ci_high, p, df, p_adj,
        method, warning`` (``df``: the t degrees of freedom, n - rank, that the interval and p use).
        ``n_users`` counts respondents asked who use the asset at all (in the model or not); ``n``
        those in the model. Fewer than ``config.min_group`` users or
        non-users in the model gives a warning row with blank estimates.
    """
    if exposure not in ("uses", "frequency"):
        raise ValueError(f"exposure must be 'uses' or 'frequency', not {exposure!r}")
    needed = [outcome, *CATEGORICAL_COVARIATES, *NUMERIC_COVARIATES]
    rows = []
    by_community = {str(name): frame for name, frame in responses.groupby("community", sort=False)}
    for asset in records(assets):
        column = asset_column(str(asset["slug"]))
        asked = by_community.get(str(asset["community"]), responses.iloc[:0])
        frequency = asked[column].astype("float64") if column in asked else pd.Series(dtype="float64")
        n_users = int((frequency >= 1).sum())
        row: dict[str, Any] = {"asset": asset["slug"], "kind": asset["kind"], "n_users": n_users}
        if frequency.notna().sum() == 0:
            estimate = Estimate(0, warning=f"no respondent in {quoted(asset['community'])} answered this question")
        elif outcome in asked and asked[outcome].notna().sum() == 0:
            # A mixed dataset: this community's campaign asked another wellbeing measure (e.g. SWEMWBS only).
            # Said so, rather than "fewer than 10 users or non-users (0 users, 0 non-users)" of 100 users.
            place = quoted(asset["community"])
            estimate = Estimate(0, warning=f"no respondent in {place} has {_outcome_name(outcome)}")
        else:
            model_rows = complete_rows(asked[needed].assign(_frequency=frequency), [*needed, "_frequency"])
            used = model_rows["_frequency"].to_numpy() >= 1
            values = used.astype("float64") if exposure == "uses" else model_rows["_frequency"].to_numpy()
            smallest = min(int(used.sum()), int((~used).sum()))
            if smallest < config.min_group:
                estimate = Estimate(
                    len(model_rows),
                    warning=f"fewer than {config.min_group} users or non-users in the model "
                    f"({_count(int(used.sum()), 'user')}, {_count(int((~used).sum()), 'non-user')})",
                )
            else:
                x, names = design(model_rows, values, exposure)
                y = model_rows[outcome].to_numpy(dtype="float64")
                estimate = _safely(len(model_rows), fit_hc3, y, x, names, exposure, config.confidence)
        row.update(_estimate_columns(estimate))
        row["method"] = "ols_hc3"
        rows.append(row)
    table = pd.DataFrame(rows, columns=[c for c in ASSET_EFFECT_COLUMNS if c not in ("p_adj",)])
    table.insert(ASSET_EFFECT_COLUMNS.index("p_adj"), "p_adj", benjamini_hochberg(table["p"]))
    table["n_users"] = table["n_users"].astype("int64")
    table["n"] = table["n"].astype("int64")
    return table.loc[:, list(ASSET_EFFECT_COLUMNS)]


def kind_effects(
    responses: pd.DataFrame, assets: pd.DataFrame, config: AnalysisConfig, *, outcome: str = "wemwbs"
) -> pd.DataFrame:
    """Cross-community models of wellbeing on the number of assets used, per kind and in total.

    ``outcome ~ assets_used_<kind> + covariates`` on every community's respondents, fitted
    three times: OLS with community-clustered CRV3 standard errors and t(G - 1) inference
    (``method="ols_crv3"``, within- and between-community variation), the same with community
    fixed effects (``method="ols_fe_crv3"``: differences within communities only, so a
    community-level confounder cannot drive it), and a MixedLM with a random intercept per
    community (``method="mixedlm"``, z-based, REML) as a robustness check.

    Returns
    -------
    pandas.DataFrame
        ``kind_effects.csv``: ``exposure, kind, method, n, n_communities, effect, se, ci_low,
        ci_high, p, df`` (t degrees of freedom; blank for z), ``warning`` (blank estimates) and
        ``note`` (e.g. few communities).
    """
    needed = [outcome, *CATEGORICAL_COVARIATES, *NUMERIC_COVARIATES]
    frame = responses[["community", *needed, *kind_columns()]].copy()
    frame["assets_used_total"] = total_assets_used(responses, assets)
    exposures = [(column, kind) for column, kind in zip(kind_columns(), ASSET_KINDS, strict=True)]
    exposures.append(("assets_used_total", "all"))
    rows = []
    for column, kind in exposures:
        model_rows = complete_rows(frame, [*needed, column])
        communities = model_rows["community"].to_numpy()
        n_communities = len(np.unique(communities))
        values = model_rows[column].to_numpy(dtype="float64")
        y = model_rows[outcome].to_numpy(dtype="float64")
        base = {"exposure": column, "kind": kind, "n_communities": n_communities}
        problem = ""
        if kind != "all" and not (assets["kind"] == kind).any():
            problem = f"no asset of kind {quoted(kind)} in the data"
        elif len(model_rows) == 0:
            problem = "no respondent has every variable of the model"
        elif np.ptp(values) == 0:
            problem = f"{column} does not vary (everyone uses {int(values[0])})"
        elif n_communities < 2:
            problem = "fewer than 2 communities: community-level models need several"
        elif np.ptp(y) == 0:
            # Every fit then has residuals of rounding size: CRV3 and MixedLM gave effects of 1e-14 with
            # "significant" p-values (MixedLM p = 1e-110), as `fit_hc3` already refuses per asset.
            problem = f"the outcome does not vary among these respondents (everyone has {outcome} {y[0]:g})"
        if problem:
            for method in KIND_METHODS:
                rows.append({**base, "method": method, **_estimate_columns(Estimate(len(model_rows), warning=problem))})
            continue
        x, names = design(model_rows, values, column)
        note = f"{n_communities} communities: CRV3 with t({n_communities - 1}) inference"
        if n_communities < 30:
            note += "; with fewer than about 30 communities, intervals are wide and conservative"
        crv3 = _safely(len(y), crv3_estimate, y, x, names, column, communities, config.confidence)
        rows.append(
            {
                **base,
                "method": "ols_crv3",
                **_estimate_columns(crv3, notes_as_warning=False),
                "note": "; ".join((note, *crv3.notes)),
            }
        )
        within_x, within_names = with_community_effects(x, names, communities)
        within = _safely(len(y), crv3_estimate, y, within_x, within_names, column, communities, config.confidence)
        rows.append(
            {
                **base,
                "method": "ols_fe_crv3",
                **_estimate_columns(within, notes_as_warning=False),
                "note": "; ".join(("community fixed effects: within-community differences only", note, *within.notes)),
            }
        )
        mixed = _safely(len(y), mixed_estimate, y, x, names, column, communities, config.confidence)
        rows.append(
            {
                **base,
                "method": "mixedlm",
                **_estimate_columns(mixed, notes_as_warning=False),
                "note": "; ".join(("random intercept per community (REML); z-based", *mixed.notes)),
            }
        )
    table = pd.DataFrame(rows)
    for column in KIND_EFFECT_COLUMNS:
        if column not in table:
            table[column] = "" if column in ("warning", "note") else np.nan
    table["note"] = table["note"].fillna("")
    return table.loc[:, list(KIND_EFFECT_COLUMNS)]


def with_community_effects(x: FloatArray, names: list[str], communities: Any) -> tuple[FloatArray, list[str]]:
    """The design plus one dummy per community but the first (community fixed effects)."""
    codes, levels = pd.factorize(np.asarray(communities), sort=True)
    dummies = (codes[:, None] == np.arange(1, len(levels))[None, :]).astype("float64")
    return np.hstack([x, dummies]), [*names, *(f"community[{level}]" for level in levels[1:])]


def _outcome_name(outcome: str) -> str:
    """What a respondent needs to have for `outcome`: "a complete WEMWBS (14 statements)"."""
    scale = SCALES.get(outcome)
    if scale is None:
        return f"a {outcome} score"
    if scale.is_life_satisfaction:
        return f"an answer to {scale.full_name}"
    return f"a complete {scale.name} ({scale.statements} statements)"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _safely(n: int, fit: Any, *args: Any) -> Estimate:
    """Run a fit; numerical failures become a warning row instead of stopping the run."""
    try:
        estimate: Estimate = fit(*args)
    except (np.linalg.LinAlgError, ValueError, ZeroDivisionError, FloatingPointError) as error:
        return Estimate(n, warning=f"model failed: {error}")
    return estimate


def _estimate_columns(estimate: Estimate, *, notes_as_warning: bool = True) -> dict[str, Any]:
    parts = (estimate.warning, *estimate.notes) if notes_as_warning else (estimate.warning,)
    warning = "; ".join(part for part in parts if part)
    return {
        "n": estimate.n,
        "effect": estimate.effect,
        "se": estimate.se,
        "ci_low": estimate.ci_low,
        "ci_high": estimate.ci_high,
        "p": estimate.p,
        "df": estimate.df,
        "warning": warning,
    }
