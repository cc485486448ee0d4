"""`flask licence add`: record the licence a copyright instrument needs before a campaign asking it opens."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from survey.audit.trail import acting_as
from survey.exceptions import ServiceError
from survey.extensions import db


@click.group("licence", cls=AppGroup)
def licence() -> None:
    """Record licences for copyright instruments (WEMWBS, SWEMWBS)."""


@licence.command("add")
@click.argument("instrument")
@click.option("--holder", required=True, help="Organisation that registered, e.g. 'Kent County Council'.")
@click.option("--reference", required=True, help="Licence or registration reference from the copyright holder.")
def licence_add(instrument: str, holder: str, reference: str) -> None:
    """Record the organisation's licence for INSTRUMENT (e.g. wemwbs)."""
    from survey.campaigns.licences import add_licence

    try:
        with acting_as(None, "cli:licence-add"):
            record = add_licence(instrument, holder, reference)
            db.session.commit()
    except ServiceError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    click.echo(f"Recorded licence for {record.instrument_key}: {record.holder}, reference {record.reference}.")


COMMANDS = (licence,)
