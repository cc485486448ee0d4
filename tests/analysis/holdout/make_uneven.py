"""How the ``uneven`` hold-out survey of test_holdout_uneven.py was made (run once; the tests read the stored files).

    python tests/analysis/holdout/make_uneven.py 8 tests/analysis/holdout/uneven

A shape the other hold-outs do not have: three communities of very different sizes and sampling methods
(oak 700 respondents, a random sample of 9,000 residents; pine 60, a convenience sample; elm 160, a quota
sample of 2,000), heavy item missingness (each WEMWBS statement blank for 5% of people, so only about half
have a complete WEMWBS; life satisfaction blank for 8%, each asset question for 6%, years in the area for
10%), an asset used by almost nobody (oak's ferry, 0.8%), a negative planted effect (oak's food bank),
agreed SROI adjustments over three years with drop-off (oak's park) and a cost in another price year.

Each person has a latent wellbeing z; life satisfaction (0-10, rounded and clipped) is
6.5 + 0.15 (age band - 4) + 1.2 z + noise plus the planted effect of each asset used; each WEMWBS statement
is 3 + 0.06 (age band - 4) + z plus the planted item effect plus noise, rounded within 1-5. The chance of
using an asset is its base share + 0.04 (age band - 4), so over the uniform age bands the population share
is the base share exactly; ``truth.csv`` lists the planted life-satisfaction effect and share of each asset.
"""

import sys
from pathlib import Path

import numpy as np
import pandas as pd

# (community, respondents, residents 16+, sampling method)
COMMUNITIES = (("oak", 700, 9000, "random"), ("pine", 60, 400, "convenience"), ("elm", 160, 2000, "quota"))
# (community, suffix, kind, base share, planted life-satisfaction effect, planted WEMWBS item effect, cost, cost year)
ASSETS = (
    ("oak", "park", "place", 0.45, 0.5, 0.3, 40000, 2023),
    ("oak", "foodbank", "voluntary_org", 0.15, -0.6, -0.3, 30000, 2019),
    ("oak", "library", "place", 0.40, 0.0, 0.0, 25000, 2019),
    ("oak", "ferry", "place", 0.008, 0.5, 0.3, 50000, 2019),
    ("pine", "hall", "community_group", 0.50, 0.4, 0.25, 8000, 2019),
    ("pine", "club", "community_group", 0.40, 0.0, 0.0, None, None),
    ("elm", "garden", "place", 0.35, 0.3, 0.2, 12000, 2019),
    ("elm", "cafe", "voluntary_org", 0.30, 0.0, 0.0, 10000, 2019),
)
ADJUSTMENTS = (
    {
        "asset": "oak_park",
        "deadweight": 0.2,
        "attribution": 0.25,
        "displacement": 0.1,
        "drop_off": 0.3,
        "years": 3,
        "reason": "Synthetic: some users would be as satisfied anyway; the leisure centre shares the credit",
        "agreed_by": "Synthetic impact workshop",
        "agreed_on": "2026-06-01",
    },
    {
        "asset": "elm_garden",
        "deadweight": 0.0,
        "attribution": 0.5,
        "displacement": 0.0,
        "drop_off": 0.0,
        "years": 1,
        "reason": "Synthetic: the garden is run with the GP practice's social prescribers",
        "agreed_by": "Synthetic impact workshop",
        "agreed_on": "2026-06-01",
    },
)


