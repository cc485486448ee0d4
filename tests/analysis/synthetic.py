"""Synthetic survey data with planted asset effects, written independently of `analysis`.

The WEMWBS total of each person is drawn first (baseline + age + interview bias + the planted
effect of every asset they use + noise) and then split into 14 item codes that add up to it
exactly, so the planted effects sit on the WEMWBS score itself. Use of an asset is more likely
in older age bands, and wellbeing rises with age: an unadjusted comparison would be biased,
the adjusted models must not be.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

SIXWAYS = ("connect", "be_active", "keep_learning", "take_notice", "give", "care")


@dataclass(frozen=True)
class PlantedAsset:
    slug: str
    kind: str
    effect: float  # WEMWBS points for a user versus a non-user
    share: float  # share of residents using it
    annual_cost: float | None = 10_000.0


def split_total(totals: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """14 codes in 1-5 per row whose sum equals each total (14-70)."""
    base = totals // 14
    remainder = totals % 14
    extra = np.zeros((len(totals), 14), dtype=np.int64)
    order = rng.permuted(np.tile(np.arange(14), (len(totals), 1)), axis=1)
    extra[np.arange(14)[None, :] < remainder[:, None]] = 1
    items = base[:, None] + np.take_along_axis(extra, np.argsort(order, axis=1), axis=1)
    return items


def make_survey(
    communities: dict[str, list[PlantedAsset]],
    *,
    per_community: int = 400,
    seed: int = 0,
    missing: float = 0.03,
    noise_sd: float = 6.0,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(responses, assets) in the dataset format, without score columns."""
    rng = np.random.default_rng(seed)
    frames = []
    asset_rows = []
    for community, planted in communities.items():
        n = per_community
        age = rng.integers(1, 8, n)
        gender = rng.integers(1, 4, n)
        employment = rng.integers(1, 10, n)
        years = rng.integers(0, 61, n)
        interview = rng.random(n) < 0.25
        latent = 44.0 + 0.6 * age + 1.5 * interview + rng.normal(0, noise_sd, n)
        frame = pd.DataFrame(
            {
                "response_id": [f"{community}-{i}" for i in range(n)],
                "community": community,
                "campaign": f"{community}-2026",
                "mode": np.where(interview, "interview", "online"),
                "verified": 1,
                "submitted_at": "2026-05-01T12:00:00Z",
            }
        )
        for asset in planted:
            probability = np.clip(asset.share + 0.04 * (age - 4), 0.02, 0.98)
            uses = rng.random(n) < probability
            latent = latent + asset.effect * uses
            frame[f"asset_{asset.slug}"] = np.where(uses, rng.integers(1, 5, n), 0)
            frame[f"asset_{asset.slug}_value"] = rng.integers(1, 6, n)
            asset_rows.append(
                {
                    "slug": asset.slug,
                    "name": asset.slug.replace("_", " ").title(),
                    "kind": asset.kind,
                    "community": community,
                    "annual_cost": asset.annual_cost,
                }
            )
        totals = np.clip(np.rint(latent), 14, 70).astype(np.int64)
        items = split_total(totals, rng)
        for position in range(14):
            frame[f"wemwbs_{position + 1}"] = items[:, position]
        for dimension in SIXWAYS:
            for number in (1, 2):
                frame[f"sixways_{dimension}_{number}"] = rng.integers(1, 6, n)
        for column, values in (
            ("age_band", age),
            ("gender", gender),
            ("employment", employment),
            ("years_in_area", years),
        ):
            blank = rng.random(n) < missing
            frame[column] = pd.array(np.where(blank, 0, values), dtype="Int64")
            frame.loc[blank, column] = pd.NA
        frames.append(frame)
    responses = pd.concat(frames, ignore_index=True)
    # Asset columns of other communities are blank (not asked).
    for row in asset_rows:
        for column in (f"asset_{row['slug']}", f"asset_{row['slug']}_value"):
            responses[column] = pd.array(responses[column], dtype="Int64")
    return responses, pd.DataFrame(asset_rows)


STANDARD = {
    "north": [
        PlantedAsset("north_park", "place", 3.0, 0.5, 40_000),
        PlantedAsset("north_library", "place", 2.0, 0.4, 90_000),
        PlantedAsset("north_choir", "community_group", 1.5, 0.3, 3_000),
        PlantedAsset("north_warden", "individual", 0.0, 0.4, 25_000),
        PlantedAsset("north_bus", "voluntary_org", 0.0, 0.3, None),
    ],
    "south": [
        PlantedAsset("south_beach", "place", 2.5, 0.6, 20_000),
        PlantedAsset("south_hub", "voluntary_org", 2.0, 0.35, 60_000),
        PlantedAsset("south_walks", "community_group", 1.5, 0.3, 2_000),
        PlantedAsset("south_library", "place", 0.0, 0.4, 80_000),
        PlantedAsset("south_champion", "individual", 0.0, 0.3, None),
    ],
    "east": [
        PlantedAsset("east_green", "place", 2.0, 0.5, 10_000),
        PlantedAsset("east_centre", "voluntary_org", 3.0, 0.4, 50_000),
        PlantedAsset("east_shed", "community_group", 1.5, 0.3, 5_000),
        PlantedAsset("east_navigator", "individual", 0.0, 0.35, 30_000),
        PlantedAsset("east_allotments", "place", 0.0, 0.3, 4_000),
    ],
}
