"""Asset-to-wellbeing regressions: per asset (OLS, HC3), across communities (CRV3 and MixedLM).

Every model is adjusted for ``age_band + gender + employment + years_in_area + mode``
(categorical except years), on complete cases. A model that cannot be estimated gives a row
with a ``warning`` and blank estimates; it never stops the run.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from statsmodels.regression.linear_model import OLS  # type: ignore[import-untyped]  # no stubs exist
from statsmodels.regression.mixed_linear_model import (  # type: ignore[import-untyped]
    MixedLM,
    MixedLMParams,
)
from statsmodels.stats.multitest import multipletests  # type: ignore[import-untyped]

from analysis.config import CATEGORICAL_COVARIATES, NUMERIC_COVARIATES, AnalysisConfig
from analysis.dataset import ASSET_KINDS, asset_column, kind_columns, records, total_assets_used

FloatArray = npt.NDArray[np.float64]

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
LEVERAGE_ONE = 1 - 1e-8  # an observation fitted exactly by its own covariate pattern
# statsmodels #10239: a zero group variance can mark a failed fit. Relative to the residual
# variance, below 1e-4 counts as zero: the mixed model then adds nothing to OLS
# (shared/reference/statistics.md, "MixedLM").
MIN_VARIANCE_RATIO = 1e-4
MIXEDLM_METHODS: tuple[str | list[str], ...] = (["bfgs", "powell"], "powell")
KIND_METHODS = ("ols_crv3", "ols_fe_crv3", "mixedlm")


@dataclass(frozen=True, slots=True)
class Estimate:
    """One coefficient with its interval; NaN and a `warning` when it could not be estimated."""

    n: int
    effect: float = math.nan
    se: float = math.nan
    ci_low: float = math.nan
    ci_high: float = math.nan
    p: float = math.nan
    df: float = math.nan
    warning: str = ""
    notes: tuple[str, ...] = field(default=())


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


def fit_hc3(y: FloatArray, x: FloatArray, names: list[str], term: str, confidence: float) -> Estimate:
    """OLS with HC3 standard errors and t(n - rank) inference; the estimate of `term`.

    Computed directly with NumPy from the normal equations of the column-equilibrated design
    (a 25 x 25 system per model, so 40 assets on 100,000 responses take seconds); the tests
    check it against statsmodels' ``OLS(...).fit(cov_type="HC3", use_t=True)`` to 1e-9.
    Observations with leverage 1 (fitted exactly by a covariate pattern of their own, such as
    the only respondent in an employment category) are dropped first: they carry no
    information about the other coefficients, and HC3 divides by (1 - leverage).

    References
    ----------
    .. [1] MacKinnon JG, White H. Some heteroskedasticity-consistent covariance matrix
       estimators with improved finite sample properties. J Econometrics 1985;29:305-325.
    .. [2] Long JS, Ervin LH. Using heteroscedasticity consistent standard errors in the
       linear regression model. Am Stat 2000;54:217-224.
    """
    from scipy import stats  # type: ignore[import-untyped]  # scipy-stubs is not installed

    for _ in range(3):  # dropping rows can create new zero columns, rarely new leverage-1 rows
        informative = np.abs(x).sum(axis=0) > 0
        informative[0] = True
        x = x[:, informative]
        names = [name for name, used in zip(names, informative, strict=True) if used]
        if term not in names:
            break
        scale = np.sqrt((x * x).sum(axis=0))
        xs = x / scale
        inverse, rank = _gram_pinv(xs)
        leverage = ((xs @ inverse) * xs).sum(axis=1)
        exact = leverage >= LEVERAGE_ONE
        if not exact.any():
            break
        y, x = y[~exact], x[~exact]
    if term not in names or not _identified(x, names.index(term)):
        return Estimate(len(y), warning="the exposure cannot be separated from the covariates (collinear)")
    if np.ptp(y) == 0:
        return Estimate(len(y), warning="the outcome does not vary among these respondents")
    position = names.index(term)
    n = len(y)
    df = n - rank
    if df < 1:
        return Estimate(n, warning="too few respondents for the number of covariates")
    with np.errstate(all="ignore"):  # a degenerate fit shows up as a non-finite SE, checked below
        beta = inverse @ (xs.T @ y)
        residual = y - xs @ beta
        weights = (residual / (1 - leverage)) ** 2
        meat = (xs * weights[:, None]).T @ xs
        covariance = inverse @ meat @ inverse
        variance = float(covariance[position, position])
        se = math.sqrt(variance) / scale[position] if variance >= 0 else math.nan
        effect = float(beta[position]) / scale[position]
    if not math.isfinite(se) or se <= 0:
        return Estimate(n, warning="the standard error could not be estimated")
    half = float(stats.t.ppf(0.5 + confidence / 2, df)) * se
    p = float(2 * stats.t.sf(abs(effect) / se, df))
    return Estimate(n, effect, se, effect - half, effect + half, p, float(df))


def _gram_pinv(x: FloatArray) -> tuple[FloatArray, int]:
    """Pseudo-inverse and rank of X'X (symmetric eigen-decomposition; tolerates collinear columns)."""
    return _symmetric_pinv(x.T @ x, max(x.shape))


