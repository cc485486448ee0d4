"""Operations commands: `flask backup`, `flask restore`, `flask purge`, `flask worker` (docs/production.md)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from survey.exceptions import ServiceError
from survey.extensions import db


def _busy_timeout_s() -> float:
    return current_app.config["SQLITE_BUSY_TIMEOUT_MS"] / 1000


@click.command("backup")
@with_appcontext
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="Backup file.")
def backup_command(out: Path) -> None:
    """Copy the live SQLite database to a single consistent file (safe while the app is serving)."""
    from survey.ops.maintenance import backup_sqlite, sqlite_path

    try:
        database = sqlite_path(db.engine.url)
        click.echo(f"Backing up {database} ...")
        result = backup_sqlite(database, out, _busy_timeout_s())
    except ServiceError as error:
        raise click.ClickException(error.message) from None
    click.echo(
        f"Backup written to {result.path} ({result.size_bytes / 1e6:.1f} MB, migration {result.revision}, "
        f"{result.seconds:.1f} s)."
    )


@click.command("restore")
@with_appcontext
@click.argument("backup", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_command(backup: Path, yes: bool) -> None:
    """Replace the live SQLite database's contents with BACKUP (made by `flask backup`)."""
    from survey.ops.maintenance import backup_sqlite, check_backup, restore_sqlite, sqlite_path

    try:
        database = sqlite_path(db.engine.url)
        check = check_backup(backup, Path(current_app.extensions["migrate"].directory))
    except ServiceError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"{backup} is a valid backup at migration {check.revision}.")
    if not yes:
        click.confirm(f"Replace everything in {database} with it?", abort=True)
    # The current contents are kept too, so a restore of the wrong file can itself be undone.
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    safety = database.with_name(f"{database.name}.before-restore-{stamp}")
    db.session.remove()
    db.engine.dispose()  # our own pooled connections hold no snapshot of the old data
    try:
        if database.exists():
            backup_sqlite(database, safety, _busy_timeout_s())
            click.echo(f"The current database was saved to {safety}.")
        restore_sqlite(backup, database, _busy_timeout_s())
    except ServiceError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"Restored {database} from {backup}.")
    if check.needs_upgrade:
        click.echo("The backup is from an older schema: run `flask --app wsgi init-db` now to upgrade it.")


@click.command("purge")
@with_appcontext
@click.option("--days", type=click.IntRange(min=1), help="Age of abandoned partial responses (PURGE_PARTIAL_DAYS).")
@click.option("--dry-run", is_flag=True, help="Count what would go, change nothing.")
def purge_command(days: int | None, dry_run: bool) -> None:
    """Delete abandoned partial responses and expired resume codes; free old export and report files;
    delete the hidden rows of response imports that stopped before publishing."""
    from survey.audit.trail import acting_as
    from survey.ops.maintenance import discard_abandoned_imports, purge, remove_files

    days = days or current_app.config["PURGE_PARTIAL_DAYS"]
    report_days = current_app.config["PURGE_REPORT_DAYS"]
    with acting_as(None, "cli:purge"):
        result = purge(
            Path(current_app.instance_path),
            days,
            results_dir=Path(current_app.config["RESULTS_DIR"]),
            report_days=report_days,
        )
        if dry_run:
            db.session.rollback()
        else:
            db.session.commit()
    verb = "Would delete" if dry_run else "Deleted"
    click.echo(f"{verb} {result.partial_responses_deleted} partial responses untouched for {days} days or more.")
    click.echo(f"{verb} {result.resume_codes_expired} expired resume codes.")
    if dry_run:
        click.echo(f"Would release {result.export_files_released} finished export files older than a day.")
        click.echo(f"Would release {result.report_files_released} reports older than {report_days} days.")
        click.echo("Dry run: nothing was changed.")
        return
    removed = remove_files(result.files_to_remove)
    discarded = discard_abandoned_imports()  # commits chunk by chunk: never one long write
    click.echo(f"Deleted {discarded} unpublished rows of response imports that stopped before finishing.")
    click.echo(f"Released {result.export_files_released} finished export files older than a day.")
    click.echo(f"Released {result.report_files_released} reports older than {report_days} days.")
    click.echo(f"Removed {removed} files from disk.")


@click.command("worker")
@with_appcontext
@click.option("--workers", type=click.IntRange(min=1), help="Jobs run at once, one thread each (JOB_WORKERS).")
@click.option(
    "--shutdown-timeout",
    type=click.FloatRange(min=0),
    default=60.0,
    show_default=True,
    help="Seconds a SIGTERM waits for running jobs before they are failed and the worker exits.",
)
def worker_command(workers: int | None, shutdown_timeout: float) -> None:
    """Run the queued reports, exports and paper PDFs until stopped (Huey's consumer on JOB_QUEUE_URL).

    SIGTERM stops gracefully (running jobs may finish within --shutdown-timeout); SIGINT stops now.
    Either way an unfinished job is marked failed, never left running.
    """
    import logging
    import os

    from huey.consumer import Consumer

    from survey import jobs

    failed = jobs.fail_dead_jobs()  # a worker that died before this one started left them running
    db.session.remove()
    if failed:
        click.echo(f"Marked {failed} jobs failed: their worker died.")
    logging.getLogger("huey").setLevel(logging.INFO)  # the consumer's start and each job, under the app's handler
    consumer = Consumer(
        jobs.queue().huey,
        workers=workers or current_app.config["JOB_WORKERS"],
        worker_type="thread",  # the app's engine and sessions are per thread, never shared by a fork
        graceful_signal="TERM",  # what systemd sends
        shutdown_timeout=shutdown_timeout,
    )
    consumer.run()
    if any(thread.is_alive() for _worker, thread in consumer.worker_threads):
        # Jobs cut short (already marked failed) may be inside native code (NumPy, WeasyPrint):
        # finalising the interpreter under their threads aborts the process, so leave at once.
        logging.shutdown()
        os._exit(0)


COMMANDS = (backup_command, restore_command, purge_command, worker_command)
