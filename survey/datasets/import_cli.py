"""`flask import-responses FILE [--dry-run]`: the web import's checks and all-or-nothing insert, from a shell."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.exc import IntegrityError

from survey.audit.trail import acting_as
from survey.datasets.imports import SUFFIXES, ImportRejected, dry_run, import_responses
from survey.extensions import db

ACTOR = "cli:import-responses"


@click.command("import-responses")
@with_appcontext
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", "check_only", is_flag=True, help="Check the file and print the report; import nothing.")
def import_responses_command(file: Path, check_only: bool) -> None:
    """Import responses from FILE (.csv, .xlsx or a dataset .zip) in the dataset format; exit 1 on any problem.

    Every cell is checked first; the import writes all new responses or none, and skips
    responses already imported into the same campaign.
    """
    if file.suffix.lower() not in SUFFIXES:
        raise click.ClickException(f"{file.name}: choose a .csv, .xlsx or .zip file")
    data = file.read_bytes()
    limit = current_app.config["IMPORT_MAX_BYTES"]
    if check_only:
        report = dry_run(data, file.name, max_bytes=limit)
        _echo(report.lines())
        if not report.ok:
            raise SystemExit(1)
        click.echo(f"Dry run: nothing imported. Importing would add {report.new} responses.")
        return
    try:
        with acting_as(None, ACTOR):
            report = import_responses(data, file.name, None, actor_label=ACTOR, max_bytes=limit)
            db.session.commit()
    except ImportRejected as rejected:
        db.session.rollback()
        _echo(rejected.report.lines())
        click.echo("Nothing was imported.", err=True)
        raise SystemExit(1) from None
    except IntegrityError:
        db.session.rollback()
        raise click.ClickException(
            "Someone else imported some of these responses at the same time, so nothing was imported. Run it again."
        ) from None
    _echo(report.lines())
    click.echo(f"Imported {report.added} responses; {report.already_present} already imported, skipped.")


def _echo(lines: Iterable[str]) -> None:
    for line in lines:
        click.echo(line)
