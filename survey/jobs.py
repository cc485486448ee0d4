"""What reports and exports share as background jobs: a daemon thread per job, progress rows
written in short transactions of their own, and failing the jobs whose worker died.

The request that starts a job only inserts its row and starts the thread, so it returns at once;
progress lives in the row, so whichever gunicorn worker answers can show it. A worker restart
mid-job leaves the row "running" with no thread: `fail_stale` marks such jobs failed after a
while, with a message, so nobody waits on a page refreshing forever.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta

from flask import Flask, current_app
from sqlalchemy import ColumnElement, and_, select, update

from survey.database import utcnow
from survey.extensions import db
from survey.models import ExportJob, PaperBatch, ReportJob

Job = type[ReportJob] | type[ExportJob]
# Rows whose progress a background job writes (a paper batch's PDF has its own status columns).
ProgressRow = Job | type[PaperBatch]


JOB_THREAD_PREFIX = "job-"  # job threads are named job-<kind>-<id>, so tests can wait for them


def start_in_background(run: Callable[[Flask, int], None], job_id: int, name: str) -> threading.Thread:
    """Run `run(app, job_id)` in a daemon thread (it opens its own app context and session)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    thread = threading.Thread(target=run, args=(app, job_id), name=f"{JOB_THREAD_PREFIX}{name}-{job_id}", daemon=True)
    thread.start()
    return thread


def set_job(model: ProgressRow, job_id: int, **values: object) -> None:
    """Update a job row in a short transaction of its own, so progress pages see it at once."""
    db.session.execute(update(model).where(model.id == job_id).values(**values))
    db.session.commit()


def recent(model: Job, limit: int) -> list:
    return list(db.session.scalars(select(model).order_by(model.id.desc()).limit(limit)))


def _stale(model: Job, after: timedelta) -> ColumnElement[bool]:
    return and_(model.status.in_(("queued", "running")), model.created_at < utcnow() - after)


def any_stale(model: Job, after: timedelta) -> bool:
    """Whether some job's worker died mid-run (read only, so a GET can ask first)."""
    return db.session.scalar(select(model.id).where(_stale(model, after)).limit(1)) is not None


def fail_stale(model: Job, after: timedelta, message: str) -> int:
    """Jobs still queued or running `after` their start are failed with `message`.

    A write: callers in GET requests call `survey.database.allow_writes()` first, then commit.
    """
    result = db.session.execute(
        update(model).where(_stale(model, after)).values(status="failed", finished_at=utcnow(), error=message)
    )
    return int(result.rowcount or 0)
