"""Ordinary least squares with robust standard errors, computed for one coefficient at a time.

HC3 for the per-asset models (`fit_hc3`); cluster-robust CRV3 with t(G - 1) inference for the
models across communities (`fit_crv3`, with `crv3_coefficient` when a leave-one-community-out
design is singular). A coefficient that cannot be estimated comes back as an `Estimate` with
a ``warning`` and NaN, never an exception.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from statsmodels.regression.linear_model import OLS

FloatArray = npt.NDArray[np.float64]
LEVERAGE_ONE = 1 - 1e-8  # an observation fitted exactly by its own covariate pattern


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
    from scipy import stats

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
    if term not in names or not identified(x, names.index(term)):
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
    from scipy import stats

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


def crv3_estimate(
    y: FloatArray, x: FloatArray, names: list[str], term: str, groups: Any, confidence: float
) -> Estimate:
    """The estimate of `term` with CRV3 errors clustered on `groups` (`fit_crv3`, else `crv3_coefficient`)."""
    position = term_position(x, names, term)
    if position is None:
        return Estimate(len(y), warning=COLLINEAR)
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


def _coefficients(gram: FloatArray, cross: FloatArray) -> FloatArray:
    """Minimum-norm solution of the normal equations (identified coefficients are unique)."""
    inverse, _ = _symmetric_pinv(gram, len(gram))
    return inverse @ cross


def _identified_in_gram(gram: FloatArray, position: int) -> bool:
    """`identified` from X'X of equilibrated columns: the Schur complement of the column's diagonal."""
    others = [index for index in range(len(gram)) if index != position]
    inverse, _ = _symmetric_pinv(gram[np.ix_(others, others)], len(gram))
    residual = float(gram[position, position] - gram[position, others] @ inverse @ gram[others, position])
    return gram[position, position] > 0 and residual > 1e-9 * float(gram[position, position])


COLLINEAR = "the exposure cannot be separated from the covariates (collinear)"


def term_position(x: FloatArray, names: list[str], term: str) -> int | None:
    """The column of `term` in `x`, or None when it is a combination of the other columns."""
    position = names.index(term)
    return position if identified(x, position) else None


def identified(x: FloatArray, position: int) -> bool:
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
