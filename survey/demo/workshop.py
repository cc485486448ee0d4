"""A demo impact workshop: Dover Town's, open, with a few synthetic participants' ratings, so
`make run` shows the facilitator's screen with figures and participants can join at once."""

from __future__ import annotations

import secrets

import numpy as np
from sqlalchemy import select

from survey.extensions import db
from survey.localtime import local_today
from survey.models import PARTICIPANT_GROUPS, Community, User, Workshop
from survey.workshops.operations import join_workshop, open_workshop, rate_asset

DEMO_COMMUNITY = "dover-town"
DEMO_PARTICIPANTS = 6
DEMO_COMMENTS = (
    "Everyone knows someone who goes there.",
    "Saves the council money on services it would otherwise run.",
    "Brings people into the town centre on market days.",
    "",
)


def add_demo_workshop(researcher: User, rng: np.random.Generator) -> Workshop | None:
    """Open Dover Town's demo workshop with synthetic ratings of its first assets, unless it has one."""
    community = db.session.scalar(select(Community).filter_by(slug=DEMO_COMMUNITY))
    if community is None:
        return None
    existing = db.session.scalar(select(Workshop).filter_by(community_id=community.id).limit(1))
    if existing is not None:
        return existing
    workshop = open_workshop(community, "Dover Town impact workshop (demo)", local_today(), researcher)
    rated = [link.asset for link in workshop.assets[:4]]
    for _ in range(DEMO_PARTICIPANTS):
        group = str(rng.choice(PARTICIPANT_GROUPS))
        participant = join_workshop(workshop, secrets.token_urlsafe(24), group)
        for asset in rated:
            social, economic = (int(value) for value in rng.integers(2, 6, size=2))
            rate_asset(participant, asset, social, economic, str(rng.choice(DEMO_COMMENTS)))
    return workshop
