"""Random-effects BLUPs against R metafor 3.8 (the golden case in shared/reference/valuation.md)."""

from __future__ import annotations

import numpy as np
import pytest
from statsmodels.stats.meta_analysis import combine_effects

from analysis.shrinkage import random_effects

YI = np.array([3.9, 3.1, -3.7, 3.5, 0.4, -1.2, 2.0, 0.8, -0.5, 1.1])
SEI = np.array([1.0, 1.1, 1.2, 0.9, 1.5, 1.3, 2.0, 0.7, 1.1, 1.6])

# metafor 3.8: rma(yi, sei=sei, method=...); blup(); values as printed there.
GOLDEN = {
    "REML": (
        0.975756,
        0.774439,
        4.467369,
        [3.36515, 2.64727, -2.56022, 3.11257, 0.59285, -0.60282, 1.51615, 0.81737, -0.18548, 1.05474],
        [0.91496, 0.98963, 1.06048, 0.83654, 1.25046, 1.12753, 1.49808, 0.66890, 0.98963, 1.30653],
    ),
    "DL": (
        0.976998,
        0.764992,
        4.324805,
        [3.35106, 2.63588, -2.53173, 3.10200, 0.59746, -0.58832, 1.50846, 0.81801, -0.17710, 1.05426],
        [0.91260, 0.98663, 1.05679, 0.83474, 1.24441, 1.12310, 1.48766, 0.66798, 0.98663, 1.29962],
    ),
}


@pytest.mark.parametrize("method", ["REML", "DL"])
def test_blups_equal_metafor(method: str) -> None:
    mu, se_mu, tau2, blups, blup_se = GOLDEN[method]
    fit = random_effects(YI, SEI, method=method)
    assert fit.mu == pytest.approx(mu, abs=1e-5)
    assert fit.se_mu == pytest.approx(se_mu, abs=1e-5)
    assert fit.tau2 == pytest.approx(tau2, abs=1e-5)
    np.testing.assert_allclose(fit.blup, blups, atol=6e-6)  # metafor printed 5 decimals
    np.testing.assert_allclose(fit.blup_se, blup_se, atol=6e-6)


def test_dersimonian_laird_equals_statsmodels() -> None:
    rng = np.random.default_rng(3)
    y, se = rng.normal(0.5, 1.0, 25), rng.uniform(0.3, 1.5, 25)
    fit = random_effects(y, se, method="DL")
    reference = combine_effects(y, se**2, method_re="dl")
    assert fit.tau2 == pytest.approx(float(reference.tau2), rel=1e-10)
    assert fit.mu == pytest.approx(float(reference.mean_effect_re), rel=1e-10)


def test_no_heterogeneity_shrinks_everything_to_the_mean() -> None:
    y = np.array([0.10, 0.12, 0.11, 0.09, 0.10])
    fit = random_effects(y, np.full(5, 0.5))
    assert fit.tau2 == 0.0
    np.testing.assert_allclose(fit.blup, fit.mu)


@pytest.mark.parametrize(
    ("effects", "se", "message"),
    [
        ([1.0, 2.0], [1.0, 1.0], "at least 3"),
        ([1.0, 2.0, np.nan], [1.0, 1.0, 1.0], "finite"),
        ([1, 2, 3], [1, 0, 1], "positive"),
    ],
)
def test_bad_input_is_refused_with_a_message(effects, se, message) -> None:
    with pytest.raises(ValueError, match=message):
        random_effects(np.asarray(effects, dtype=float), np.asarray(se, dtype=float))
