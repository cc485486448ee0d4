"""How the hold-out surveys of test_holdout_golden.py were made (run once; the tests read the stored files).

    python tests/analysis/holdout/make_holdout.py swemwbs_ons 7 tests/analysis/holdout/swemwbs_ons 150
    python tests/analysis/holdout/make_holdout.py mix 7 tests/analysis/holdout/mix 150

Each person has a latent wellbeing (age, community, a normal term); each of the 14 WEMWBS items is it plus
noise, rounded and kept within 1-5, so a short-form campaign's SWEMWBS is the raw total of items 1, 2, 3, 6,
7, 9, 11 (the others blank) and the product converts it to the metric score. Asset use depends on age (so
the adjusted models matter); a park adds 0.35 and a hub 0.2 to every item, a club nothing; life
satisfaction (0-10) gets +0.6 and +0.3. Cases: ``swemwbs`` (no ONS questions), ``swemwbs_ons`` (ONS asked
of everyone in alder, about 40% in birch, 70% in cherry), ``ons`` (no scale), ``mix`` (alder WEMWBS, the
others SWEMWBS only). A few blank answers (item 3, years in the area).
"""

import sys
from pathlib import Path

import numpy as np
import pandas as pd

SHORT = (1, 2, 3, 6, 7, 9, 11)
# (suffix, kind, latent item effect, LS effect)
ASSETS = (("park", "place", 0.35, 0.6), ("club", "community_group", 0.0, 0.0), ("hub", "voluntary_org", 0.2, 0.3))
COMMS = ("alder", "birch", "cherry")


def frames(case, seed, n=300, comms=COMMS):
    rng = np.random.default_rng(seed)
    rows, assets, campaigns = [], [], []
    for ci, c in enumerate(comms):
        form = case
        if case == "mix":
            form = "wemwbs" if ci == 0 else "swemwbs"
        for suffix, kind, *_ in ASSETS:
            assets.append(
                dict(
                    slug=f"{c}_{suffix}",
                    name=f"{c.title()} {suffix.title()}",
                    kind=kind,
                    community=c,
                    annual_cost=15000,
                    cost_year=2019,
                )
            )
        campaigns.append(
            dict(
                campaign=f"{c}-2026",
                community=c,
                population_size=[1200, 5000, 800][ci],
                sampling_method="random",
                population_source="synthetic",
            )
        )
        age = rng.integers(1, 8, n)
        gender = rng.choice([1, 2, 3], n, p=[0.5, 0.45, 0.05])
        emp = rng.integers(1, 4, n)
        years = rng.integers(0, 40, n).astype(float)
        mode = rng.choice(["online", "interview", "paper"], n)
        z = rng.normal(0, 0.5, n)  # person's latent wellbeing
        latent = 3.0 + 0.06 * (age - 4) + 0.1 * ci + z
        ls = 6.5 + 0.15 * (age - 4) + 1.2 * z + rng.normal(0, 1.3, n)
        d = dict(
            response_id=[f"{c}-{i:04d}" for i in range(n)],
            community=c,
            campaign=f"{c}-2026",
            mode=mode,
            verified=1,
            submitted_at="2026-05-01T12:00:00Z",
            age_band=age,
            gender=gender,
            employment=emp,
            years_in_area=years,
        )
        for suffix, _, eff, lseff in ASSETS:
            uses = rng.random(n) < 0.25 + 0.05 * age
            freq = np.where(uses, rng.integers(1, 5, n), 0)
            d[f"asset_{c}_{suffix}"] = freq
            d[f"asset_{c}_{suffix}_value"] = rng.integers(1, 6, n)
            latent = latent + eff * uses
            ls = ls + lseff * uses
        for i in range(1, 15):
            d[f"wemwbs_{i}"] = np.clip(np.rint(latent + rng.normal(0, 0.7, n)), 1, 5).astype(float)
        d["ons_life_satisfaction"] = np.clip(np.rint(ls), 0, 10).astype(float)
        for k, key in enumerate(("ons_worthwhile", "ons_happy", "ons_anxious")):
            d[key] = np.clip(np.rint(ls + rng.normal(0, 1.5, n) if k < 2 else 10 - ls + rng.normal(0, 2, n)), 0, 10)
        f = pd.DataFrame(d)
        if form in ("swemwbs", "swemwbs_ons"):
            for i in range(1, 15):
                if i not in SHORT:
                    f[f"wemwbs_{i}"] = np.nan
        if form == "ons":
            for i in range(1, 15):
                f[f"wemwbs_{i}"] = np.nan
        if form in ("swemwbs", "wemwbs", "mix") or (case == "mix"):
            for key in ("ons_life_satisfaction", "ons_worthwhile", "ons_happy", "ons_anxious"):
                f[key] = np.nan
        if form == "swemwbs_ons" and ci == 1:
            # ONS4 asked of only ~40% in birch (e.g. a later questionnaire change): LS below ls_share_needed
            drop = rng.random(n) > 0.4
            for key in ("ons_life_satisfaction", "ons_worthwhile", "ons_happy", "ons_anxious"):
                f.loc[drop, key] = np.nan
        if form == "swemwbs_ons" and ci == 2:
            drop = rng.random(n) > 0.7  # ~70% answered: above the 0.5 share
            for key in ("ons_life_satisfaction", "ons_worthwhile", "ons_happy", "ons_anxious"):
                f.loc[drop, key] = np.nan
        # a few blanks
        blank = rng.random(n) < 0.02
        f.loc[blank, "wemwbs_3"] = np.nan
        blank = rng.random(n) < 0.02
        f.loc[blank, "years_in_area"] = np.nan
        rows.append(f)
    return pd.concat(rows, ignore_index=True), pd.DataFrame(assets), pd.DataFrame(campaigns)


def write(case, seed, out, n=300):
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    r, a, c = frames(case, seed, n)
    for col in r.columns:
        if col.startswith(("asset_", "wemwbs_", "ons_")) or col in ("years_in_area",):
            r[col] = r[col].astype("Int64")
    r.to_csv(out / "responses.csv", index=False)
    a.to_csv(out / "assets.csv", index=False)
    c.to_csv(out / "campaigns.csv", index=False)


if __name__ == "__main__":  # pragma: no cover - a maintainer's tool
    write(sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]) if len(sys.argv) > 4 else 300)
