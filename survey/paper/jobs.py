"""A paper batch's PDF, made off the request on the job queue (`survey.jobs`).

Issuing numbers the forms in the request (serial allocation must be one transaction) and commits
the batch with `pdf_status = "queued"`; the worker then renders the PDF (WeasyPrint: about 15 s
for 100 forms) and records its progress on the batch row, which the batch's page shows. A worker
that dies mid-render leaves the batch "running": the worker's check fails such batches
`KIND.stale_after` after they were queued, with a message, and a researcher can make the PDF again.
"""

from __future__ import annotations

from datetime import timedelta

from survey import jobs
from survey.database import utcnow
from survey.exceptions import ServiceError
from survey.extensions import db
from survey.models import PaperBatch


def queue_pdf(batch: PaperBatch) -> None:
    """Mark a batch's PDF as waiting to be made (the caller commits, then calls `start`)."""
    if batch.pdf_status in jobs.RUNNING:
        raise ServiceError(f"The PDF of batch {batch.id} is already being made.")
    batch.pdf_status = "queued"
    batch.pdf_step = "waiting to start"
    batch.pdf_progress = 0.0
    batch.pdf_error = None
    batch.pdf_queued_at = utcnow()
    db.session.flush()


def start(batch_id: int) -> None:
    """Queue the batch's PDF for a worker (after the commit that queued it)."""
    jobs.enqueue(KIND, batch_id)


def _set(batch_id: int, **values: object) -> None:
    jobs.set_job(PaperBatch, batch_id, **values)


def run(batch_id: int) -> None:
    """Render and store the PDF of `batch_id` (the queue's worker calls this; a failure raises)."""
    from survey.paper.printing import batch_pdf  # the blueprint package imports the services

    _set(batch_id, pdf_step="starting", pdf_progress=0.05)

    def progress(step: str, fraction: float) -> None:
        _set(batch_id, pdf_step=step[:200], pdf_progress=round(fraction, 3))

    pdf = batch_pdf(db.session.get_one(PaperBatch, batch_id), progress=progress)
    _set(batch_id, pdf=pdf, pdf_status="done", pdf_step="finished", pdf_progress=1.0)


KIND = jobs.Kind(
    name="paper-batch-pdf",
    model=PaperBatch,
    run=run,
    died="The PDF was not finished: the server restarted while making it. Make it again.",
    stale_after=timedelta(minutes=30),
    describe=lambda error: f"The PDF could not be made ({type(error).__name__}: {error}). Make it again.",
    status="pdf_status",
    error="pdf_error",
    started="pdf_queued_at",
    finished=None,
)