def _symmetric_pinv(gram: FloatArray, size: int) -> tuple[FloatArray, int]:
    """Pseudo-inverse and rank of a symmetric positive semi-definite matrix."""
    values, vectors = np.linalg.eigh(gram)
    tolerance = values.max() * size * np.finfo(float).eps
    keep = values > tolerance
    inverse = (vectors[:, keep] / values[keep]) @ vectors[:, keep].T
    return inverse, int(keep.sum())


def fit_crv3(y: FloatArray, x: FloatArray, groups: FloatArray | pd.Series) -> Any:
    """OLS with cluster-robust CRV3 (jackknife) covariance and t(G - 1) inference.

    The default clustered covariance (CRV1) over-rejects with few clusters; CRV3 with t(G-1)
    held its size in the project's simulations (shared/reference/statistics.md).
    `groups` must be aligned with the rows of `y` and `x` after missing rows are dropped.

    References
    ----------
    .. [1] MacKinnon JG, Nielsen MO, Webb MD. Cluster-robust inference: a guide to empirical
       practice. J Econometrics 2023;232:272-299.
    .. [2] Bell RM, McCaffrey DF. Bias reduction in standard errors for linear regression with
       multi-stage samples. Survey Methodology 2002;28:169-181.
    """
    codes = pd.factorize(np.asarray(groups))[0]
    # QR instead of the default pinv (an SVD): several times faster on 100,000 rows; a rank-deficient
    # design never gets here (statsmodels refuses CRV3 for it, and kind_effects uses the fallback).
    return OLS(y, x).fit(method="qr", cov_type="cluster-crv3", cov_kwds={"groups": codes}, use_t=True)


@dataclass(frozen=True, slots=True)
class MixedFit:
    """A MixedLM fit that passed the checks (or the last attempt), the method and any warning."""

    result: Any
    method: str
    warning: str = ""
    degenerate: bool = False


def fit_mixedlm(model: Any, start_params: Any = None) -> MixedFit:
    """Fit a statsmodels MixedLM with the checks of shared/reference/statistics.md.

    Tries ``["bfgs", "powell"]``, then ``"powell"`` (never lbfgs: statsmodels
    issue #10239 reports a converged fit with an infinite log-likelihood, a zero group variance
    and zeroed coefficients). A fit is accepted when it converged, its log-likelihood is finite
    and the group variance is not negligible against the residual variance (ratio above 1e-4).
    If none is, the last fit with a finite log-likelihood is returned with a warning and
    ``degenerate`` set (a variance at zero may be a genuine boundary estimate: then the fixed
    effects equal pooled OLS, and its p-values are not evidence); if there is none, ``result``
    is None.

    References
    ----------
    .. [1] Lindstrom MJ, Bates DM. Newton-Raphson and EM algorithms for linear mixed-effects
       models for repeated-measures data. JASA 1988;83:1014-1022.
    """
    fallback: MixedFit | None = None
    problems: list[str] = []
    for method in MIXEDLM_METHODS:
        label = "+".join(method) if isinstance(method, list) else method
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                result = model.fit(method=method, reml=True, maxiter=2000, start_params=start_params)
            except (np.linalg.LinAlgError, ValueError) as error:
                problems.append(f"{label}: {error}")
                continue
        llf = float(result.llf)
        variance = float(np.asarray(result.cov_re)[0, 0])
        residual = float(result.scale)
        ratio = variance / residual if residual > 0 else math.nan
        if math.isfinite(llf) and result.converged and ratio > MIN_VARIANCE_RATIO:
            return MixedFit(result, label)
        if math.isfinite(llf):
            fallback = MixedFit(result, label)
        problems.append(
            f"{label}: converged={bool(result.converged)}, llf={llf:.4g}, community variance={variance:.3g} "
            f"({ratio:.2g} of the residual variance)" + (f" ({caught[0].message})" if caught else "")
        )
    if fallback is not None:
        return MixedFit(
            fallback.result,
            fallback.method,
            "MixedLM: community variance estimated at (or near) zero or not converged, so no p-value is given ("
            + "; ".join(problems)
            + ")",
            degenerate=True,
        )
    return MixedFit(None, "", "MixedLM did not converge (" + "; ".join(problems) + ")")


