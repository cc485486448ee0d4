"""The valuation recovers planted values (issue 10, part 12): coverage of [value_low, value_high],
clear grades for planted effects, few clear grades on null assets, no ratio where none is honest."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import AnalysisConfig, Dataset
from analysis.adjustments import empty_adjustments
from analysis.evidence import valued_effects
from analysis.models import asset_effects
from analysis.valuation import asset_value
from tests.analysis.simulation import simulate, true_value

pytestmark = pytest.mark.slow  # 200 replications of the models, built once for the module: over a minute

REPLICATIONS = 200


@pytest.fixture(scope="module")
def replications() -> pd.DataFrame:
    """One row per asset per replication: truth, grade and range (the models and valuation only)."""
    config = AnalysisConfig()
    rows = []
    for seed in range(REPLICATIONS):
        responses, assets, campaigns, truth = simulate(1000 + seed)
        dataset = Dataset.from_frames(responses, assets, campaigns)
        effects = asset_effects(dataset.responses, dataset.assets, config)
        valued = valued_effects(dataset.responses, dataset.assets, effects, config)
        table, _ = asset_value(
            valued, dataset.assets, dataset.responses, dataset.campaigns, empty_adjustments(), config
        )
        for row in table.to_dict("records"):
            effect, share = truth[row["asset"]]
            rows.append(
                {
                    "seed": seed,
                    "asset": row["asset"],
                    "planted": effect > 0,
                    "truth": true_value(effect, share),
                    **{
                        key: row[key]
                        for key in ("outcome", "evidence", "value_low", "value_high", "bcr_central", "effect")
                    },
                }
            )
    return pd.DataFrame(rows)


def test_life_satisfaction_is_the_valued_outcome(replications) -> None:
    assert set(replications["outcome"]) == {"life_satisfaction"}


def test_planted_values_are_clear_and_covered(replications) -> None:
    planted = replications[replications["planted"]]
    covered = (
        (planted["evidence"] == "clear")
        & (planted["value_low"] <= planted["truth"])
        & (planted["truth"] <= planted["value_high"])
    )
    # Counted over every replication, not only those graded clear.
    rate = covered.mean()
    assert 0.92 <= rate <= 0.98, f"coverage {rate:.3f} over {len(planted)} planted assets"
    assert (planted["evidence"] == "clear").mean() > 0.99


def test_null_assets_are_rarely_clear(replications) -> None:
    nulls = replications[~replications["planted"]]
    assert (nulls["evidence"] == "clear").mean() <= 0.05
    covered = (nulls["value_low"] <= 0) & (0 <= nulls["value_high"])
    assert covered.mean() >= 0.92  # a null asset's range holds zero about 95% of the time


def test_no_ratio_for_a_non_clear_or_negative_effect(replications) -> None:
    with_ratio = replications[replications["bcr_central"].notna()]
    assert (with_ratio["evidence"] == "clear").all() and (with_ratio["effect"] > 0).all()
    assert np.isnan(replications.loc[replications["evidence"] != "clear", "bcr_central"]).all()
