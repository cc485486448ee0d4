"""Research data from the command line: `flask report`, `flask export`, `flask import-responses`, `flask profiles`
-- the same checks and operations as the web pages, for scripts and schedules."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.exc import IntegrityError

from survey.audit.trail import acting_as
from survey.database import utcnow
from survey.datasets.imports import SUFFIXES, ImportRejected, ImportReport, dry_run, import_responses
from survey.exceptions import ServiceError
from survey.extensions import db
from survey.models import EXPORT_CONTENTS, EXPORT_FORMATS, EXPORT_LABELS, EXPORT_MISSING

ACTOR = "cli:import-responses"


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

    from analysis.adjustments import read_adjustments
    from survey.datasets.report_build import report_from_database
    from survey.datasets.reports import valuation_config

    chosen, places = list(campaigns) or None, list(communities) or None
    _writable_folder(out_dir)
    with tqdm(total=100, desc="report", unit="%") as bar:

        def progress(step: str, fraction: float) -> None:
            bar.set_postfix_str(step[:40])
            bar.update(max(0, round(fraction * 100) - bar.n))

        try:
            config = valuation_config(
                deflators_file or current_app.config["VALUATION_DEFLATORS_FILE"],
                price_year or current_app.config["VALUATION_PRICE_YEAR"],
            )
            paths = report_from_database(
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


@click.command("export")
@with_appcontext
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, writable=True),
    help="Zip file to write; default a name saying what it holds, e.g. survey-dover-town-sav-verified-2026-12-04.zip.",
)
@click.option("--format", "format_", type=click.Choice(EXPORT_FORMATS), default="csv", show_default=True)
@click.option("--content", type=click.Choice(EXPORT_CONTENTS), default="both", show_default=True)
@click.option("--campaign", "campaigns", multiple=True, help="Campaign slug (repeatable); default every campaign.")
@click.option("--community", "communities", multiple=True, help="Community slug (repeatable); default all.")
@click.option("--verified-only", is_flag=True, help="Leave out responses awaiting double entry.")
@click.option(
    "--missing-codes",
    "missing",
    type=click.Choice(EXPORT_MISSING),
    default="blank",
    show_default=True,
    help="CSV/xlsx: a missing answer as a blank cell or as its code (-1 not asked ... -5 don't know); "
    "SPSS and Stata always carry the codes.",
)
@click.option(
    "--labels",
    type=click.Choice(EXPORT_LABELS),
    default="codes",
    show_default=True,
    help="CSV/xlsx: coded answers as codes or as their labels.",
)
@click.option("--include-partial", is_flag=True, help="Include unsubmitted responses (status partial).")
def export_command(
    out: str | None,
    format_: str,
    content: str,
    campaigns: tuple[str, ...],
    communities: tuple[str, ...],
    verified_only: bool,
    missing: str,
    labels: str,
    include_partial: bool,
) -> None:
    """Write the dataset export zip (data, codebook, provenance); the download is logged."""
    from tqdm import tqdm

    from survey.datasets.exports import check_request, export_to_file

    with tqdm(total=100, desc="export", unit="%") as bar:

        def progress(step: str, fraction: float) -> None:
            bar.set_postfix_str(step[:40])
            bar.update(max(0, round(fraction * 100) - bar.n))

        try:
            wanted = check_request(
                format_, content, campaigns, communities, verified_only, missing, labels, include_partial
            )
            out = out or wanted.file_name(utcnow())
            if not Path(out).absolute().parent.is_dir():  # checked before the export is built, not after
                raise ServiceError(f"The folder {Path(out).absolute().parent} does not exist.")
            record = export_to_file(out, wanted, label="cli:export", progress=progress)
            db.session.commit()
        except ServiceError as error:
            db.session.rollback()
            raise click.ClickException(error.message) from None
        except OSError as error:  # e.g. a folder not writable
            db.session.rollback()
            raise click.ClickException(
                f"Could not write {out} ({error.strerror}): check that its folder exists and may be written to."
            ) from None
    click.echo(f"Wrote {out}: {record['rows']} responses ({format_}, {content}).")


@click.command("import-responses")
@with_appcontext
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", "check_only", is_flag=True, help="Check the file and print the report; import nothing.")
def import_responses_command(file: Path, check_only: bool) -> None:
    """Import responses from FILE (.csv, .xlsx, .sav, .dta or a dataset .zip) in the dataset format; exit 1 on problems.

    A file that cannot be read as a table at all (damaged, or past the size limits) exits 2 with one line.
    Every cell is checked first; the import writes all new responses or none (in chunks of
    IMPORT_CHUNK_SIZE, published at once at the end), and skips responses already imported into
    the same campaign.
    """
    if file.suffix.lower() not in SUFFIXES:
        # Exit 2 like any other file that cannot be read as a table: exit 1 means "rows with problems".
        click.echo(f"Error: {file.name}: choose a .csv, .xlsx, .sav, .dta or .zip file", err=True)
        raise SystemExit(2)
    limit = current_app.config["IMPORT_MAX_BYTES"]
    if check_only:
        report = dry_run(file, file.name, max_bytes=limit)
        _refuse_unreadable(report)
        _echo(report.lines())
        if not report.ok:
            raise SystemExit(1)
        click.echo(f"Dry run: nothing imported. Importing would add {report.new} responses.")
        return
    try:
        with acting_as(None, ACTOR):
            report = import_responses(
                file,
                file.name,
                None,
                actor_label=ACTOR,
                max_bytes=limit,
                chunk_size=current_app.config["IMPORT_CHUNK_SIZE"],
            )
    except ImportRejected as rejected:
        db.session.rollback()
        _refuse_unreadable(rejected.report)
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


def _refuse_unreadable(report: ImportReport) -> None:
    """Exit 2 with one line (no report table, no traceback) if the file could not be read at all."""
    if report.unreadable:
        click.echo(f"Error: {report.filename}: {report.problems[0].reason}", err=True)
        raise SystemExit(2)


def _writable_folder(out_dir: str) -> None:
    """Make `out_dir` now, or stop with a message: a report or pack is built before it is written,
    so a folder that cannot be made (no permission) failed with a traceback only at the end."""
    try:
        Path(out_dir).mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise click.ClickException(f"Could not make the folder {out_dir} ({error.strerror}).") from None


def _echo(lines: Iterable[str]) -> None:
    for line in lines:
        click.echo(line)


@click.command("profiles")
@with_appcontext
@click.option("--community", "community_slug", required=True, help="Community slug.")
@click.option("--campaign", "campaign_slug", help="One campaign of the community (default: all its non-practice ones).")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Folder for the pack.")
def profiles_command(community_slug: str, campaign_slug: str | None, out_dir: str) -> None:
    """Write the printable asset profile pack (profiles.pdf and profiles.html), verified responses only.

    The figures come from the stored analysis snapshot, built and stored first when missing or out of date.
    """
    from survey.datasets.profile_packs import community_or_error, write_pack

    _writable_folder(out_dir)
    try:
        paths = write_pack(community_or_error(community_slug), campaign_slug, out_dir)
    except ServiceError as error:
        raise click.ClickException(error.message) from None
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Profile pack written to {out_dir}: {', '.join(sorted(p.name for p in paths.values()))}")


COMMANDS = (report_command, export_command, import_responses_command, profiles_command)