def random_intercept_start(y: FloatArray, x: FloatArray, groups: npt.NDArray[np.int64]) -> Any:
    """REML estimates of a random-intercept model in closed form, as MixedLM start values.

    With one random intercept, V_g = sigma^2 (I + gamma J) and its inverse is
    I - gamma / (1 + n_g gamma) J, so the REML criterion profiled over the fixed effects and
    sigma^2 is a function of gamma alone, evaluated from per-group sums in O(G p^2). Minimising
    it over log gamma gives the same estimates as statsmodels' MixedLM (and lme4), in a
    fraction of the time; MixedLM then starts there and converges in an iteration or two
    instead of a dozen (about 11 s to 1 s for 100,000 respondents and 25 columns). Returns
    None when the design is singular; MixedLM then uses its own start.

    References
    ----------
    .. [1] Harville DA. Maximum likelihood approaches to variance component estimation and to
       related problems. JASA 1977;72:320-338.
    """
    from scipy import optimize  # type: ignore[import-untyped]

    labels = np.unique(groups)
    n = np.array([(groups == g).sum() for g in labels], dtype="float64")
    parts = [(x[groups == g], y[groups == g]) for g in labels]
    xtx = np.array([xg.T @ xg for xg, _ in parts])
    xsum = np.array([xg.sum(axis=0) for xg, _ in parts])
    xty = np.array([xg.T @ yg for xg, yg in parts])
    ysum = np.array([yg.sum() for _, yg in parts])
    yty = float(sum(yg @ yg for _, yg in parts))
    total, p = x.shape

    def solve(log_gamma: float) -> tuple[FloatArray, FloatArray, float, float]:
        gamma = math.exp(log_gamma)
        c = gamma / (1 + n * gamma)
        a = xtx.sum(axis=0) - np.einsum("g,gi,gj->ij", c, xsum, xsum)
        b = xty.sum(axis=0) - (c * ysum) @ xsum
        beta = np.linalg.solve(a, b)
        rss = yty - float((c * ysum * ysum).sum()) - float(beta @ b)
        return a, beta, rss, gamma

    def criterion(log_gamma: float) -> float:
        a, _beta, rss, gamma = solve(log_gamma)
        sign, logdet = np.linalg.slogdet(a)
        if sign <= 0 or rss <= 0:
            return math.inf
        return 0.5 * ((total - p) * math.log(rss / (total - p)) + float(np.log1p(n * gamma).sum()) + logdet)

    try:
        best = optimize.minimize_scalar(criterion, bounds=(-12.0, 8.0), method="bounded")
        _a, beta, _rss, gamma = solve(float(best.x))
    except (np.linalg.LinAlgError, ValueError, OverflowError):
        return None
    if not (np.isfinite(beta).all() and math.isfinite(gamma)):
        return None
    return MixedLMParams.from_components(fe_params=beta, cov_re=np.array([[max(gamma, 1e-4)]]))


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
        ``asset_effects.csv``: ``asset, kind, n_users, n, effect, se, ci_low, ci_high, p, p_adj,
        method, warning``. ``n_users`` counts respondents asked who use the asset at all (in the
        model or not); ``n`` those in the model. Fewer than ``config.min_group`` users or
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
            estimate = Estimate(0, warning=f"no respondent in {asset['community']!r} answered this question")
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
        base = {"exposure": column, "kind": kind, "n_communities": n_communities}
        problem = ""
        if kind != "all" and not (assets["kind"] == kind).any():
            problem = f"no asset of kind {kind!r} in the data"
        elif len(model_rows) == 0:
            problem = "no respondent has every variable of the model"
        elif np.ptp(values) == 0:
            problem = f"{column} does not vary (everyone uses {int(values[0])})"
        elif n_communities < 2:
            problem = "fewer than 2 communities: community-level models need several"
        if problem:
            for method in KIND_METHODS:
                rows.append({**base, "method": method, **_estimate_columns(Estimate(len(model_rows), warning=problem))})
            continue
        x, names = design(model_rows, values, column)
        y = model_rows[outcome].to_numpy(dtype="float64")
        note = f"{n_communities} communities: CRV3 with t({n_communities - 1}) inference"
        if n_communities < 30:
            note += "; with fewer than about 30 communities, intervals are wide and conservative"
        crv3 = _safely(len(y), _crv3_estimate, y, x, names, column, communities, config.confidence)
        rows.append(
            {
                **base,
                "method": "ols_crv3",
                **_estimate_columns(crv3, notes_as_warning=False),
                "note": "; ".join((note, *crv3.notes)),
            }
        )
        within_x, within_names = with_community_effects(x, names, communities)
        within = _safely(len(y), _crv3_estimate, y, within_x, within_names, column, communities, config.confidence)
        rows.append(
            {
                **base,
                "method": "ols_fe_crv3",
                **_estimate_columns(within, notes_as_warning=False),
                "note": "; ".join(("community fixed effects: within-community differences only", note, *within.notes)),
            }
        )
        mixed = _safely(len(y), _mixed_estimate, y, x, names, column, communities, config.confidence)
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


