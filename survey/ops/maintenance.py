"""Backups, restores and retention (`flask backup`, `flask restore`, `flask purge`).

Consistency with WAL: the live SQLite database is the main file *plus* its `-wal` file, and
committed transactions may sit in the WAL for a while, so copying `survey.db` alone can lose them
or catch a half-checkpointed page. SQLite's online backup API reads through the WAL inside one
read transaction (all pages in one step), so the copy is the database exactly as of one commit,
while other workers go on writing. The copy is switched to a rollback journal, so the backup is
one self-contained file, and written under a temporary name then renamed, so a crash never
leaves a half-written file under the backup's name.

PostgreSQL is backed up with its own tools (`pg_dump -Fc`, `pg_restore`; docs/production.md).
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TypeVar, cast

from alembic.script import ScriptDirectory
from sqlalchemy import Table, and_, delete, or_, select, update
from sqlalchemy.engine import URL

from survey.database import utcnow
from survey.exceptions import ServiceError
from survey.extensions import db
from survey.models import ExportJob, ImportBatch, ProfilePackJob, ReportJob, Response

SQLITE_HEADER = b"SQLite format 3\x00"
# Finished export files are downloaded within minutes; a day is plenty of grace. (Reports are kept
# PURGE_REPORT_DAYS: they are shared around a workshop.)
EXPORT_FILE_HOURS = 24
ResultJob = TypeVar("ResultJob", ExportJob, ReportJob, ProfilePackJob)
# A response import moves its batch's heartbeat with every chunk (well under a minute apart, even
# waiting for SQLite's lock): one silent this long has lost its process.
IMPORT_ABANDONED_AFTER = timedelta(minutes=15)
DISCARD_CHUNK = 2000
PG_BACKUP_HINT = "For PostgreSQL use pg_dump -Fc (and pg_restore to restore); see docs/production.md."


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size_bytes: int
    revision: str
    seconds: float


@dataclass(frozen=True)
class BackupCheck:
    """What a backup file holds: its migration revision, and whether `init-db` must follow a restore."""

    revision: str
    needs_upgrade: bool


@dataclass(frozen=True)
class PurgeResult:
    partial_responses_deleted: int
    resume_codes_expired: int
    export_files_released: int
    report_files_released: int
    # Deleted from disk only after the caller commits (`remove_files`): a rolled-back purge must
    # not leave jobs pointing at missing files.
    files_to_remove: tuple[Path, ...]


def sqlite_path(url: URL) -> Path:
    """The database file behind an SQLite URL; a ServiceError for any other database."""
    if url.get_backend_name() != "sqlite":
        raise ServiceError(f"This command works on the embedded SQLite database only. {PG_BACKUP_HINT}")
    if not url.database or url.database == ":memory:":
        raise ServiceError("An in-memory SQLite database cannot be backed up or restored.")
    return Path(url.database).resolve()


def backup_sqlite(database: Path, out: Path, busy_timeout_s: float = 15.0) -> BackupResult:
    """Copy the live database to `out` consistently and atomically; `out` is replaced if it exists."""
    started = time.perf_counter()
    out = out.resolve()
    if out == database or (out.exists() and database.exists() and out.samefile(database)):
        raise ServiceError("The backup file cannot be the live database itself: choose another name.")
    if not out.parent.is_dir():
        raise ServiceError(f"The folder {out.parent} does not exist.")
    if not database.exists():
        raise ServiceError(f"There is no database at {database}: run `flask --app wsgi init-db` first.")
    # mkstemp creates the file readable by its owner only: a backup holds personal data.
    fd, tmp_name = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        source = sqlite3.connect(database, timeout=busy_timeout_s)
        target = sqlite3.connect(tmp)
        try:
            source.backup(target)  # pages=-1: every page in one step, i.e. one consistent snapshot
            target.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, no -wal needed
            if target.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise ServiceError("The copy failed its integrity check; the database may be damaged.")
            revision = _revision(target) or "none"
        finally:
            target.close()
            source.close()
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, out)
    except sqlite3.Error as error:
        raise ServiceError(f"The backup failed: {error}.") from None
    finally:
        tmp.unlink(missing_ok=True)
    return BackupResult(out, out.stat().st_size, revision, time.perf_counter() - started)


def check_backup(path: Path, migrations: Path) -> BackupCheck:
    """Refuse anything but an intact SQLite database of this app at a migration revision it knows."""
    if not path.is_file():
        raise ServiceError(f"There is no file at {path}.")
    with open(path, "rb") as handle:
        if handle.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise ServiceError(f"{path} is not an SQLite database, so it cannot be a backup of this app.")
    scripts = ScriptDirectory(str(migrations))
    try:
        connection = _read_only(path)
        try:
            if connection.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise ServiceError(f"{path} is damaged (it fails SQLite's integrity check).")
            revision = _revision(connection)
        finally:
            connection.close()
    except sqlite3.Error as error:
        raise ServiceError(f"{path} cannot be read as an SQLite database ({error}).") from None
    if revision is None:
        raise ServiceError(f"{path} is an SQLite database, but not one of this app (it has no migration revision).")
    known = {script.revision for script in scripts.walk_revisions()}
    if revision not in known:
        raise ServiceError(
            f"{path} is at migration revision {revision!r}, which this version of the app does not know: "
            "it belongs to another app or to a newer version of this one."
        )
    return BackupCheck(revision=revision, needs_upgrade=revision != scripts.get_current_head())


def restore_sqlite(backup: Path, database: Path, busy_timeout_s: float = 15.0) -> None:
    """Copy a checked backup into the live database with the online backup API.

    Writing through SQLite (rather than replacing the file) takes the write lock, waits for
    running writers, and keeps the live file's WAL mode; connections other workers hold open
    see the restored data at their next transaction instead of a deleted file.
    """
    try:
        source = _read_only(backup)
        target = sqlite3.connect(database, timeout=busy_timeout_s)
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
    except sqlite3.Error as error:
        raise ServiceError(f"The restore failed, and the live database is unchanged: {error}.") from None


def _read_only(path: Path) -> sqlite3.Connection:
    # A file: URI (escaped by as_uri) so a name with "?" or "#" still opens, read-only.
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def _revision(connection: sqlite3.Connection) -> str | None:
    has_table = connection.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
    ).fetchone()
    if not has_table:
        return None
    row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    return row[0] if row else None


def purge(
    instance_path: Path, partial_days: int, now: datetime | None = None, *, results_dir: Path, report_days: int = 30
) -> PurgeResult:
    """Delete abandoned partial responses, clear expired resume codes, release old result files
    (exports after a day, reports and profile packs after `report_days`; all under `results_dir`).

    A partial response is abandoned when nobody touched it for `partial_days` and no resume code
    can still open it. Complete responses are never touched; nor are paper responses, which are
    keyed complete and tied to their paper form. Flushes; the caller commits, then calls
    `remove_files` with `files_to_remove`.
    """
    now = now or utcnow()
    no_live_code = or_(Response.resume_expires_at.is_(None), Response.resume_expires_at < now)
    abandoned = db.session.scalars(
        select(Response).where(
            Response.status == "partial",
            Response.mode != "paper",
            Response.updated_at < now - timedelta(days=partial_days),
            no_live_code,
        )
    ).all()
    for response in abandoned:
        db.session.delete(response)  # the database cascades to its answers and asset uses
    db.session.flush()

    expired = db.session.scalars(select(Response).where(Response.resume_expires_at < now)).all()
    for response in expired:
        response.resume_code_hash = None
        response.resume_expires_at = None

    root = results_dir.resolve()
    files: list[Path] = []
    exports = _release(ExportJob, now - timedelta(hours=EXPORT_FILE_HOURS), root, files)
    # Profile packs are kept as long as reports, and counted with them.
    reports = _release(ReportJob, now - timedelta(days=report_days), root, files)
    reports += _release(ProfilePackJob, now - timedelta(days=report_days), root, files)
    db.session.flush()
    cutoff = now - timedelta(hours=EXPORT_FILE_HOURS)
    # imports/*: confirmed uploads a killed import job never got to delete.
    files += _leftover_files(root, ("exports/*.part", "reports/*.part", "profile-packs/*.part", "imports/*"), cutoff)
    files += _leftover_files(instance_path.resolve(), ("imports/*",), cutoff)
    return PurgeResult(len(abandoned), len(expired), exports, reports, tuple(files))


def _release(model: type[ResultJob], before: datetime, root: Path, files: list[Path]) -> int:
    """Unlink finished jobs before `before` from their files, adding the files to `files`."""
    jobs = db.session.scalars(
        select(model).where(
            model.file_path.is_not(None), model.status.in_(("done", "failed")), model.finished_at < before
        )
    ).all()
    for job in jobs:
        path = (root / str(job.file_path)).resolve()
        if path.is_relative_to(root):  # never follow a stored path out of the results folder
            files.append(path)
        job.file_path = None
    return len(jobs)


def _leftover_files(root: Path, patterns: tuple[str, ...], before: datetime) -> list[Path]:
    """Research data no job row points at, older than `before`: half-written results of a worker
    that died (``exports/*.part``, ``reports/*.part``) and uploads never confirmed (``imports/*``)."""
    found = []
    for pattern in patterns:
        for path in root.glob(pattern):
            if path.is_file() and path.stat().st_mtime < before.timestamp():
                found.append(path)
    return found


def remove_files(paths: Iterable[Path]) -> int:
    """Delete the files a committed purge released; returns how many existed."""
    removed = 0
    for path in paths:
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        removed += 1
    return removed


def discard_abandoned_imports(now: datetime | None = None, *, chunk_size: int = DISCARD_CHUNK) -> int:
    """Remove the hidden rows of response imports that will never publish; returns how many rows.

    Abandoned: a batch that failed, or one running whose heartbeat stopped
    `IMPORT_ABANDONED_AFTER` ago (its process was killed), which is marked failed here. Its rows
    were never visible (status "importing"). **Commits**, in chunks, so no transaction holds
    SQLite's write lock for long; run by `flask purge` and before every import.
    """
    now = now or utcnow()
    # Running only: a queued batch has written nothing yet and may wait behind other jobs for long
    # (the job queue fails it if its worker died).
    stopped = and_(ImportBatch.status == "running", ImportBatch.heartbeat_at < now - IMPORT_ABANDONED_AFTER)
    db.session.execute(
        update(ImportBatch)
        .where(stopped)
        .values(status="failed", error="The import stopped before it finished; nothing of it was published.")
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    failed = select(ImportBatch.id).where(ImportBatch.status == "failed")
    batch_ids = db.session.scalars(
        select(Response.import_batch_id)
        .where(Response.status == "importing", Response.import_batch_id.in_(failed))
        .distinct()
    ).all()
    db.session.commit()
    return sum(
        discard_batch_rows(int(batch_id), chunk_size=chunk_size) for batch_id in batch_ids if batch_id is not None
    )


def discard_batch_rows(batch_id: int, *, chunk_size: int = DISCARD_CHUNK) -> int:
    """Delete the unpublished ("importing") responses of one batch, a chunk per transaction (commits).

    Their answers and asset answers go with them (ON DELETE CASCADE).
    """
    table = cast(Table, Response.__table__)
    removed = 0
    while True:
        ids = db.session.scalars(
            select(table.c.id)
            .where(table.c.import_batch_id == batch_id, table.c.status == "importing")
            .limit(chunk_size)
        ).all()
        if not ids:
            db.session.commit()
            return removed
        db.session.execute(delete(table).where(table.c.id.in_(ids)))
        db.session.commit()
        removed += len(ids)
