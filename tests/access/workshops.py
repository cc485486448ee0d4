"""Rules for impact workshops: participants' pages are public (by code); the staff screens are for
researchers and admins, and for peers in their own communities only (another's workshop is a 404)."""

from __future__ import annotations

import secrets
from datetime import date

from survey.extensions import db
from survey.workshops.codes import display_code
from survey.workshops.operations import join_workshop, open_workshop, rate_asset
from tests.access import EVERYONE, RESEARCH, STAFF, Rule
from tests.access.world import World


def build(world: World) -> None:
    """A workshop in each community with one rated, commented asset, and one more each to close."""
    for key, community in (("own", world.own), ("other", world.other)):
        workshop = open_workshop(community, f"Matrix workshop ({key})", date(2026, 3, 14), world.users["researcher"])
        participant = join_workshop(workshop, secrets.token_urlsafe(24), "resident")
        rating = rate_asset(participant, community.assets[0], 4, 3, "A comment for the matrix")
        world.ids[f"workshop_{key}"] = workshop.id
        world.ids[f"workshop_code_{key}"] = display_code(workshop.code)
        world.ids[f"workshop_rating_{key}"] = rating.id
        to_close = open_workshop(community, f"Matrix workshop to close ({key})", date(2026, 3, 14))
        world.ids[f"workshop_close_{key}"] = to_close.id
        world.ids[f"workshop_close_code_{key}"] = display_code(to_close.code)
    db.session.flush()


def _staff(endpoint: str, method: str, template: str) -> list[Rule]:
    """Peers may act on their own community's workshop, not on the other's."""
    return [
        Rule(endpoint, method, template.format(key="own"), STAFF),
        Rule(endpoint, method, template.format(key="other"), RESEARCH),
    ]


RULES = [
    Rule("research.workshops", "GET", "/research/workshops", STAFF),
    Rule("research.new_workshop", "GET", "/research/workshops/new", STAFF),
    # A POST without a community (or fields) shows the form again with its problem: 422.
    Rule("research.new_workshop", "POST", "/research/workshops/new", STAFF),
    *_staff("research.workshop", "GET", "/research/workshops/{{workshop_{key}}}"),
    *_staff("research.workshop_ratings", "GET", "/research/workshops/{{workshop_{key}}}/ratings.json"),
    *_staff("research.workshop_results", "GET", "/research/workshops/{{workshop_{key}}}/results.csv"),
    *_staff("research.close", "POST", "/research/workshops/{{workshop_close_{key}}}/close"),
    *_staff(
        "research.hide_comment",
        "POST",
        "/research/workshops/{{workshop_{key}}}/comments/{{workshop_rating_{key}}}/hide",
    ),
    *_staff(
        "research.show_comment",
        "POST",
        "/research/workshops/{{workshop_{key}}}/comments/{{workshop_rating_{key}}}/show",
    ),
    *_staff(
        "research.workshop_adjustment",
        "GET",
        "/research/workshops/{{workshop_{key}}}/assets/{{asset_{key}}}/adjustments",
    ),
    *_staff(
        "research.workshop_adjustment",
        "POST",
        "/research/workshops/{{workshop_{key}}}/assets/{{asset_{key}}}/adjustments",
    ),
    # Participants: anyone with the code. Without having joined, rating redirects to the join page.
    Rule("workshops.enter_code", "GET", "/w", EVERYONE),
    Rule("workshops.enter_code", "POST", "/w", EVERYONE),
    Rule("workshops.workshop", "GET", "/w/{workshop_code_own}", EVERYONE),
    Rule("workshops.join", "POST", "/w/{workshop_code_own}/join", EVERYONE),
    Rule("workshops.rate", "GET", "/w/{workshop_code_own}/assets/{asset_own}", EVERYONE),
    Rule("workshops.rate", "POST", "/w/{workshop_code_own}/assets/{asset_own}", EVERYONE),
]