def crv3_coefficient(y: FloatArray, x: FloatArray, groups: Any, position: int, confidence: float) -> Estimate:
    """CRV3 inference for one coefficient when some leave-one-cluster-out design is singular.

    statsmodels refuses CRV3 when dropping a cluster leaves a rank-deficient design, which
    happens whenever a covariate level occurs in one community only (say, paper forms used in
    one community). The coefficient of interest can still be estimated in each leave-one-out
    fit if it is identified there; every least-squares solution then gives the same value for
    it, so each fit is solved by minimum-norm least squares (from the cross-products). The
    variance is statsmodels' CRV3, ``(G - 1) / G * sum_g (b_g - b)^2`` centred on the full-sample estimate ``b``, with
    t(G - 1) inference. Returns a warning estimate when the coefficient is not identified
    without some cluster.
    """
    from scipy import stats  # type: ignore[import-untyped]  # scipy-stubs is not installed

    codes = pd.factorize(np.asarray(groups))[0]
    clusters = np.unique(codes)
    # Leave-one-out fits from the cross-products: X'X minus one cluster's part is a p x p update,
    # so each fit costs O(n_g p^2) instead of a least-squares solve on every other row.
    scale = np.sqrt((x * x).sum(axis=0))
    scale[scale == 0] = 1.0
    xs = x / scale
    gram, cross = xs.T @ xs, xs.T @ y
    full = _coefficients(gram, cross) / scale
    jackknife = []
    for cluster in clusters:
        rows = codes == cluster
        part = xs[rows]
        reduced = gram - part.T @ part
        if not _identified_in_gram(reduced, position):
            return Estimate(len(y), warning=f"the exposure is not identified without community {cluster + 1} (CRV3)")
        jackknife.append(_coefficients(reduced, cross - part.T @ y[rows])[position] / scale[position])
    count = len(clusters)
    se = math.sqrt((count - 1) / count * float(np.sum((np.asarray(jackknife) - full[position]) ** 2)))
    df = count - 1
    half = stats.t.ppf(0.5 + confidence / 2, df) * se
    p = 2 * stats.t.sf(abs(full[position]) / se, df) if se > 0 else math.nan
    return Estimate(
        len(y),
        float(full[position]),
        se,
        float(full[position] - half),
        float(full[position] + half),
        float(p),
        float(df),
        notes=(
            "leave-one-community-out fits solved by least squares (a covariate level occurs in one community only)",
        ),
    )


