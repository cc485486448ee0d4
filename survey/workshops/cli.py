"""`flask workshop open | close | export`: the same operations as the facilitator's screens."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from instruments.answers import quoted
from survey.audit.access_log import record_access
from survey.audit.trail import acting_as
from survey.exceptions import ServiceError
from survey.extensions import db
from survey.localtime import local_today
from survey.models import Campaign, Community, Workshop
from survey.workshops.codes import display_code
from survey.workshops.operations import close_workshop, find_workshop, open_workshop
from survey.workshops.results import results_csv


@click.group("workshop", cls=AppGroup)
def workshop() -> None:
    """Impact workshops: open one (prints its join code and link), close it, export its ratings."""


def _found(code: str) -> Workshop:
    found = find_workshop(code)
    if found is None:
        raise click.ClickException(f"No workshop has the code {quoted(code)} (8 letters and numbers, like ACEF-HJ34).")
    return found


class _Day(click.ParamType):
    """A date typed as YYYY-MM-DD, refused in words (click.DateTime printed its strptime pattern, '%Y-%m-%d')."""

    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value).strip())
        except ValueError:
            self.fail(f"{value} is not a date written as YYYY-MM-DD, for example 2026-03-14.", param, ctx)


@workshop.command("open")
@click.option("--community", "community_slug", required=True, help="The community's slug, e.g. dover-town.")
@click.option("--title", required=True, help="The title participants see.")
@click.option("--campaign", "campaign_slug", help="Campaign whose adjustments it agrees (default: the latest).")
@click.option("--date", "held_on", type=_Day(), help="YYYY-MM-DD (default: today).")
def open_command(community_slug: str, title: str, campaign_slug: str | None, held_on: date | None) -> None:
    """Open a workshop on all the community's current assets, and print its join code and link."""
    community = db.session.scalar(select(Community).filter_by(slug=community_slug))
    if community is None:
        raise click.ClickException(f"No community has the slug {quoted(community_slug)}.")
    campaign = None
    if campaign_slug:
        campaign = db.session.scalar(select(Campaign).filter_by(slug=campaign_slug))
        if campaign is None:
            raise click.ClickException(f"No campaign has the slug {quoted(campaign_slug)}.")
    day = held_on if held_on is not None else local_today()
    try:
        with acting_as(None, "cli:workshop-open"):
            opened = open_workshop(community, title, day, None, campaign)
            db.session.commit()
    except ServiceError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    code = display_code(opened.code)
    click.echo(f"Opened {opened.title} ({community.name}, {opened.held_on.isoformat()}).")
    click.echo(f"Join code: {code}")
    click.echo(f"Join link: {current_app.config['PUBLIC_BASE_URL']}/w/{code}")


@workshop.command("close")
@click.argument("code")
def close_command(code: str) -> None:
    """Close the workshop with CODE: participants can no longer rate."""
    found = _found(code)
    with acting_as(None, "cli:workshop-close"):
        closed = close_workshop(found)
        db.session.commit()
    click.echo(f"Closed {found.title}." if closed else f"{found.title} was already closed.")


@workshop.command("export")
@click.argument("code")
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False), help="The CSV file to write.")
def export_command(code: str, out_path: str) -> None:
    """Write the ratings of the workshop with CODE (open or closed) as CSV, one row per participant and asset."""
    found = _found(code)
    body, rows = results_csv(found)
    # With a byte order mark, as the web download, so Excel reads the comments' accents right.
    try:
        Path(out_path).write_text("\ufeff" + body, encoding="utf-8")
    except OSError as error:  # a folder that does not exist, or one not writable: a message, not a traceback
        raise click.ClickException(
            f"Could not write {out_path} ({error.strerror}): check that its folder exists and may be written to."
        ) from None
    scope = {"workshop": display_code(found.code), "community": found.community.slug}
    record_access(
        None, "cli", "workshop-results", label="cli:workshop-export", format="csv", filters=scope, row_count=rows
    )
    db.session.commit()
    click.echo(f"Wrote the ratings of {found.title} ({display_code(found.code)}) to {out_path}.")


COMMANDS = (workshop,)
