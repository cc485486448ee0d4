"""A small survey built by integer arithmetic alone (no random number generator), so that R reads the
very same rows: the golden values in test_end_to_end_golden.py were computed from it in R.

Four communities of 120 residents, three assets each with planted effects on WEMWBS and on life
satisfaction, asset use more likely with age (so the adjusted models matter), a few blank answers.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

COMMUNITIES = ("ash", "beech", "cedar", "damson")
# (suffix, kind, WEMWBS effect, life-satisfaction effect)
ASSETS = (("park", "place", 3, 1), ("club", "community_group", 0, 0), ("hub", "voluntary_org", 2, 1))
POPULATION = {"ash": 400, "beech": 6000, "cedar": 2500, "damson": 900}


class _Stream:
    """Park-Miller minimal standard generator: the same integers in any language."""

    def __init__(self, seed: int) -> None:
        self.state = seed

    def next(self, modulus: int) -> int:
        self.state = (self.state * 48271) % 2147483647
        return self.state % modulus


def golden_frames() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(responses, assets, campaigns) in the dataset format."""
    stream = _Stream(20261205)
    rows, assets, campaigns = [], [], []
    for c_index, community in enumerate(COMMUNITIES):
        for suffix, kind, _, _ in ASSETS:
            assets.append(
                {
                    "slug": f"{community}_{suffix}",
                    "name": f"{community.title()} {suffix.title()}",
                    "kind": kind,
                    "community": community,
                    "annual_cost": 20000,
                    "cost_year": 2019,
                }
            )
        campaigns.append(
            {
                "campaign": f"{community}-2026",
                "community": community,
                "population_size": POPULATION[community],
                "sampling_method": "random",
                "population_source": "golden test",
            }
        )
        for person in range(120):
            age = 1 + stream.next(7)
            row: dict[str, object] = {
                "response_id": f"{community}-{person:03d}",
                "community": community,
                "campaign": f"{community}-2026",
                "mode": ("online", "online", "interview", "paper")[stream.next(4)],
                "verified": 1,
                "submitted_at": "2026-05-01T12:00:00Z",
                "age_band": age,
                "gender": 1 + stream.next(3),
                "employment": 1 + stream.next(3),
                "years_in_area": stream.next(40),
            }
            total = 30 + 2 * age + c_index + stream.next(13) + stream.next(13)
            life = 3 + (age + stream.next(5) + stream.next(5)) // 3
            for suffix, _, wemwbs_effect, life_effect in ASSETS:
                uses = stream.next(10) < 3 + age // 2
                row[f"asset_{community}_{suffix}"] = (1 + stream.next(4)) if uses else 0
                row[f"asset_{community}_{suffix}_value"] = 1 + stream.next(5)
                total += wemwbs_effect * uses
                life += life_effect * uses
            total = max(14, min(70, total))
            items = [total // 14 + (1 if i < total % 14 else 0) for i in range(14)]
            for i, value in enumerate(items):
                row[f"wemwbs_{i + 1}"] = value
            row["ons_life_satisfaction"] = min(10, life)
            if stream.next(40) == 0:
                row["wemwbs_5"] = None  # an incomplete WEMWBS: no score
            if stream.next(40) == 0:
                row["years_in_area"] = None  # a skipped covariate: out of the models
            rows.append(row)
    return pd.DataFrame(rows), pd.DataFrame(assets), pd.DataFrame(campaigns)


def write_golden(folder: Path, *, asked: str = "wemwbs") -> Path:
    """The survey as an unpacked export: responses.csv, assets.csv, campaigns.csv; returns responses.csv.

    `asked` = ``"swemwbs"``: as a campaign that asked SWEMWBS and not the ONS questions would export
    it, the 7 WEMWBS statements outside SWEMWBS and life satisfaction are blank;
    ``"life_satisfaction"``: a campaign that asked the ONS questions and neither scale, every WEMWBS
    statement is blank.
    """
    folder.mkdir(parents=True, exist_ok=True)
    responses, assets, campaigns = golden_frames()
    if asked == "swemwbs":
        for item in (4, 5, 8, 10, 12, 13, 14):
            responses[f"wemwbs_{item}"] = None
        responses["ons_life_satisfaction"] = None
    elif asked == "life_satisfaction":
        for item in range(1, 15):
            responses[f"wemwbs_{item}"] = None
    for column in responses.columns:
        if column.startswith(("asset_", "wemwbs_")) or column in ("years_in_area", "ons_life_satisfaction"):
            responses[column] = responses[column].astype("Int64")  # whole numbers, blank where not asked
    responses.to_csv(folder / "responses.csv", index=False)
    assets.to_csv(folder / "assets.csv", index=False)
    campaigns.to_csv(folder / "campaigns.csv", index=False)
    return folder / "responses.csv"