def frames(seed: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    rows, assets, campaigns, truth = [], [], [], []
    for community, n, population, method in COMMUNITIES:
        campaigns.append(
            {
                "campaign": f"{community}-2026",
                "community": community,
                "community_name": community.title(),
                "population_size": population,
                "sampling_method": method,
                "population_source": f"Synthetic: {community.title()} residents aged 16+ (illustrative)",
            }
        )
        age = rng.integers(1, 8, n)
        # pine is small: two gender codes only, so no level is held by a single person (leverage 1)
        gender = rng.choice([1, 2], n) if n < 100 else rng.choice([1, 2, 3], n, p=[0.5, 0.45, 0.05])
        z = rng.normal(0, 0.5, n)
        latent = 3.0 + 0.06 * (age - 4) + z
        ls = 6.5 + 0.15 * (age - 4) + 1.2 * z + rng.normal(0, 1.3, n)
        data = {
            "response_id": [f"{community}-{i:04d}" for i in range(n)],
            "community": community,
            "campaign": f"{community}-2026",
            "mode": rng.choice(["online", "interview", "paper"], n),
            "verified": 1,
            "submitted_at": "2026-05-01T12:00:00Z",
            "age_band": age,
            "gender": gender,
            "employment": rng.integers(1, 4, n),
            "years_in_area": rng.integers(0, 40, n).astype(float),
        }
        for place, suffix, kind, share, ls_effect, item_effect, cost, cost_year in ASSETS:
            if place != community:
                continue
            slug = f"{community}_{suffix}"
            assets.append(
                {
                    "slug": slug,
                    "name": f"{community.title()} {suffix.title()}",
                    "kind": kind,
                    "community": community,
                    "community_name": community.title(),
                    "annual_cost": cost,
                    "cost_year": cost_year,
                }
            )
            truth.append({"asset": slug, "ls_effect": ls_effect, "share": share, "population": population})
            uses = rng.random(n) < share + 0.04 * (age - 4) if share >= 0.1 else rng.random(n) < share
            data[f"asset_{slug}"] = np.where(uses, rng.integers(1, 5, n), 0).astype(float)
            data[f"asset_{slug}_value"] = rng.integers(1, 6, n).astype(float)
            latent = latent + item_effect * uses
            ls = ls + ls_effect * uses
        for item in range(1, 15):
            data[f"wemwbs_{item}"] = np.clip(np.rint(latent + rng.normal(0, 0.7, n)), 1, 5)
        data["ons_life_satisfaction"] = np.clip(np.rint(ls), 0, 10)
        data["ons_worthwhile"] = np.clip(np.rint(ls + rng.normal(0, 1.5, n)), 0, 10)
        data["ons_happy"] = np.clip(np.rint(ls + rng.normal(0, 1.5, n)), 0, 10)
        data["ons_anxious"] = np.clip(np.rint(10 - ls + rng.normal(0, 2, n)), 0, 10)
        frame = pd.DataFrame(data)
        for item in range(1, 15):
            frame.loc[rng.random(n) < 0.05, f"wemwbs_{item}"] = np.nan
        frame.loc[rng.random(n) < 0.08, "ons_life_satisfaction"] = np.nan
        frame.loc[rng.random(n) < 0.10, "years_in_area"] = np.nan
        for column in [c for c in frame if c.startswith("asset_") and not c.endswith("_value")]:
            frame.loc[rng.random(n) < 0.06, column] = np.nan
        rows.append(frame)
    return pd.concat(rows, ignore_index=True), pd.DataFrame(assets), pd.DataFrame(campaigns), pd.DataFrame(truth)


def write(seed: int, out: str) -> None:
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    responses, assets, campaigns, truth = frames(seed)
    for column in responses.columns:
        if column.startswith(("asset_", "wemwbs_", "ons_")) or column == "years_in_area":
            responses[column] = responses[column].astype("Int64")
    assets["cost_year"] = assets["cost_year"].astype("Int64")
    responses.to_csv(folder / "responses.csv", index=False)
    assets.to_csv(folder / "assets.csv", index=False)
    campaigns.to_csv(folder / "campaigns.csv", index=False)
    pd.DataFrame(ADJUSTMENTS).to_csv(folder / "adjustments.csv", index=False)
    truth.to_csv(folder / "truth.csv", index=False)


if __name__ == "__main__":  # pragma: no cover - a maintainer's tool
    write(int(sys.argv[1]), sys.argv[2])
