"""`flask demo`: the seed communities with demo data."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from survey.exceptions import ServiceError
from survey.extensions import db


@click.command("demo")
@with_appcontext
@click.option("--responses", "per_community", default=300, show_default=True, help="Responses per community.")
@click.option("--seed", default=2014, show_default=True, help="Random seed for the synthetic responses.")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has communities.")
@click.option("--paper/--no-paper", default=True, show_default=True, help="Issue and key demo paper batches.")
@click.option(
    "--profiles/--no-profiles",
    default=True,
    show_default=True,
    help="Build Dover Town's asset profile figures now (runs the analysis once).",
)
def demo(per_community: int, seed: int, if_empty: bool, paper: bool, profiles: bool) -> None:
    """Load the four seed communities with assets, open campaigns and synthetic responses."""
    from survey.audit.trail import acting_as
    from survey.demo.build import database_is_empty, load_demo
    from survey.demo.profiles import add_demo_profiles

    if if_empty and not database_is_empty():
        click.echo("The database already has data; demo not loaded.")
        return
    try:
        with acting_as(None, "cli:demo"):
            result = load_demo(per_community=per_community, seed=seed, progress=True, paper=paper)
            db.session.commit()
    except ServiceError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    click.echo(result.summary())
    if profiles:
        with acting_as(None, "cli:demo"):
            click.echo(add_demo_profiles())


COMMANDS = (demo,)
