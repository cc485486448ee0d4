"""Linear mixed models with a random intercept per community (statsmodels MixedLM), fitted with checks.

The robustness check beside the CRV3 models of `analysis.models.kind_effects`.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats
from statsmodels.regression.mixed_linear_model import (
    MixedLM,
    MixedLMParams,
)

from analysis.ols import COLLINEAR, Estimate, FloatArray, term_position

# statsmodels #10239: a zero group variance can mark a failed fit. Relative to the residual
# variance, below 1e-4 counts as zero: the mixed model then adds nothing to OLS
# (shared/reference/statistics.md, "MixedLM").
MIN_VARIANCE_RATIO = 1e-4
MIXEDLM_METHODS: tuple[str | list[str], ...] = (["bfgs", "powell"], "powell")


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


def _group_sums(x: FloatArray, groups: npt.NDArray[np.int64]) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Per group, in label order: its size, X_g'X_g and the column sums of X_g."""
    labels = np.unique(groups)
    n = np.array([(groups == g).sum() for g in labels], dtype="float64")
    xtx = np.array([x[groups == g].T @ x[groups == g] for g in labels])
    xsum = np.array([x[groups == g].sum(axis=0) for g in labels])
    return n, xtx, xsum


def fixed_effect_covariance(
    x: FloatArray, groups: npt.NDArray[np.int64], scale: float, group_variance: float
) -> FloatArray:
    """Covariance of the fixed effects given the variance components: (sum_g X_g' V_g^-1 X_g)^-1.

    With V_g = scale I + group_variance J, V_g^-1 = (I - c_g J) / scale where
    c_g = group_variance / (scale + n_g group_variance). This is lme4's ``vcov`` (the GLS
    covariance at the REML variance components). statsmodels' ``bse_fe`` inverts the Hessian of
    the REML criterion in all the parameters instead, and came out 0.1-1% larger than lme4's
    standard errors with four communities (the numbers5 audit); this matches lme4 to 1e-6.
    """
    n, xtx, xsum = _group_sums(x, groups)
    c = group_variance / (scale + n * group_variance)
    information = (xtx.sum(axis=0) - np.einsum("g,gi,gj->ij", c, xsum, xsum)) / scale
    covariance: FloatArray = np.linalg.inv(information)
    return covariance


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
    from scipy import optimize

    n, xtx, xsum = _group_sums(x, groups)
    parts = [(x[groups == g], y[groups == g]) for g in np.unique(groups)]
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
        return float(0.5 * ((total - p) * math.log(rss / (total - p)) + float(np.log1p(n * gamma).sum()) + logdet))

    try:
        best = optimize.minimize_scalar(criterion, bounds=(-12.0, 8.0), method="bounded")
        _a, beta, _rss, gamma = solve(float(best.x))
    except (np.linalg.LinAlgError, ValueError, OverflowError):
        return None
    if not (np.isfinite(beta).all() and math.isfinite(gamma)):
        return None
    return MixedLMParams.from_components(fe_params=beta, cov_re=np.array([[max(gamma, 1e-4)]]))


def mixed_estimate(
    y: FloatArray, x: FloatArray, names: list[str], term: str, groups: Any, confidence: float
) -> Estimate:
    """The estimate of `term` in a random-intercept MixedLM on `groups` (REML, z-based); no p-value if degenerate."""
    position = term_position(x, names, term)
    if position is None:
        return Estimate(len(y), warning=COLLINEAR)
    codes = pd.factorize(np.asarray(groups))[0]
    fit = fit_mixedlm(MixedLM(y, x, groups=codes), start_params=random_intercept_start(y, x, codes))
    if fit.result is None:
        return Estimate(len(y), warning=fit.warning)
    result = fit.result
    effect = float(np.asarray(result.fe_params)[position])
    try:
        covariance = fixed_effect_covariance(x, codes, float(result.scale), float(np.asarray(result.cov_re)[0, 0]))
        se = math.sqrt(covariance[position, position])
    except (np.linalg.LinAlgError, ValueError):
        se = math.nan
    if not (math.isfinite(se) and se > 0):
        return Estimate(int(result.nobs), warning=fit.warning or "the MixedLM standard error could not be estimated")
    half = float(stats.norm.ppf(0.5 + confidence / 2)) * se
    # A degenerate fit's interval and p-value are not evidence: the estimate is kept, they are not.
    return Estimate(
        n=int(result.nobs),
        effect=effect,
        se=se,
        ci_low=math.nan if fit.degenerate else effect - half,
        ci_high=math.nan if fit.degenerate else effect + half,
        p=math.nan if fit.degenerate else float(2 * stats.norm.sf(abs(effect) / se)),
        warning=fit.warning,
    )
