"""A paper batch's PDF, made off the request as a background job (`survey.jobs`).

Issuing numbers the forms in the request (serial allocation must be one transaction) and commits
the batch with `pdf_status = "queued"`; a daemon thread then renders the PDF (WeasyPrint: about 15 s
for 100 forms) and records its progress on the batch row, which the batch's page shows. A worker
restart mid-render leaves the batch "running" with no thread: such batches are failed after
`STALE_AFTER` with a message, and a researcher can make the PDF again.
"""

from __future__ import annotations

import threading
from datetime import timedelta

from flask import Flask, current_app
from sqlalchemy import and_, select, update

from survey import jobs
from survey.database import utcnow
from survey.exceptions import ServiceError
from survey.extensions import db
from survey.models import PaperBatch

STALE_AFTER = timedelta(minutes=30)
STALE_MESSAGE = "The PDF was not finished: the server restarted while making it. Make it again."
RUNNING = ("queued", "running")


def queue_pdf(batch: PaperBatch) -> None:
    """Mark a batch's PDF as waiting to be made (the caller commits, then calls `start`)."""
    if batch.pdf_status in RUNNING:
        raise ServiceError(f"The PDF of batch {batch.id} is already being made.")
    batch.pdf_status = "queued"
    batch.pdf_step = "waiting to start"
    batch.pdf_progress = 0.0
    batch.pdf_error = None
    db.session.flush()


def start(batch_id: int) -> threading.Thread:
    """Render the batch's PDF in a daemon thread with its own app context and database session."""
    return jobs.start_in_background(run, batch_id, "paper-batch")


def _set(batch_id: int, **values: object) -> None:
    jobs.set_job(PaperBatch, batch_id, **values)


def run(app: Flask, batch_id: int) -> None:
    """Render and store the PDF of `batch_id`; any failure is recorded on the batch, never raised."""
    from survey.paper.printing import batch_pdf  # the blueprint package imports the services

    with app.app_context():
        try:
            batch = db.session.get(PaperBatch, batch_id)
            if batch is None:
                return
            _set(batch_id, pdf_status="running", pdf_step="starting", pdf_progress=0.05)

            def progress(step: str, fraction: float) -> None:
                _set(batch_id, pdf_step=step[:200], pdf_progress=round(fraction, 3))

            pdf = batch_pdf(db.session.get(PaperBatch, batch_id), progress=progress)
            _set(batch_id, pdf=pdf, pdf_status="done", pdf_step="finished", pdf_progress=1.0)
        except Exception as error:  # noqa: BLE001 - any failure must reach the page, not kill the thread silently
            db.session.rollback()
            current_app.logger.exception("paper batch %s: the PDF failed", batch_id)
            message = f"The PDF could not be made ({type(error).__name__}: {error}). Make it again."
            _set(batch_id, pdf_status="failed", pdf_error=message[:2000])
        finally:
            db.session.remove()


def _stale() -> object:
    return and_(PaperBatch.pdf_status.in_(RUNNING), PaperBatch.issued_at < utcnow() - STALE_AFTER)


def any_stale() -> bool:
    """Whether some batch's PDF job died with its worker (read only, so a GET can ask first)."""
    return db.session.scalar(select(PaperBatch.id).where(_stale()).limit(1)) is not None  # type: ignore[arg-type]


def fail_stale() -> int:
    """Fail the PDF jobs that died with their worker (a write: callers commit)."""
    result = db.session.execute(
        update(PaperBatch).where(_stale()).values(pdf_status="failed", pdf_error=STALE_MESSAGE)  # type: ignore[arg-type]
    )
    return int(result.rowcount or 0)
