"""What the demo contains: the four seed communities, their asset logs with planted effects, adjustments,
nominations and question phrases.

The planted effects (`DEMO_ASSETS[...]` effect, WEMWBS points for a user versus a non-user, and
`DEMO_LS_EFFECTS`, the same assets' effects in ONS life-satisfaction points) give the analysis
something real to find.
"""

from __future__ import annotations

from datetime import date

from survey.assets.adjustments import AdjustmentValues

COMMUNITIES = {
    "dover-town": "Dover Town",
    "aylesham": "Aylesham",
    "sheppey": "Sheppey",
    "swanley": "Swanley",
}
# Residents aged 16+ that each demo sample represents, for the valuation: illustrative round
# numbers, not official estimates (a real campaign cites e.g. ONS mid-year estimates).
POPULATION = {"dover-town": 25000, "aylesham": 3200, "sheppey": 32000, "swanley": 13000}
POPULATION_SOURCE = "Demo figure, not an official estimate: residents aged 16+ (illustrative)"
# Two communities drawn at random (scaled to the population), two by quota (scaled with a warning).
SAMPLING = {"dover-town": "random", "aylesham": "quota", "sheppey": "quota", "swanley": "random"}
COST_YEAR = 2024  # the price year of the demo's annual costs
# Adjustments an (imaginary) impact workshop agreed for three assets, so the demo shows net and gross figures.
DEMO_ADJUSTMENTS = {
    "dover_seafront": AdjustmentValues(
        deadweight=0.4,
        attribution=0.2,
        reason="Demo: people who walk the seafront are likely healthier anyway (deadweight 40%); the harbour "
        "board's events share the credit (attribution 20%).",
        agreed_by="Demo impact workshop (illustrative)",
        agreed_on=date(2025, 3, 14),
    ),
    "dover_library": AdjustmentValues(
        deadweight=0.25,
        displacement=0.1,
        attribution=0.1,
        reason="Demo: some users would read and meet elsewhere (deadweight 25%, displacement 10%); adult "
        "education partners run some sessions (attribution 10%).",
        agreed_by="Demo impact workshop (illustrative)",
        agreed_on=date(2025, 3, 14),
    ),
    "swanley_link": AdjustmentValues(
        deadweight=0.3,
        attribution=0.25,
        reason="Demo: people who come to a community centre are likely better connected anyway (deadweight 30%); "
        "churches and the council's youth service run a quarter of its sessions (attribution 25%).",
        agreed_by="Demo impact workshop (illustrative)",
        agreed_on=date(2025, 6, 2),
    ),
}

# slug, name, kind, annual cost (pounds, None = unknown), six-ways dimensions, planted effect, share using it.
# Shares are of residents aged 16+: places reach many, small groups and services a few percent (so a
# survey of 300 hears from a dozen of their users, and some cannot be estimated: the report says so).
DEMO_ASSETS: dict[str, list[tuple[str, str, str, float | None, list[str], float, float]]] = {
    "dover-town": [
        ("dover_library", "Dover Discovery Centre library", "place", 180000, ["keep_learning", "connect"], 2.0, 0.35),
        ("dover_foodbank", "Dover Foodbank", "voluntary_org", 60000, ["give", "connect"], 1.0, 0.06),
        ("dover_seafront", "Seafront and promenade", "place", 25000, ["be_active", "take_notice"], 2.5, 0.7),
        ("dover_mens_shed", "Dover Men's Shed", "community_group", 8000, ["connect", "keep_learning"], 3.0, 0.05),
        ("dover_health_walks", "Tuesday health walks", "community_group", 12000, ["be_active", "connect"], 2.0, 0.06),
        ("dover_street_warden", "Community warden on Tower Hamlets", "individual", 28000, ["connect"], 0.0, 0.3),
        ("connaught_park", "Connaught Park", "place", 40000, ["be_active", "take_notice"], 1.5, 0.5),
    ],
    "aylesham": [
        ("aylesham_welfare", "Aylesham Welfare and Community Centre", "place", 55000, ["connect"], 2.5, 0.4),
        ("aylesham_library", "Aylesham library", "place", 70000, ["keep_learning"], 1.0, 0.3),
        (
            "aylesham_brass_band",
            "Snowdown Colliery Welfare Band",
            "community_group",
            6000,
            ["connect", "keep_learning"],
            2.0,
            0.06,
        ),
        (
            "aylesham_heritage",
            "Aylesham Heritage Centre",
            "voluntary_org",
            15000,
            ["take_notice", "keep_learning"],
            0.5,
            0.12,
        ),
        (
            "aylesham_navigator",
            "Community navigator at the surgery",
            "individual",
            32000,
            ["care", "connect"],
            1.5,
            0.08,
        ),
        ("aylesham_green", "Market Square green", "place", None, ["take_notice", "connect"], 0.0, 0.6),
    ],
    "sheppey": [
        ("sheerness_seafront", "Sheerness beach and seafront", "place", 30000, ["be_active", "take_notice"], 2.0, 0.6),
        ("sheppey_library", "Sheerness Gateway library", "place", 150000, ["keep_learning"], 1.0, 0.3),
        ("sheppey_food_bank", "Sheppey food bank", "voluntary_org", 50000, ["give"], 0.5, 0.06),
        (
            "sheppey_carers_group",
            "Sheppey carers' coffee morning",
            "community_group",
            9000,
            ["connect", "care"],
            3.0,
            0.05,
        ),
        ("minster_leas", "Minster Leas clifftop", "place", 12000, ["be_active", "take_notice"], 1.5, 0.4),
        ("sheppey_community_bus", "Island community minibus", "voluntary_org", 45000, ["connect"], 1.0, 0.06),
        ("sheppey_street_champion", "Street champion in Halfway", "individual", None, ["give", "connect"], 0.0, 0.1),
    ],
    "swanley": [
        ("swanley_park", "Swanley Park", "place", 90000, ["be_active", "take_notice"], 2.0, 0.65),
        ("swanley_library", "Swanley library", "place", 110000, ["keep_learning"], 1.0, 0.3),
        ("swanley_link", "Swanley Link community centre", "voluntary_org", 75000, ["connect", "give"], 2.5, 0.25),
        ("swanley_good_neighbours", "Good neighbours scheme", "voluntary_org", 20000, ["give", "care"], 1.5, 0.06),
        ("swanley_allotments", "Swanley allotments", "place", 15000, ["be_active", "care"], 2.0, 0.05),
        ("swanley_youth_worker", "Detached youth worker", "individual", 30000, ["connect"], 0.0, 0.1),
    ],
}
# ONS4 first: ONS advises asking the personal well-being questions before other wellbeing questions.
DEMO_INSTRUMENTS = ["ons4", "wemwbs", "sixways", "asset_use", "demographics"]
INTERVIEW_BIAS = 1.5  # interviewer-administered WEMWBS reads higher
INTERVIEW_LS_BIAS = 0.2  # and so does life satisfaction (the same bias at 0.13 points per WEMWBS point)
# Synthetic ONS answers (demo only), near the UK's Annual Population Survey figures: life satisfaction
# mean about 7.5, SD about 1.9; worthwhile about 7.7; happy about 7.4 (SD about 2.2); anxious about
# 3.1 (SD about 2.8). LS_WEMWBS_CORRELATION is the part of a person's life satisfaction shared with
# their WEMWBS (published correlations of the two are about 0.6-0.7).
LS_MEAN, LS_SD, LS_WEMWBS_CORRELATION = 7.6, 2.0, 0.65


