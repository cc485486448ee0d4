"""Demo data: the four seed communities, their asset logs, open campaigns and synthetic responses.

The synthetic wellbeing depends on asset use through planted effects
(`DEMO_ASSETS[...]["effect"]`, WEMWBS points for a user versus a non-user, and
`DEMO_LS_EFFECTS`, the same assets' effects in ONS life-satisfaction points), plus
an upward bias for interviews, so the analysis has something real to find.
Running it again adds nothing that is already there.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

import numpy as np
from sqlalchemy import func, insert, select
from tqdm import tqdm

from survey.accounts.operations import create_user
from survey.assets.adjustments import set_adjustment
from survey.campaigns.licences import add_licence
from survey.campaigns.operations import campaign_sections, create_campaign, open_campaign
from survey.database import utcnow
from survey.demo.catalogue import (
    COMMUNITIES,
    COST_YEAR,
    DEMO_ADJUSTMENTS,
    DEMO_ASSETS,
    DEMO_INSTRUMENTS,
    DEMO_PHRASES,
    DEMO_PLACES,
    DOUBLE_ENTRY_PERCENT,
    INTERVIEW_BIAS,
    PLANTED_DISCREPANCIES,
    POPULATION,
    POPULATION_SOURCE,
    SAMPLING,
)
from survey.demo.deepdives import add_demo_deep_dives
from survey.demo.paper import KEYED_PER_BATCH, add_demo_paper
from survey.demo.people import synthetic_person
from survey.demo.workshop import add_demo_workshop
from survey.extensions import db
from survey.models import Answer, Asset, AssetUse, Campaign, Community, Licence, Response, User
from survey.workshops.codes import display_code


def database_is_empty() -> bool:
    return db.session.scalar(select(Community.id).limit(1)) is None


@dataclass
class DemoResult:
    responses_added: int = 0
    # (email, role, password) of accounts created by this run: shown once, never stored in clear.
    new_accounts: list[tuple[str, str, str]] = field(default_factory=list)
    workshop_code: str | None = None
    deep_dives_added: int = 0

    def summary(self) -> str:
        lines = [f"Demo data ready: {len(COMMUNITIES)} communities; {self.responses_added} synthetic responses added."]
        if self.new_accounts:
            lines.append("Demo staff accounts (DEMO ONLY - these passwords are shown once and not stored):")
            lines += [f"  {role:<10} {email:<32} {password}" for email, role, password in self.new_accounts]
        if self.workshop_code:
            lines.append(f"Demo impact workshop (Dover Town): join at /w/{self.workshop_code}")
        if self.deep_dives_added:
            lines.append(f"Demo deep-dive interviews (Dover Town, synthetic): {self.deep_dives_added} coded.")
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
    workshop = add_demo_workshop(researcher, rng)
    result.workshop_code = display_code(workshop.code) if workshop is not None else None
    result.deep_dives_added = add_demo_deep_dives(researcher)
    db.session.flush()
    return result


def _ensure_assets(community: Community) -> None:
    for slug, name, kind, cost, dimensions, _effect, _share in DEMO_ASSETS[community.slug]:
        if db.session.scalar(select(Asset.id).filter_by(slug=slug)) is None:
            latitude, longitude, postcode = DEMO_PLACES.get(slug, (None, None, ""))
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
                    latitude=latitude,
                    longitude=longitude,
                    postcode=postcode,
                    **({"question_phrase": DEMO_PHRASES[slug]} if slug in DEMO_PHRASES else {}),
                )
            )
    db.session.flush()


def _demo_adjustments(campaign: Campaign) -> None:
    for link in campaign.assets:
        if link.slug in DEMO_ADJUSTMENTS:
            set_adjustment(campaign, link.asset, DEMO_ADJUSTMENTS[link.slug])


def _synthetic_responses(campaign: Campaign, count: int, rng: np.random.Generator, peer: User) -> int:
    ordered = campaign_sections(campaign)
    sections = {section.key: section for section in ordered}
    first_page = set(ordered[0].item_keys) if ordered else set()
    asset_ids = {f"asset_{asset.slug}": asset.id for asset in campaign.assets}
    now = utcnow()
    # Paradata from a generator of its own, so the planted answers stay exactly as they were.
    timing = random.Random(f"paradata-{campaign.slug}")
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
            started_at=submitted - timedelta(minutes=timing.uniform(5, 25)),
            submitted_at=submitted if complete else None,
            entered_by=peer if interview else None,
            # One save per part (a few went back a page), or only the first part for the partial ones.
            pages_saved=len(ordered) + timing.choice((0, 0, 0, 1, 2)) if complete else 1,
            resumed=not interview and complete and timing.random() < 0.1,
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
