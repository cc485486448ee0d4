"""`flask deep-dives erase`: the same erasure as the researchers' page."""

from __future__ import annotations

import re

import click
from flask.cli import AppGroup
from sqlalchemy import select

from instruments.answers import quoted
from survey.audit.trail import acting_as
from survey.deepdives.operations import CODE_MESSAGE, erase_participant, normalise_code
from survey.deepdives.quoted_results import released_note
from survey.extensions import db
from survey.models import PARTICIPANT_CODE_PATTERN, Community
from survey.ops.maintenance import remove_files


@click.group("deep-dives", cls=AppGroup)
def deep_dives() -> None:
    """Deep-dive interviews: erase a participant's."""


@deep_dives.command("erase")
@click.option("--participant", "code", required=True, help="The participant's pseudonymous code, e.g. DOV-07.")
@click.option("--community", "community_slug", help="Only this community's deep dives (default: every community).")
def erase_command(code: str, community_slug: str | None) -> None:
    """Delete every deep dive of the participant, with its excerpts and codes (audited without values)."""
    code = normalise_code(code)
    if not re.fullmatch(PARTICIPANT_CODE_PATTERN, code):
        raise click.ClickException(CODE_MESSAGE)
    community = None
    if community_slug:
        community = db.session.scalar(select(Community).filter_by(slug=community_slug))
        if community is None:
            raise click.ClickException(f"No community has the slug {quoted(community_slug)}.")
    with acting_as(None, "cli:deep-dives-erase"):
        erased = erase_participant(code, community)
        db.session.commit()
    remove_files(erased.released_files)
    where = f" in {community.name}" if community else ""
    click.echo(
        f"Erased {erased.deep_dives} deep dive(s) of {code}{where}, with {erased.excerpts} excerpt(s) "
        f"and {erased.codes} code(s)." + released_note(len(erased.released_files))
    )


COMMANDS = (deep_dives,)
