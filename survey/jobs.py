"""The job queue (Huey): reports, exports, response imports and paper batch PDFs run in a worker process of their own.

A request inserts the job's row, commits, and queues the row's id (`enqueue`). A worker
(`flask worker`: Huey's consumer, a process of its own) runs the job in an app context of the
app it built with `create_app`, on that app's engine, and writes the progress into the row in
short transactions of its own, so whichever web worker answers can show it. Web workers run no jobs.

JOB_QUEUE_URL picks where the queue lives; the code is the same for each:
- ``sqlite:///<file>`` (default ``instance/jobs.sqlite3``): `huey.SqliteHuey`, one machine and no
  extra service (``make run`` starts a worker beside the dev server);
- ``redis://host:port/db``: `huey.RedisHuey`, web servers and workers on several machines;
- ``memory://``: `huey.MemoryHuey`, inside one process: the tests' queue, which they run in the
  test's own process (a worker in another process would never see it).

A job that dies is failed, never left running: the task fails its row on any exception, and so
does the worker when it stops with a job unfinished; a job whose worker was killed outright
(SIGKILL, out of memory, a machine lost) is failed by `fail_dead_jobs` once it is older than its
kind allows, which the worker checks when it starts and every five minutes. A job claims its row
(queued -> running) before it starts, so a job failed that way is never run late, nor one job twice.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar, cast

from flask import Flask, current_app
from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey, crontab
from huey.api import Task, TaskWrapper
from huey.signals import SIGNAL_INTERRUPTED
from sqlalchemy import CursorResult, Update, make_url, select, update

from survey.database import utcnow
from survey.extensions import db
from survey.models import AnalysisSnapshot, ExportJob, ImportBatch, PaperBatch, ProfilePackJob, ReportJob

Job = type[ReportJob] | type[ExportJob] | type[ImportBatch] | type[ProfilePackJob]
# Rows whose progress a job writes (a paper batch's PDF has its own status columns).
ProgressRow = Job | type[PaperBatch] | type[AnalysisSnapshot]
T = TypeVar("T")

QUEUE_NAME = "survey"  # Huey's name for the queue: the key prefix in Redis, the queue column in SQLite
RUNNING = ("queued", "running")
# How often the worker looks for jobs whose worker died (the shortest allowance is 30 minutes).
DEAD_JOB_CHECK = crontab(minute="*/5")


def describe_error(error: Exception) -> str:
    """A failed job's message: a ValueError's own words (bad input), else the error's type too."""
    return str(error) if isinstance(error, ValueError) else f"{type(error).__name__}: {error}"


@dataclass(frozen=True)
class Kind:
    """A kind of job: the task's name, the row it reports in, and the work it does."""

    name: str
    model: ProgressRow
    # The work, inside an app context, once the row is claimed; it raises when it fails.
    run: Callable[[int], None]
    # What the row says when the job's worker stopped or died mid-job.
    died: str
    # A job still queued or running this long after `started` has lost its worker.
    stale_after: timedelta
    # The row's message when the work raised.
    describe: Callable[[Exception], str] = describe_error
    status: str = "status"
    error: str = "error"
    started: str = "created_at"
    finished: str | None = "finished_at"

    def failed(self, message: str) -> dict[str, object]:
        """The row's values for a failed job."""
        values: dict[str, object] = {self.status: "failed", self.error: message[:2000]}
        if self.finished:
            values[self.finished] = utcnow()
        return values


@dataclass(frozen=True)
class JobQueue:
    """An app's queue (`app.extensions["jobs"]`): the Huey instance, its tasks and their kinds."""

    huey: Huey
    tasks: dict[str, TaskWrapper]
    kinds: tuple[Kind, ...]


def make_huey(url: str, name: str = QUEUE_NAME) -> Huey:
    """The Huey instance for a JOB_QUEUE_URL (results are not kept: progress lives in the rows)."""
    scheme = url.partition("://")[0]
    if scheme == "sqlite":
        path = make_url(url).database
        if not path:
            raise RuntimeError(f"JOB_QUEUE_URL {url!r} names no file: use sqlite:///<path>.")
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        return SqliteHuey(name, filename=path, results=False)
    if scheme in ("redis", "rediss", "unix"):
        return RedisHuey(name, url=url, results=False)
    if url == "memory://":
        return MemoryHuey(name, results=False)
    raise RuntimeError(f"JOB_QUEUE_URL must start with sqlite://, redis:// or be memory://, got {scheme!r}.")