def _crv3_estimate(
    y: FloatArray, x: FloatArray, names: list[str], term: str, groups: Any, confidence: float
) -> Estimate:
    position = names.index(term)
    if not _identified(x, position):
        return Estimate(len(y), warning="the exposure cannot be separated from the covariates (collinear)")
    codes = pd.factorize(np.asarray(groups))[0]
    gram = x.T @ x
    for cluster in np.unique(codes):
        part = x[codes == cluster]
        if np.linalg.matrix_rank(gram - part.T @ part) < x.shape[1]:  # statsmodels' own test
            return crv3_coefficient(y, x, groups, position, confidence)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = fit_crv3(y, x, groups)
        low, high = result.conf_int(alpha=1 - confidence)[position]
        estimate = Estimate(
            n=int(result.nobs),
            effect=float(result.params[position]),
            se=float(result.bse[position]),
            ci_low=float(low),
            ci_high=float(high),
            p=float(result.pvalues[position]),
            df=float(result.df_resid_inference),
        )
    if not math.isfinite(estimate.se) or estimate.se <= 0:
        return Estimate(estimate.n, warning="the CRV3 standard error could not be estimated")
    return _with_caught(estimate, caught)


def _mixed_estimate(
    y: FloatArray, x: FloatArray, names: list[str], term: str, groups: Any, confidence: float
) -> Estimate:
    position = names.index(term)
    if not _identified(x, position):
        return Estimate(len(y), warning="the exposure cannot be separated from the covariates (collinear)")
    codes = pd.factorize(np.asarray(groups))[0]
    fit = fit_mixedlm(MixedLM(y, x, groups=codes), start_params=random_intercept_start(y, x, codes))
    if fit.result is None:
        return Estimate(len(y), warning=fit.warning)
    result = fit.result
    low, high = np.asarray(result.conf_int(alpha=1 - confidence))[position]
    # A degenerate fit's interval and p-value are not evidence: the estimate is kept, they are not.
    estimate = Estimate(
        n=int(result.nobs),
        effect=float(np.asarray(result.fe_params)[position]),
        se=float(np.asarray(result.bse_fe)[position]),
        ci_low=math.nan if fit.degenerate else float(low),
        ci_high=math.nan if fit.degenerate else float(high),
        p=math.nan if fit.degenerate else float(np.asarray(result.pvalues)[position]),
        warning=fit.warning,
    )
    if not math.isfinite(estimate.se):
        return Estimate(estimate.n, warning=fit.warning or "the MixedLM standard error could not be estimated")
    return estimate


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _coefficients(gram: FloatArray, cross: FloatArray) -> FloatArray:
    """Minimum-norm solution of the normal equations (identified coefficients are unique)."""
    inverse, _ = _symmetric_pinv(gram, len(gram))
    return inverse @ cross


def _identified_in_gram(gram: FloatArray, position: int) -> bool:
    """`_identified` from X'X of equilibrated columns: the Schur complement of the column's diagonal."""
    others = [index for index in range(len(gram)) if index != position]
    inverse, _ = _symmetric_pinv(gram[np.ix_(others, others)], len(gram))
    residual = float(gram[position, position] - gram[position, others] @ inverse @ gram[others, position])
    return gram[position, position] > 0 and residual > 1e-9 * float(gram[position, position])


def _identified(x: FloatArray, position: int) -> bool:
    """True if column `position` is not (numerically) a combination of the other columns.

    Uses the Schur complement of X'X: the residual sum of squares of that column regressed on
    the others, relative to its sum of squares about its mean (or about zero for a constant
    column such as the intercept).
    """
    target = x[:, position]
    spread = float(((target - target.mean()) ** 2).sum()) or float(target @ target)
    if spread == 0:
        return False
    others = np.delete(x, position, axis=1)
    scale = np.sqrt((others * others).sum(axis=0))
    scale[scale == 0] = 1.0
    others = others / scale
    inverse, _ = _gram_pinv(others)
    cross = others.T @ target
    residual = float(target @ target - cross @ inverse @ cross)
    return residual > 1e-9 * spread


def _safely(n: int, fit: Any, *args: Any) -> Estimate:
    """Run a fit; numerical failures become a warning row instead of stopping the run."""
    try:
        estimate: Estimate = fit(*args)
    except (np.linalg.LinAlgError, ValueError, ZeroDivisionError, FloatingPointError) as error:
        return Estimate(n, warning=f"model failed: {error}")
    return estimate


def _with_caught(estimate: Estimate, caught: list[warnings.WarningMessage]) -> Estimate:
    if not caught:
        return estimate
    messages = "; ".join(sorted({str(w.message).splitlines()[0] for w in caught}))
    return Estimate(
        estimate.n,
        estimate.effect,
        estimate.se,
        estimate.ci_low,
        estimate.ci_high,
        estimate.p,
        estimate.df,
        warning=estimate.warning,
        notes=(*estimate.notes, f"statsmodels warned: {messages}"),
    )


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
