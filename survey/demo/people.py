"""Synthetic residents: one person's answers, with the demo's planted asset effects built in."""

from __future__ import annotations

import numpy as np

from instruments import Instrument
from survey.demo.catalogue import (
    DEMO_ASSETS,
    DEMO_LS_EFFECTS,
    DEMOGRAPHIC_SHARES,
    INTERVIEW_BIAS,
    INTERVIEW_LS_BIAS,
    LS_MEAN,
    LS_SD,
    LS_WEMWBS_CORRELATION,
    NOMINATIONS,
)
from survey.models import Campaign


def synthetic_person(
    campaign: Campaign, sections: dict[str, Instrument], rng: np.random.Generator, bias: float = 0.0
) -> dict[str, int | str]:
    """One synthetic resident's answers, keyed by item, with the planted asset effects built in."""
    planted = {slug: (effect, share) for slug, _n, _k, _c, _d, effect, share in DEMO_ASSETS[campaign.slug]}
    values: dict[str, int | str] = {}
    person = rng.normal(0, 1)  # shared by WEMWBS and life satisfaction, so the two correlate
    wellbeing = 46.0 + bias + 7 * person
    # Centred on the community's expected asset effects, so each community's mean is about LS_MEAN.
    expected = sum(DEMO_LS_EFFECTS[slug] * share for slug, (_effect, share) in planted.items())
    satisfaction = LS_MEAN - expected + bias * INTERVIEW_LS_BIAS / INTERVIEW_BIAS
    satisfaction += LS_SD * (LS_WEMWBS_CORRELATION * person + np.sqrt(1 - LS_WEMWBS_CORRELATION**2) * rng.normal())
    for asset in campaign.assets:
        effect, share = planted[asset.slug]
        frequency = int(rng.integers(1, 5)) if rng.random() < share else 0
        wellbeing += effect if frequency else 0.0
        satisfaction += DEMO_LS_EFFECTS[asset.slug] if frequency else 0.0
        values[f"asset_{asset.slug}"] = frequency
        values[f"asset_{asset.slug}_value"] = int(np.clip(round(2 + frequency * 0.6 + rng.normal(0, 0.8)), 1, 5))
    if "ons4" in sections:
        values.update(_ons4_answers(satisfaction, rng))
    item_level = wellbeing / 14
    for item in sections["wemwbs"].items:
        values[item.key] = int(np.clip(round(item_level + rng.normal(0, 0.55)), 1, 5))
    for item in sections["sixways"].items:
        values[item.key] = int(np.clip(round(1.5 + item_level * 0.5 + rng.normal(0, 0.9)), 1, 5))
    for item in sections["demographics"].items:
        if item.type == "choice" and rng.random() < 0.95:
            shares = DEMOGRAPHIC_SHARES.get(item.key)
            codes = [option.code for option in item.options]
            chances = None if shares is None else [shares[code] for code in codes]
            values[item.key] = int(rng.choice(codes, p=chances))
        elif item.type == "integer" and rng.random() < 0.9:
            values[item.key] = int(rng.integers(0, 60))
    if rng.random() < 0.1:
        values["asset_nominations"] = str(rng.choice(NOMINATIONS))
    return values


def _ons4_answers(satisfaction: float, rng: np.random.Generator) -> dict[str, int | str]:
    """The four ONS answers (whole numbers 0-10) of a person with this life satisfaction before rounding."""
    deviation = satisfaction - 7.5
    noise = rng.normal(0, 1, size=3)
    latent = {
        "ons_life_satisfaction": satisfaction,
        "ons_worthwhile": 7.8 + 0.65 * deviation + 1.3 * noise[0],
        "ons_happy": 7.4 + 0.7 * deviation + 1.8 * noise[1],
        "ons_anxious": 2.9 - 0.5 * deviation + 2.6 * noise[2],  # higher = more anxious
    }
    return {key: int(np.clip(round(value), 0, 10)) for key, value in latent.items()}