def init_app(app: Flask, kinds: tuple[Kind, ...]) -> None:
    """Give the app its queue, with a task per kind of job and the check for jobs whose worker died.

    The kinds come from the domains that run jobs (the app factory lists them), so the queue knows
    nothing of reports, exports or paper.
    """

    if app.config["JOB_QUEUE_URL"] == "memory://" and not app.testing:
        # A queue inside each web process: no worker would ever see a job, and pages would wait forever.
        raise RuntimeError("JOB_QUEUE_URL=memory:// is for tests only: use sqlite:///<file> or redis://...")
    huey = make_huey(app.config["JOB_QUEUE_URL"], QUEUE_NAME)
    tasks = {kind.name: huey.task(name=kind.name)(_task(app, kind)) for kind in kinds}
    app.extensions["jobs"] = JobQueue(huey, tasks, kinds)

    @huey.periodic_task(DEAD_JOB_CHECK, name="fail_dead_jobs")
    def _check() -> None:
        with app.app_context():
            fail_dead_jobs()

    @huey.signal(SIGNAL_INTERRUPTED)
    def _interrupted(_signal: str, task: Task) -> None:
        # The worker is stopping with this job unfinished (its shutdown timeout ran out): its
        # thread dies with the process, so the row says so now.
        kind = next((kind for kind in kinds if kind.name == task.name), None)
        if kind is not None:
            with app.app_context():
                set_job(kind.model, task.args[0], **kind.failed(kind.died))
                db.session.remove()


def queue() -> JobQueue:
    """The current app's queue."""
    return current_app.extensions["jobs"]  # type: ignore[no-any-return]


def enqueue(kind: Kind, job_id: int) -> None:
    """Queue job `job_id` (after the commit that made its row: the worker reads it)."""
    queue().tasks[kind.name](job_id)


def _task(app: Flask, kind: Kind) -> Callable[[int], None]:
    def run(job_id: int) -> None:
        with app.app_context():
            try:
                if _claim(kind, job_id):
                    kind.run(job_id)
            except Exception as error:  # noqa: BLE001 - any failure must reach the page, not only the log
                db.session.rollback()
                app.logger.exception("%s job %s failed", kind.name, job_id)
                set_job(kind.model, job_id, **kind.failed(kind.describe(error)))
            finally:
                db.session.remove()

    return run


def _claim(kind: Kind, job_id: int) -> bool:
    """Mark a queued job running; False if it is not queued any more (failed as dead, or deleted)."""
    status = getattr(kind.model, kind.status)
    claimed = _rows(
        update(kind.model).where(kind.model.id == job_id, status == "queued").values({kind.status: "running"})
    )
    db.session.commit()
    return claimed == 1


def _rows(statement: Update) -> int:
    """Run an UPDATE; how many rows it changed."""
    return int(cast(CursorResult[Any], db.session.execute(statement)).rowcount or 0)


def set_job(model: ProgressRow, job_id: int, /, **values: object) -> None:
    """Update a job row in a short transaction of its own, so progress pages see it at once."""
    db.session.execute(update(model).where(model.id == job_id).values(**values))
    db.session.commit()


def fail_dead_jobs(now: datetime | None = None) -> int:
    """Fail the jobs still queued or running long after they were asked for: their worker died.

    Run by the worker (never by a web request); commits; returns how many jobs it failed.
    """
    now = now or utcnow()
    failed = 0
    for kind in queue().kinds:
        status, started = getattr(kind.model, kind.status), getattr(kind.model, kind.started)
        failed += _rows(
            update(kind.model)
            .where(status.in_(RUNNING), started < now - kind.stale_after)
            .values(**kind.failed(kind.died))
        )
    db.session.commit()
    return failed


def recent(model: Job, limit: int) -> list:
    return list(db.session.scalars(select(model).order_by(model.id.desc()).limit(limit)))


# --- result files -------------------------------------------------------------------------------


def results_dir() -> Path:
    """RESULTS_DIR: finished reports and exports, shared by every machine that serves or works."""
    return Path(current_app.config["RESULTS_DIR"])


def new_result_name(folder: str, job_id: int) -> str:
    """``<folder>/<job id>-<random>.zip``, relative to RESULTS_DIR: the random part keeps a file's
    name unguessable even to someone who can list job ids."""
    return f"{folder}/{job_id}-{secrets.token_hex(8)}.zip"


def finished_file(job: ReportJob | ExportJob | ProfilePackJob) -> Path | None:
    """A finished job's zip, or None when it is not ready or was purged."""
    return result_path(job.file_path) if job.status == "done" else None


def result_path(relative: str | None) -> Path | None:
    """The result file a job row points at, or None when it has none, was purged, or points out
    of RESULTS_DIR."""
    if not relative:
        return None
    root = results_dir().resolve()
    path = (root / relative).resolve()
    return path if path.is_relative_to(root) and path.is_file() else None


def write_whole(target: Path, write: Callable[[Path], T]) -> T:
    """`write` a file beside `target`, renamed to it at the end: a failed write never leaves a
    truncated file under a name that a download, a scheduled job or a script will pick up."""
    partial = target.with_name(target.name + ".part")
    try:
        result = write(partial)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, target)
    return result
