"""A survey with planted effects on life satisfaction among many null assets, for the valuation's
coverage check (issue 10, part 12). Written independently of `analysis`: it knows only the file format.

Each community is a large population of residents aged 16+ (`POPULATION`) from which a simple random
sample is drawn; a resident uses an asset with a probability that rises with age (and wellbeing
rises with age too, so the comparison must be adjusted). Life satisfaction is
6.2 + 0.1 x age band + the planted effect of every asset used + noise, rounded to 0-10; WEMWBS follows
life satisfaction loosely. The true yearly value of an asset is then
effect x share x POPULATION x GBP 13,000 (one WELLBY = one point for one person for a year).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tests.analysis.synthetic import split_total

POPULATION = 20_000
WELLBY = 13_000.0
# (effect in life-satisfaction points, share of residents using it) per asset of every community:
# two planted effects and eight null assets.
ASSETS = (
    (0.8, 0.4),
    (0.7, 0.35),
    *((0.0, share) for share in (0.2, 0.25, 0.3, 0.35, 0.4, 0.3, 0.25, 0.45)),
)


def true_value(effect: float, share: float) -> float:
    """The yearly value the analysis should recover for an asset, in 2019 pounds."""
    return effect * share * POPULATION * WELLBY


def simulate(
    seed: int, *, communities: int = 2, per_community: int = 600
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, dict[str, tuple[float, float]]]:
    """(responses, assets, campaigns, truth) where truth maps an asset slug to (effect, share)."""
    rng = np.random.default_rng(seed)
    frames, asset_rows, campaign_rows, truth = [], [], [], {}
    for number in range(communities):
        community = f"town{number}"
        n = per_community
        age = rng.integers(1, 8, n)
        latent = 6.2 + 0.1 * age + rng.normal(0, 1.6, n)
        frame = pd.DataFrame(
            {
                "response_id": [f"{community}-{seed}-{i}" for i in range(n)],
                "community": community,
                "campaign": f"{community}-survey",
                "mode": "online",
                "verified": 1,
                "submitted_at": "2026-05-01T12:00:00Z",
                "age_band": age,
                "gender": rng.integers(1, 4, n),
                "employment": rng.integers(1, 10, n),
                "years_in_area": rng.integers(0, 61, n),
            }
        )
        for position, (effect, share) in enumerate(ASSETS):
            slug = f"{community}_asset{position}"
            uses = rng.random(n) < share + 0.03 * (age - 4)  # mean over age bands 1-7 is `share`
            latent = latent + effect * uses
            frame[f"asset_{slug}"] = np.where(uses, rng.integers(1, 5, n), 0)
            asset_rows.append(
                {
                    "slug": slug,
                    "name": f"Asset {position}",
                    "kind": "place",
                    "community": community,
                    "annual_cost": 50_000.0,
                }
            )
            truth[slug] = (effect, share)
        frame["ons_life_satisfaction"] = np.clip(np.rint(latent), 0, 10).astype(int)
        wemwbs = np.clip(np.rint(47 + 2.0 * (latent - 6.6) + rng.normal(0, 5, n)), 14, 70).astype(np.int64)
        items = split_total(wemwbs, rng)
        for item in range(14):
            frame[f"wemwbs_{item + 1}"] = items[:, item]
        frames.append(frame)
        campaign_rows.append(
            {
                "campaign": f"{community}-survey",
                "community": community,
                "population_size": POPULATION,
                "sampling_method": "random",
                "population_source": "simulated population of residents aged 16+",
            }
        )
    responses = pd.concat(frames, ignore_index=True)
    for row in asset_rows:
        responses[f"asset_{row['slug']}"] = pd.array(responses[f"asset_{row['slug']}"], dtype="Int64")
    return responses, pd.DataFrame(asset_rows), pd.DataFrame(campaign_rows), truth
