"""Flask CLI commands; each calls the same services as the web views and commits once."""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext
from flask_migrate import upgrade

from .extensions import db
from .services.exceptions import ServiceError


def register(app: Flask) -> None:
    app.cli.add_command(init_db)
    app.cli.add_command(demo)
    app.cli.add_command(licence)
    app.cli.add_command(create_user_command)
    app.cli.add_command(report_command)
    from .cli_export import export_command

    app.cli.add_command(export_command)
    from .cli_import import import_responses_command

    app.cli.add_command(import_responses_command)
    from . import cli_ops

    cli_ops.register(app)


@click.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create or upgrade the database schema by running the migrations."""
    upgrade()
    click.echo("Database is at the latest schema version.")


@click.command("demo")
@with_appcontext
@click.option("--responses", "per_community", default=300, show_default=True, help="Responses per community.")
@click.option("--seed", default=2014, show_default=True, help="Random seed for the synthetic responses.")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has communities.")
@click.option("--paper/--no-paper", default=True, show_default=True, help="Issue and key demo paper batches.")
def demo(per_community: int, seed: int, if_empty: bool, paper: bool) -> None:
    """Load the four seed communities with assets, open campaigns and synthetic responses."""
    from .audit import acting_as
    from .services.demo import database_is_empty, load_demo

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


@click.group("licence", cls=AppGroup)
def licence() -> None:
    """Record licences for copyright instruments (WEMWBS, SWEMWBS)."""


@licence.command("add")
@click.argument("instrument")
@click.option("--holder", required=True, help="Organisation that registered, e.g. 'Kent County Council'.")
@click.option("--reference", required=True, help="Licence or registration reference from the copyright holder.")
def licence_add(instrument: str, holder: str, reference: str) -> None:
    """Record the organisation's licence for INSTRUMENT (e.g. wemwbs)."""
    from .audit import acting_as
    from .services.licences import add_licence

    try:
        with acting_as(None, "cli:licence-add"):
            record = add_licence(instrument, holder, reference)
            db.session.commit()
    except ServiceError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    click.echo(f"Recorded licence for {record.instrument_key}: {record.holder}, reference {record.reference}.")


@click.command("create-user")
@with_appcontext
@click.argument("email")
@click.option("--role", type=click.Choice(["admin", "researcher", "peer"]), required=True)
@click.option("--community", "communities", multiple=True, help="Community slug (repeatable); peers see only these.")
@click.option("--name", default="", help="Display name, e.g. for paper batches issued to this person.")
def create_user_command(email: str, role: str, communities: tuple[str, ...], name: str) -> None:
    """Create a staff account. The password is prompted for, or read as one line from standard input."""
    from sqlalchemy import select

    from .audit import acting_as
    from .models import Community
    from .services.accounts import create_user

    if sys.stdin.isatty():
        password = click.prompt("Password (at least 12 characters)", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    chosen = []
    for slug in communities:
        community = db.session.scalar(select(Community).filter_by(slug=slug))
        if community is None:
            raise click.ClickException(f"No community with slug {slug!r}.")
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


@click.command("report")
@with_appcontext
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Folder for the report.")
@click.option("--campaign", "campaigns", multiple=True, help="Campaign slug (repeatable); default all.")
@click.option("--community", "communities", multiple=True, help="Community slug (repeatable); default all.")
@click.option(
    "--adjustments",
    "adjustments_file",
    type=click.Path(exists=True, dir_okay=False),
    help="adjustments.csv: its rows replace the stored adjustments of the assets it lists (counted as agreed).",
)
@click.option(
    "--deflators",
    "deflators_file",
    type=click.Path(exists=True, dir_okay=False),
    help="year,index deflator table with a '# source: ...' line (default: the VALUATION_DEFLATORS_FILE setting).",
)
@click.option("--price-year", type=int, help="Price year of the money values (default: VALUATION_PRICE_YEAR, or 2019).")
def report_command(
    out_dir: str,
    campaigns: tuple[str, ...],
    communities: tuple[str, ...],
    adjustments_file: str | None,
    deflators_file: str | None,
    price_year: int | None,
) -> None:
    """Build the workshop report (report.html and CSV tables) straight from the database.

    Stored SROI adjustments (per campaign, the latest for each asset) are used automatically.
    """
    from flask import current_app
    from tqdm import tqdm

    import analysis
    from analysis.adjustments import read_adjustments

    from .services.reports import valuation_config

    chosen, places = list(campaigns) or None, list(communities) or None
    with tqdm(total=100, desc="report", unit="%") as bar:

        def progress(step: str, fraction: float) -> None:
            bar.set_postfix_str(step[:40])
            bar.update(max(0, round(fraction * 100) - bar.n))

        try:
            config = valuation_config(
                deflators_file or current_app.config["VALUATION_DEFLATORS_FILE"],
                price_year or current_app.config["VALUATION_PRICE_YEAR"],
            )
            paths = analysis.report_from_database(
                db.engine,
                out_dir,
                campaigns=chosen,
                communities=places,
                progress=progress,
                config=config,
                adjustments=read_adjustments(adjustments_file) if adjustments_file else None,
            )
        except ValueError as error:
            raise click.ClickException(str(error)) from None
    click.echo(f"Report written to {out_dir}: {', '.join(sorted(p.name for p in paths.values()))}")
