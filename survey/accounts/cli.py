"""`flask create-user`: a staff account from the command line (the first administrator)."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from instruments.answers import quoted
from survey.exceptions import ServiceError
from survey.extensions import db


@click.command("create-user")
@with_appcontext
@click.argument("email")
@click.option("--role", type=click.Choice(["admin", "researcher", "peer"]), required=True)
@click.option("--community", "communities", multiple=True, help="Community slug (repeatable); peers see only these.")
@click.option("--name", default="", help="Display name, e.g. for paper batches issued to this person.")
def create_user_command(email: str, role: str, communities: tuple[str, ...], name: str) -> None:
    """Create a staff account. The password is prompted for, or read as one line from standard input."""
    from sqlalchemy import select

    from survey.accounts.operations import create_user
    from survey.audit.trail import acting_as
    from survey.models import Community

    if sys.stdin.isatty():
        password = click.prompt("Password (at least 12 characters)", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    chosen = []
    for slug in communities:
        community = db.session.scalar(select(Community).filter_by(slug=slug))
        if community is None:
            raise click.ClickException(f"No community with slug {quoted(slug)}.")
        chosen.append(community)
    try:
        with acting_as(None, "cli:create-user"):
            user = create_user(email, role, password, name=name, communities=chosen)
            db.session.commit()
    except ServiceError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    where = f" for {', '.join(communities)}" if communities else ""
    click.echo(f"Created {user.role} {user.email}{where}.")


COMMANDS = (create_user_command,)
