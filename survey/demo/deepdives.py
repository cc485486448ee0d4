"""Two synthetic deep-dive interviews in Dover Town, coded by theme and asset, so `make run` shows the
coding screens, the retrieval pages and quotes on the asset profiles and the pack.

Both are marked `synthetic` (every page showing them says so); the words are made up for the demo.
DOV-01 agreed to quotation and sharing; DOV-02 to quotation only, so the excerpts download leaves
DOV-02 out and says why, while profiles may still quote both.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from survey.demo.workshop import DEMO_COMMUNITY
from survey.extensions import db
from survey.localtime import local_today
from survey.models import Asset, Campaign, Community, DeepDive, Excerpt, ExcerptCode, Theme, User

# The demo campaign's own themes, beside the six ways and the assets.
DEMO_THEMES = (
    ("isolation", "Loneliness and isolation", "Being or feeling cut off from other people, and what eases it."),
    ("cost_of_living", "Cost of living", "Money worries: food, heating, travel, and free places to go."),
    ("access", "Getting there", "Transport, opening hours, steps and distance: what makes an asset reachable."),
)


@dataclass(frozen=True)
class DemoExcerpt:
    phrase: str  # a span of the transcript, found by its text
    sixways: tuple[str, ...] = ()
    assets: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()


@dataclass(frozen=True)
class DemoDeepDive:
    participant_code: str
    days_ago: int
    quotation: bool
    sharing: bool
    transcript: str
    excerpts: tuple[DemoExcerpt, ...]


DEMO_DEEP_DIVES = (
    DemoDeepDive(
        "DOV-01",
        40,
        quotation=True,
        sharing=True,
        transcript=(
            "Interviewer asked how the participant spends a usual week.\n\n"
            "After my husband died I didn't speak to anyone some days. The library was the first place I went "
            "back to, because nobody asks you why you are there. Now I go to the Tuesday reading group and "
            "I know people by name.\n\n"
            "The health walks on the seafront got me out of the house when the doctor said I should move more. "
            "It's free, which matters when the heating bill comes in.\n\n"
            "If the library closed I think a lot of us would just stay in. The bus into town is every hour and "
            "the stop is a long walk up the hill for me.\n\n"
            "Interviewer thanked the participant; the participant asked for a copy of the summary."
        ),
        excerpts=(
            DemoExcerpt(
                "After my husband died I didn't speak to anyone some days. The library was the first place I went "
                "back to, because nobody asks you why you are there.",
                sixways=("connect",),
                assets=("dover_library",),
                themes=("isolation",),
            ),
            DemoExcerpt(
                "Now I go to the Tuesday reading group and I know people by name.",
                sixways=("connect", "keep_learning"),
                assets=("dover_library",),
            ),
            DemoExcerpt(
                "The health walks on the seafront got me out of the house when the doctor said I should move more. "
                "It's free, which matters when the heating bill comes in.",
                sixways=("be_active",),
                assets=("dover_health_walks", "dover_seafront"),
                themes=("cost_of_living",),
            ),
            DemoExcerpt(
                "The bus into town is every hour and the stop is a long walk up the hill for me.",
                themes=("access",),
                assets=("dover_library",),
            ),
        ),
    ),
    DemoDeepDive(
        "DOV-02",
        33,
        quotation=True,
        sharing=False,
        transcript=(
            "Notes typed up after a conversation at the Men's Shed.\n\n"
            "He said the Shed is the only place he talks about how he is really doing, because you are standing "
            "side by side at a bench and not looking at each other.\n\n"
            "He volunteers at the foodbank on Fridays. He said giving something back made him feel useful again "
            "after he was made redundant, and that he first went there to collect a parcel himself.\n\n"
            "He walks along the promenade most mornings and watches the ferries: 'it clears my head'."
        ),
        excerpts=(
            DemoExcerpt(
                "He said the Shed is the only place he talks about how he is really doing, because you are standing "
                "side by side at a bench and not looking at each other.",
                sixways=("connect",),
                assets=("dover_mens_shed",),
                themes=("isolation",),
            ),
            DemoExcerpt(
                "He said giving something back made him feel useful again after he was made redundant, and that he "
                "first went there to collect a parcel himself.",
                sixways=("give",),
                assets=("dover_foodbank",),
                themes=("cost_of_living",),
            ),
            DemoExcerpt(
                "He walks along the promenade most mornings and watches the ferries: 'it clears my head'.",
                sixways=("take_notice", "be_active"),
                assets=("dover_seafront",),
            ),
        ),
    ),
)


def add_demo_deep_dives(researcher: User) -> int:
    """Add Dover Town's demo themes and two coded deep dives unless it has deep dives; returns how many
    were added. Dover Town's peer researcher is recorded as the interviewer (peers hold these interviews)."""
    peer = db.session.scalar(select(User).filter_by(email=f"peer.{DEMO_COMMUNITY}@demo.example.org"))
    community = db.session.scalar(select(Community).filter_by(slug=DEMO_COMMUNITY))
    campaign = db.session.scalar(select(Campaign).filter_by(slug=DEMO_COMMUNITY))
    if community is None or campaign is None:
        return 0
    if db.session.scalar(select(DeepDive.id).filter_by(community_id=community.id).limit(1)) is not None:
        return 0
    themes = _ensure_themes(campaign)
    assets = {asset.slug: asset for asset in db.session.scalars(select(Asset).filter_by(community_id=community.id))}
    for demo in DEMO_DEEP_DIVES:
        deep_dive = DeepDive(
            community=community,
            campaign=campaign,
            participant_code=demo.participant_code,
            held_on=local_today() - timedelta(days=demo.days_ago),
            interviewer=peer or researcher,
            consent_recording=False,
            consent_quotation=demo.quotation,
            consent_sharing=demo.sharing,
            transcript=demo.transcript,
            synthetic=True,
            created_by=researcher,
        )
        db.session.add(deep_dive)
        for spec in demo.excerpts:
            start = demo.transcript.index(spec.phrase)
            excerpt = Excerpt(start=start, end=start + len(spec.phrase), text=spec.phrase, created_by_id=researcher.id)
            excerpt.codes = [
                *(ExcerptCode(sixways=key) for key in spec.sixways),
                *(ExcerptCode(asset=assets[slug]) for slug in spec.assets if slug in assets),
                *(ExcerptCode(theme=themes[key]) for key in spec.themes),
            ]
            deep_dive.excerpts.append(excerpt)
    db.session.flush()
    return len(DEMO_DEEP_DIVES)


def _ensure_themes(campaign: Campaign) -> dict[str, Theme]:
    existing = {theme.key: theme for theme in db.session.scalars(select(Theme).filter_by(campaign_id=campaign.id))}
    for key, name, description in DEMO_THEMES:
        if key not in existing:
            existing[key] = Theme(campaign=campaign, key=key, name=name, description=description)
            db.session.add(existing[key])
    return existing
