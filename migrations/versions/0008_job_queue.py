"""job queue: finished reports and exports as files under RESULTS_DIR, paper PDFs' queue time

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 20:30:00

Jobs run on a queue (survey.jobs) in a worker process, which may be on another machine
than the web server, so results are files under RESULTS_DIR (shared storage when several machines
serve), not rows in the database:
- `report_job.file_path` replaces the `result` blob. The upgrade writes each stored blob out to
  ``<RESULTS_DIR>/reports/<id>-<random>.zip`` and points the row at it, so no report is lost
  (`flask purge` removes them after PURGE_REPORT_DAYS, as it will the new ones); the downgrade
  reads the files back into the blob and leaves them on disk (a rolled-back downgrade must not
  lose them). A report whose file was purged gets no blob back (its download answers 404).
- `export_job.file_path` is now relative to RESULTS_DIR instead of the instance folder: the
  upgrade moves the finished zips from ``<instance>/exports/`` to ``<RESULTS_DIR>/exports/``; the
  downgrade moves them back.
- `paper_batch.pdf_queued_at`: when the PDF was last queued, from which the worker's check counts
  before failing a PDF job whose worker died (the issue time would fail a PDF made again at once).
  Batches still queued or running at the upgrade get their issue time.

Files are moved or written with the app's RESULTS_DIR, so run this through the app (`flask init-db`).
"""

import secrets
import shutil
from pathlib import Path

import sqlalchemy as sa
from alembic import op
from flask import current_app

# revision identifiers, used by Alembic.
revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

report_job = sa.table(
    "report_job", sa.column("id", sa.Integer), sa.column("result", sa.LargeBinary), sa.column("file_path", sa.String)
)
export_job = sa.table("export_job", sa.column("file_path", sa.String))
paper_batch = sa.table(
    "paper_batch",
    sa.column("pdf_status", sa.String),
    sa.column("issued_at", sa.DateTime(timezone=True)),
    sa.column("pdf_queued_at", sa.DateTime(timezone=True)),
)


def _results() -> Path:
    return Path(current_app.config["RESULTS_DIR"])


def _move_exports(source: Path, target: Path) -> None:
    paths = op.get_bind().execute(sa.select(export_job.c.file_path).where(export_job.c.file_path.is_not(None)))
    for relative in paths.scalars().all():
        old, new = source / relative, target / relative
        if old.is_file():
            new.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(old, new)


def upgrade():
    bind = op.get_bind()
    with op.batch_alter_table("report_job", schema=None) as batch_op:
        batch_op.add_column(sa.Column("file_path", sa.String(length=500), nullable=True))
    stored = bind.execute(sa.select(report_job.c.id).where(report_job.c.result.is_not(None))).scalars().all()
    for job_id in stored:  # one blob in memory at a time
        blob = bind.execute(sa.select(report_job.c.result).where(report_job.c.id == job_id)).scalar_one()
        relative = f"reports/{job_id}-{secrets.token_hex(8)}.zip"
        path = _results() / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(blob)
        bind.execute(sa.update(report_job).where(report_job.c.id == job_id).values(file_path=relative))
    with op.batch_alter_table("report_job", schema=None) as batch_op:
        batch_op.drop_column("result")

    _move_exports(Path(current_app.instance_path), _results())

    with op.batch_alter_table("paper_batch", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pdf_queued_at", sa.DateTime(timezone=True), nullable=True))
    bind.execute(
        sa.update(paper_batch)
        .where(paper_batch.c.pdf_status.in_(("queued", "running")))
        .values(pdf_queued_at=paper_batch.c.issued_at)
    )


def downgrade():
    bind = op.get_bind()
    with op.batch_alter_table("paper_batch", schema=None) as batch_op:
        batch_op.drop_column("pdf_queued_at")

    _move_exports(_results(), Path(current_app.instance_path))

    with op.batch_alter_table("report_job", schema=None) as batch_op:
        batch_op.add_column(sa.Column("result", sa.LargeBinary(), nullable=True))
    rows = bind.execute(sa.select(report_job.c.id, report_job.c.file_path).where(report_job.c.file_path.is_not(None)))
    for job_id, relative in rows.all():
        path = _results() / relative
        if path.is_file():
            bind.execute(sa.update(report_job).where(report_job.c.id == job_id).values(result=path.read_bytes()))
    with op.batch_alter_table("report_job", schema=None) as batch_op:
        batch_op.drop_column("file_path")