def _ls_effect(wemwbs_effect: float) -> float:
    """Planted life-satisfaction effect of an asset: 0.2 points per WEMWBS point, kept within 0.2-0.6 points
    for the planted assets (plausible sizes for one asset), zero for the others."""
    return 0.0 if wemwbs_effect <= 0 else round(min(max(0.2 * wemwbs_effect, 0.2), 0.6), 1)


# Life-satisfaction points (0-10) for a user versus a non-user, per asset slug.
DEMO_LS_EFFECTS = {row[0]: _ls_effect(row[5]) for rows in DEMO_ASSETS.values() for row in rows}
DOUBLE_ENTRY_PERCENT = 50  # of paper forms keyed twice, for quality control
# One keying discrepancy already resolved (Dover Town) and one waiting for a researcher (Aylesham).
PLANTED_DISCREPANCIES = {"dover-town": "resolved", "aylesham": "open"}
# Where Dover Town's assets are (WGS 84 latitude, longitude; postcode), made up but around the real town
# centre so the asset map has something to show. The health walks have a meeting point's postcode only
# (listed beside the map, not on it); the community warden is a person, so no place at all.
DEMO_PLACES: dict[str, tuple[float | None, float | None, str]] = {
    "dover_library": (51.1247, 1.3133, "CT16 1PH"),
    "dover_foodbank": (51.1290, 1.3085, "CT16 1EZ"),
    "dover_seafront": (51.1222, 1.3170, ""),
    "dover_mens_shed": (51.1335, 1.2975, "CT17 0HQ"),
    "connaught_park": (51.1380, 1.3160, "CT16 2AB"),
    "dover_health_walks": (None, None, "CT16 1DQ"),
}

# The demo's synthetic people answer "About you" roughly as adults (16+) in England and Wales did at
# the 2021 Census (ONS: age, economic activity; gender identity other than man or woman well under 1%),
# rounded, so a breakdown by age or gender looks like a real survey's; drawn with equal chances,
# a third of the demo's people described their gender "in another way". By option code.
DEMOGRAPHIC_SHARES: dict[str, dict[int, float]] = {
    "age_band": {1: 0.13, 2: 0.17, 3: 0.16, 4: 0.16, 5: 0.16, 6: 0.12, 7: 0.10},
    "gender": {1: 0.51, 2: 0.485, 3: 0.005},
    "employment": {1: 0.35, 2: 0.13, 3: 0.10, 4: 0.03, 5: 0.22, 6: 0.06, 7: 0.04, 8: 0.04, 9: 0.03},
}

NOMINATIONS = [
    "The allotments behind the church",
    "Our neighbour who checks on everyone in the street",
    "The Saturday football for kids",
    "The bench by the harbour where people chat",
    "Knit and natter at the café",
]


# "Do you <phrase> <asset>?" where the kind's default reads badly (models.DEFAULT_QUESTION_PHRASES).
DEMO_PHRASES = {
    "dover_foodbank": "use",
    "dover_street_warden": "see the",
    "sheppey_community_bus": "use the",
    "sheppey_street_champion": "see the",
    "swanley_link": "go to",
    "swanley_good_neighbours": "take part in the",
    "swanley_youth_worker": "see the",
}
