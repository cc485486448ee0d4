"""Import responses collected elsewhere (a previous round, another tool) from a file in the dataset format.

The format is `analysis.dataset`'s ``responses.csv`` (``docs/codebook.md``), as CSV, Excel or a
dataset .zip (`response_files`). Every cell is checked before anything is written, and every
problem is reported as (row, column, reason) with **spreadsheet row numbers: row 1 is the header,
row 2 the first data row, as in Excel**. The import writes all new rows or none.

Decisions where the issue is silent:

- Score columns and ``assets_used_<kind>`` are derived: they are ignored on import, because
  scores are always recomputed from the items (a hand-edited score could never disagree).
- Blank item cells are allowed, even for items the online survey requires: other tools (and paper)
  let people skip questions, and scoring uses complete cases, so a blank leaves that score blank
  instead of stopping the whole file.
- ``verified`` blank (or the column absent) means 1, verified: a file from elsewhere has no second
  keying to wait for. A ``submitted_at`` without a time zone is taken as UTC, the dataset's convention.
- Campaigns must be opened (their instrument versions and asset list are frozen then) and not
  practice runs; closed campaigns are fine, since a previous round is the usual source.
- ``response_id`` becomes the response's public id. One already stored *in the same campaign* is
  the same response imported before: it is skipped and counted, so a re-import adds nothing. One
  stored in another campaign is an error: an id must identify one response.
- Responses are written with bulk INSERTs (an ORM object per answer would take minutes for
  tens of thousands of responses), which the automatic audit listener does not see, so the import
  records one audit event of its own: who, the file's name and SHA-256 (the entity id), counts per
  campaign and every response id it added. Each response also names the importer in ``entered_by``.
- The writing is chunked and published at once at the end (`import_batches`), so an import never
  holds SQLite's write lock for more than a moment; other readers see none of it or all of it.
"""

from __future__ import annotations

from contextlib import closing

from survey.database import mark_read_only, unmark_read_only, utcnow
from survey.datasets.files import SUFFIXES, Source, UnreadableFile, read_chunks, sha256, suffix_of
from survey.datasets.import_batches import Progress, Targets, publish, set_batch, start_batch, targets_of, write_chunks
from survey.datasets.import_checks import ImportPlan, check_chunks
from survey.datasets.import_report import MAX_SHOWN, ImportRejected, ImportReport, Problem
from survey.extensions import db
from survey.models import User
from survey.ops.maintenance import discard_abandoned_imports, discard_batch_rows

__all__ = [
    "MAX_SHOWN",
    "SUFFIXES",
    "ImportRejected",
    "ImportReport",
    "Problem",
    "Source",
    "dry_run",
    "import_responses",
    "sha256",
    "suffix_of",
]


def _checked(
    source: Source, filename: str, max_bytes: int | None, xlsx_budget: int | None = None, *, planning: bool = False
) -> tuple[ImportReport, ImportPlan | None]:
    """The check of every cell, read and checked a chunk at a time; the plan too if `planning` (an import)."""
    try:
        with closing(read_chunks(source, filename, max_bytes, xlsx_budget=xlsx_budget)) as chunks:
            return check_chunks(chunks, filename, planning=planning)
    except UnreadableFile as error:
        # Whatever the chunks before told the check, the file as a whole cannot be read.
        problems = [Problem(None, "", str(error))]
        return ImportReport(filename=filename, problems=problems, problem_total=1, unreadable=True), None


def dry_run(
    source: Source, filename: str, *, max_bytes: int | None = None, xlsx_budget: int | None = None
) -> ImportReport:
    """Check every cell of an upload (its bytes, or better the file it waits in) and count what an
    import would do; writes nothing.

    `max_bytes` bounds the uncompressed ``responses.csv`` inside a .zip upload; `xlsx_budget` an
    Excel workbook's unzipped size, for a check made within a web request.
    """
    report, _plan = _checked(source, filename, max_bytes, xlsx_budget)
    return report


def import_responses(
    source: Source,
    filename: str,
    importer: User | None,
    *,
    actor_label: str | None = None,
    max_bytes: int | None = None,
    chunk_size: int = 2000,
    batch_id: int | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Check the file again, write its new responses in chunks and publish them at once. **Commits.**

    Unlike other operations this one owns its transactions: a chunk per transaction is the point
    (`import_batches`). Raises `ImportRejected` with the report, having written nothing, if any
    cell has a problem; `IntegrityError` or `BatchLost` if another import got there first, having
    removed what it wrote. `importer` becomes each response's ``entered_by`` and the audit event's
    actor (None and `actor_label` for a command-line import). `batch_id` is the job's batch row
    (web imports); without one a batch row is made.
    """
    discard_abandoned_imports()
    label = actor_label or (importer.email if importer is not None else "system")
    importer_id = importer.id if importer is not None else None
    report, plan, targets = _checked_for_writing(source, filename, max_bytes)
    if plan is None or targets is None:
        raise ImportRejected(report)
    report.added = len(plan.response_ids)
    if not report.added:
        # Everything was imported before: nothing happened worth a batch or an audit event.
        if batch_id is not None:
            set_batch(
                batch_id,
                status="done",
                step="nothing new",
                progress=1.0,
                finished_at=utcnow(),
                added=0,
                already_present=report.already_present,
                new_by_campaign={},
            )
        return report
    digest = sha256(source)
    batch_id = start_batch(batch_id, importer_id, label, filename, digest)
    try:
        write_chunks(batch_id, plan, targets, importer_id, max(1, chunk_size), progress)
        publish(batch_id, report, plan, importer_id, label, digest)
    except BaseException as error:  # a kill signal too: nothing of the batch may stay behind
        db.session.rollback()
        set_batch(batch_id, status="failed", finished_at=utcnow(), error=f"{type(error).__name__}: {error}"[:2000])
        discard_batch_rows(batch_id)
        raise
    return report


def _checked_for_writing(
    source: Source, filename: str, max_bytes: int | None
) -> tuple[ImportReport, ImportPlan | None, Targets | None]:
    """The check, in a read-only transaction: on SQLite it begins deferred and never takes the
    write lock, however long the file takes to check (a writer's transaction would hold it)."""
    db.session.commit()  # end any transaction, so the check's begins afresh and read-only
    token = mark_read_only()
    try:
        report, plan = _checked(source, filename, max_bytes, planning=True)
        targets = targets_of(plan) if plan is not None else None
    finally:
        db.session.rollback()  # it wrote nothing: this only ends the read
        unmark_read_only(token)
    return report, plan, targets
