"""Demo data: the four seed communities, their asset logs, open campaigns and synthetic responses.

The synthetic wellbeing depends on asset use through planted effects
(`DEMO_ASSETS[...]["effect"]`, WEMWBS points for a user versus a non-user, and
`DEMO_LS_EFFECTS`, the same assets' effects in ONS life-satisfaction points), plus
an upward bias for interviews, so the analysis has something real to find.
Running it again adds nothing that is already there.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
from sqlalchemy import func, insert, select
from tqdm import tqdm

from instruments import Instrument
from survey.accounts.operations import create_user
from survey.assets.adjustments import AdjustmentValues, set_adjustment
from survey.campaigns.operations import campaign_sections, create_campaign, open_campaign
from survey.database import utcnow
from survey.datasets.licences import add_licence
from survey.demo.paper import KEYED_PER_BATCH, add_demo_paper
from survey.extensions import db
from survey.models import Answer, Asset, AssetUse, Campaign, Community, Licence, Response, User

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


def database_is_empty() -> bool:
    return db.session.scalar(select(Community.id).limit(1)) is None


@dataclass
class DemoResult:
    responses_added: int = 0
    # (email, role, password) of accounts created by this run: shown once, never stored in clear.
    new_accounts: list[tuple[str, str, str]] = field(default_factory=list)

    def summary(self) -> str:
        lines = [f"Demo data ready: {len(COMMUNITIES)} communities; {self.responses_added} synthetic responses added."]
        if self.new_accounts:
            lines.append("Demo staff accounts (DEMO ONLY - these passwords are shown once and not stored):")
            lines += [f"  {role:<10} {email:<32} {password}" for email, role, password in self.new_accounts]
        return "\n".join(lines)


def _demo_user(result: DemoResult, email: str, role: str, name: str, communities: list[Community]) -> User:
    user = db.session.scalar(select(User).filter_by(email=email))
    if user is None:
        password = secrets.token_urlsafe(12)
        user = create_user(email, role, password, name=name, communities=communities)
        result.new_accounts.append((email, role, password))
    return user


def load_demo(per_community: int = 300, seed: int = 2014, progress: bool = False, paper: bool = True) -> DemoResult:
    """Create whatever part of the demo is missing; `paper=False` skips the paper batches (their PDFs are slow)."""
    rng = np.random.default_rng(seed)
    result = DemoResult()
    if db.session.scalar(select(Licence.id).where(Licence.instrument_key == "wemwbs").limit(1)) is None:
        add_licence("wemwbs", holder="Demo organisation (not a real licence)", reference="DEMO-ONLY")
    _demo_user(result, "admin@demo.example.org", "admin", "Demo Admin", [])
    researcher = _demo_user(result, "researcher@demo.example.org", "researcher", "Demo Researcher", [])
    for slug, name in tqdm(COMMUNITIES.items(), desc="demo communities", disable=not progress):
        community = db.session.scalar(select(Community).filter_by(slug=slug))
        if community is None:
            community = Community(slug=slug, name=name)
            db.session.add(community)
            db.session.flush()
        _ensure_assets(community)
        peer = _demo_user(
            result, f"peer.{slug}@demo.example.org", "peer", f"Demo peer researcher ({name})", [community]
        )
        campaign = db.session.scalar(select(Campaign).filter_by(slug=slug))
        if campaign is None:
            campaign = create_campaign(
                community,
                slug,
                f"{name} wellbeing and community assets survey",
                DEMO_INSTRUMENTS,
                target_sample_size=300,
                population_size=POPULATION[slug],
                population_source=POPULATION_SOURCE,
                sampling_method=SAMPLING[slug],
                show_score=True,
                double_entry_percent=DOUBLE_ENTRY_PERCENT,
            )
            open_campaign(campaign)
            _demo_adjustments(campaign)
        has_responses = db.session.scalar(select(func.count(Response.id)).where(Response.campaign_id == campaign.id))
        if not has_responses:
            result.responses_added += _synthetic_responses(campaign, per_community, rng, peer)
            if paper:
                add_demo_paper(campaign, peer, researcher, rng, discrepancy=PLANTED_DISCREPANCIES.get(slug))
                result.responses_added += KEYED_PER_BATCH
    db.session.flush()
    return result


def _ensure_assets(community: Community) -> None:
    for slug, name, kind, cost, dimensions, _effect, _share in DEMO_ASSETS[community.slug]:
        if db.session.scalar(select(Asset.id).filter_by(slug=slug)) is None:
            db.session.add(
                Asset(
                    slug=slug,
                    community=community,
                    name=name,
                    kind=kind,
                    annual_cost=cost,
                    cost_year=None if cost is None else COST_YEAR,
                    sixways_dimensions=dimensions,
                    description=f"{name}, logged during the asset mapping fieldwork (demo).",
                    **({"question_phrase": DEMO_PHRASES[slug]} if slug in DEMO_PHRASES else {}),
                )
            )
    db.session.flush()


def _demo_adjustments(campaign: Campaign) -> None:
    for link in campaign.assets:
        if link.slug in DEMO_ADJUSTMENTS:
            set_adjustment(campaign, link.asset, DEMO_ADJUSTMENTS[link.slug])


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
            values[item.key] = int(rng.choice([option.code for option in item.options]))
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


def _synthetic_responses(campaign: Campaign, count: int, rng: np.random.Generator, peer: User) -> int:
    ordered = campaign_sections(campaign)
    sections = {section.key: section for section in ordered}
    first_page = set(ordered[0].item_keys) if ordered else set()
    asset_ids = {f"asset_{asset.slug}": asset.id for asset in campaign.assets}
    now = utcnow()
    answers: list[dict[str, object]] = []
    uses: list[dict[str, object]] = []
    for index in range(count):
        complete = index >= count // 20  # about 5% left partial: they must never count as complete
        interview = rng.random() < 0.2
        submitted = now - timedelta(days=float(rng.uniform(0, 30)))
        response = Response(
            public_id=secrets.token_hex(16),
            campaign=campaign,
            community_id=campaign.community_id,
            mode="interview" if interview else "online",
            instrument_versions={
                link.instrument_version.key: link.instrument_version.version for link in campaign.instruments
            },
            consent=True,
            status="complete" if complete else "partial",
            started_at=submitted - timedelta(minutes=9),
            submitted_at=submitted if complete else None,
            entered_by=peer if interview else None,
        )
        db.session.add(response)
        db.session.flush()
        values = synthetic_person(campaign, sections, rng, INTERVIEW_BIAS if interview else 0.0)
        if not complete:  # stopped after the first page
            values = {key: value for key, value in values.items() if key in first_page}
        for key, value in values.items():
            if key in asset_ids:
                uses.append(
                    {
                        "response_id": response.id,
                        "campaign_asset_id": asset_ids[key],
                        "frequency": value,
                        "importance": values[f"{key}_value"],
                    }
                )
            elif not key.endswith("_value") or not key.startswith("asset_"):
                text = value if isinstance(value, str) else None
                number = None if text is not None else value
                answers.append({"response_id": response.id, "item_key": key, "value": number, "text": text})
    # Bulk inserts: thousands of rows, no need for an ORM object each.
    if answers:
        db.session.execute(insert(Answer), answers)
    if uses:
        db.session.execute(insert(AssetUse), uses)
    return count
