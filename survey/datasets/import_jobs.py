"""Confirmed web imports run on the job queue: a 64 MB file takes longer than gunicorn lets a
request live (GUNICORN_TIMEOUT, 120 s), and a worker held that long serves nobody else.

The confirmation moves the checked upload to ``<RESULTS_DIR>/imports/<batch id>-<random><suffix>``
(storage every machine shares, like results), adds the `ImportBatch` row and queues it; the
worker checks the file's SHA-256 against the dry run's, imports it in chunks and publishes it
(`imports.import_responses`), and deletes the file whether it succeeded or not. The batch row is
the job's progress row. `flask import-responses` imports in the same chunks without the queue.
"""

from __future__ import annotations

import secrets
import shutil
from datetime import timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy.exc import IntegrityError

from survey import jobs
from survey.database import utcnow
from survey.datasets import snapshots
from survey.datasets.import_batches import BatchLost
from survey.datasets.imports import ImportRejected, import_responses, sha256, suffix_of
from survey.extensions import db
from survey.models import ImportBatch, User

IMPORT_FOLDER = "imports"  # under RESULTS_DIR
CONCURRENT_IMPORT = (
    "Someone else imported some of these responses at the same time, so nothing was imported. Check the file again."
)


def queue_import(user: User, upload: Path, filename: str, digest: str) -> ImportBatch:
    """Add the batch row and move the checked upload where the worker reads it (flushes; the
    caller commits, then calls `start`)."""
    batch = ImportBatch(requested_by=user, actor_label=user.email, filename=filename[:255], sha256=digest)
    db.session.add(batch)
    db.session.flush()
    name = f"{IMPORT_FOLDER}/{batch.id}-{secrets.token_hex(8)}{suffix_of(filename)}"
    target = jobs.results_dir() / name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(upload, target)
    batch.file_path = name
    return batch


def start(batch_id: int) -> None:
    """Queue the import for a worker (after the commit that made its row)."""
    jobs.enqueue(KIND, batch_id)


def run_job(batch_id: int) -> None:
    """Import the batch's file (the queue's worker calls this; a failure raises with the reason)."""
    batch = db.session.get_one(ImportBatch, batch_id)
    path = jobs.result_path(batch.file_path)
    filename, digest, importer = batch.filename, batch.sha256, batch.requested_by
    # The heartbeat starts now, not when the job was queued: it may have waited behind others.
    jobs.set_job(ImportBatch, batch_id, heartbeat_at=utcnow(), step="checking the file again")
    try:
        if path is None:
            raise ValueError("The checked file is no longer there, so nothing was imported. Check it again.")
        if sha256(path) != digest:
            raise ValueError("The stored file changed after it was checked, so nothing was imported. Check it again.")
        report = import_responses(
            path,
            filename,
            importer,
            max_bytes=current_app.config["IMPORT_MAX_BYTES"],
            chunk_size=current_app.config["IMPORT_CHUNK_SIZE"],
            batch_id=batch_id,
        )
    except ImportRejected as rejected:
        # The database changed since the dry run (e.g. a campaign was made a practice run).
        lines = list(rejected.report.lines())[:6]
        raise ValueError("The file no longer passes its check, so nothing was imported: " + " ".join(lines)) from None
    except (IntegrityError, BatchLost):
        raise ValueError(CONCURRENT_IMPORT) from None
    finally:
        if path is not None:
            path.unlink(missing_ok=True)
        jobs.set_job(ImportBatch, batch_id, file_path=None)
    # The asset profiles' stored figures now miss these responses: queue them again.
    refreshed = snapshots.refresh_after_change(importer, report.new_by_campaign)
    db.session.commit()
    for snapshot in refreshed:
        snapshots.start(snapshot.id)


KIND = jobs.Kind(
    name="response-import",
    model=ImportBatch,
    run=run_job,
    died="The import stopped without finishing (the server restarted?), so nothing was imported. Check the file again.",
    stale_after=timedelta(hours=2),
)


def recent_batches(limit: int = 10) -> list[ImportBatch]:
    return jobs.recent(ImportBatch, limit)
