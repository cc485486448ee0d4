"""The uncertainty around each asset's value: the Monte Carlo range and the tornado's one-way swings.

`analysis.valuation` computes the central value; these give the honest range valuation.md asks for
(effect and user share drawn together) and the sensitivity to each agreed adjustment and to the
value of a WELLBY.
"""

from __future__ import annotations

import math
import zlib
from typing import Any

import numpy as np

from analysis.adjustments import FRACTIONS, adjustment_factor
from analysis.config import AnalysisConfig
from analysis.population import Users

SENSITIVITY_COLUMNS = (
    "asset",
    "name",
    "parameter",
    "label",
    "setting_low",
    "setting_high",
    "value_at_low",
    "value_at_high",
    "value_central",
)
SENSITIVITY_STEP = 0.10  # each adjustment moved by +/- 10 percentage points in the tornado


def value_range(effect: dict[str, Any], users: Users, config: AnalysisConfig) -> tuple[float, float]:
    """2.5th and 97.5th percentiles of effect x users x price factor (pounds per WELLBY applied later).

    The effect is drawn as ``effect + se x t(df)``, the distribution its confidence interval and p
    use (HC3 with t(n - rank) inference): a normal draw made the range about 4% narrower than the
    interval at 30 degrees of freedom (numbers8 audit). A row without degrees of freedom (a z-based
    estimate) draws from the normal.

    Each asset draws from its own stream, seeded by the run's seed and the asset's slug, so adding
    an asset to the run leaves every other asset's range unchanged.

    Users scaled to a population carry the sampling error of the user share *with* the finite
    population correction. valuation.md asks for "the user share's sampling error" from a
    probability sample of a known population, and a sample drawn without replacement from N
    residents has about sqrt((N - n) / N) times the error of an infinite population: the n people
    asked are counted exactly, only the N - n others are uncertain. So the count is the users
    surveyed plus Binomial(N - n, share) with the share drawn from its posterior (Beta, Jeffreys
    prior): the Beta-binomial predictive, whose variance is the design-based N (N - n) p q / n.
    Without it a survey of most of a small place (400 of 600 residents) would show a range as wide
    as if 400 of a million had been asked; with n much smaller than N nothing changes. The effect
    is a property of the asset, not of this population, so it gets no such correction. Only one
    campaign's sample is known to be n distinct residents: respondents pooled over several campaigns
    (waves) may include the same people twice, so their share keeps the uncorrected, wider Beta range.
    """
    rng = np.random.default_rng([config.seed, zlib.crc32(str(effect["asset"]).encode())])
    df = float(effect.get("df", math.nan))
    if math.isfinite(df):
        effects = effect["effect"] + effect["se"] * rng.standard_t(df, config.draws)
    else:
        effects = rng.normal(effect["effect"], effect["se"], config.draws)
    if users.scaled and users.population is not None:
        # Jeffreys prior Beta(1/2, 1/2) on the share of users among those asked.
        share = rng.beta(users.n_users + 0.5, users.asked - users.n_users + 0.5, config.draws)
        if users.one_sample:
            # `count_users` refuses a campaign with more respondents than residents.
            unsampled = max(users.population - users.asked, 0)
            counts = users.n_users + rng.binomial(unsampled, share).astype("float64")
        else:
            counts = share * users.population
    else:
        counts = np.full(config.draws, users.valued)
    values = effects * counts * config.price_factor
    low, high = np.percentile(values, [2.5, 97.5])
    return float(low), float(high)


def tornado_rows(row: dict[str, Any], users: Users, config: AnalysisConfig) -> list[dict[str, Any]]:
    """Value at the point estimate as each adjustment moves +/- 0.10, and the WELLBY value low to high."""
    base = {key: row[key] for key in (*FRACTIONS, "years")}
    point = row["effect"] * users.valued * config.price_factor
    out = []
    for parameter in FRACTIONS:
        low, high = max(0.0, base[parameter] - SENSITIVITY_STEP), min(1.0, base[parameter] + SENSITIVITY_STEP)
        values = [
            point
            * config.wellby_central
            * adjustment_factor(**(base | {parameter: setting}), rate=config.discount_rate)
            for setting in (low, high)
        ]
        out.append(tornado_row(row, parameter, parameter.replace("_", "-"), low, high, *values))
    factor = adjustment_factor(**base, rate=config.discount_rate)
    out.append(
        tornado_row(
            row,
            "wellby",
            "value of a WELLBY",
            config.wellby_low,
            config.wellby_high,
            point * config.wellby_low * factor,
            point * config.wellby_high * factor,
        )
    )
    return out


def tornado_row(
    row: dict[str, Any], parameter: str, label: str, low: float, high: float, at_low: float, at_high: float
) -> dict[str, Any]:
    return {
        "asset": row["asset"],
        "name": row["name"],
        "parameter": parameter,
        "label": label,
        "setting_low": low,
        "setting_high": high,
        "value_at_low": at_low,
        "value_at_high": at_high,
        "value_central": row["value_central"],
    }
