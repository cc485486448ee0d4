"""Rules for deep-dive interviews: every staff role records, reads and edits them, peers in their own
community only (another community's deep dive is a 404); erasure is for researchers and admins."""

from __future__ import annotations

from datetime import date

from survey.deepdives.operations import DeepDiveValues, record_deep_dive
from survey.extensions import db
from survey.models import Excerpt, ExcerptCode
from tests.access import RESEARCH, STAFF, Rule
from tests.access.world import World

TRANSCRIPT = "The library is where I meet people.\n\nThe seafront walk keeps me going."


def build(world: World) -> None:
    """A deep dive in each community, with one coded excerpt."""
    for key, community in (("own", world.own), ("other", world.other)):
        values = DeepDiveValues(
            participant_code=f"MATRIX-{key.upper()}",
            community=community,
            campaign=None,
            held_on=date(2026, 3, 14),
            interviewer=world.users["researcher"],
            consent_recording=False,
            consent_quotation=True,
            consent_sharing=False,
            transcript=TRANSCRIPT,
        )
        deep_dive = record_deep_dive(values, world.users["researcher"])
        words = TRANSCRIPT.split("\n\n")[0]
        deep_dive.excerpts.append(Excerpt(start=0, end=len(words), text=words, codes=[ExcerptCode(sixways="connect")]))
        world.ids[f"deep_dive_{key}"] = deep_dive.id
    db.session.flush()


def _staff(endpoint: str, method: str, template: str) -> list[Rule]:
    """Peers may act on their own community's deep dive, not on the other's."""
    return [
        Rule(endpoint, method, template.format(key="own"), STAFF),
        Rule(endpoint, method, template.format(key="other"), RESEARCH),
    ]


RULES = [
    Rule("research.deep_dives", "GET", "/research/deep-dives", STAFF),
    Rule("research.new_deep_dive", "GET", "/research/deep-dives/new", STAFF),
    # A POST without fields shows the form again with its problems: 422.
    Rule("research.new_deep_dive", "POST", "/research/deep-dives/new", STAFF),
    *_staff("research.deep_dive", "GET", "/research/deep-dives/{{deep_dive_{key}}}"),
    *_staff("research.edit_deep_dive", "GET", "/research/deep-dives/{{deep_dive_{key}}}/edit"),
    *_staff("research.edit_deep_dive", "POST", "/research/deep-dives/{{deep_dive_{key}}}/edit"),
    Rule("research.erase_deep_dives", "GET", "/research/deep-dives/erase", RESEARCH),
    Rule("research.erase_deep_dives", "POST", "/research/deep-dives/erase", RESEARCH),
    Rule("research.confirm_erase_deep_dives", "POST", "/research/deep-dives/erase/confirm", RESEARCH),
]
