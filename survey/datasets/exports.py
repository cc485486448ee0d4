"""Dataset downloads (issue 5): check a request, stream a CSV zip, or build xlsx/sav/dta in the background.

CSV streams straight from a `DatasetReader` snapshot, so the download starts at once and memory
stays bounded whatever the size. The other formats need the whole table (pyreadstat) or are slow
to write (xlsx), so they run as an `ExportJob` on the job queue (`services.jobs`), whose worker
writes ``<RESULTS_DIR>/exports/<job id>-<random>.zip``.

Every download is logged with `record_access` (who, what, filters, how many rows); the caller
commits, before the first byte leaves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from analysis.cells import DatasetError
from instruments.answers import quoted
from survey import jobs
from survey.audit.access_log import record_download
from survey.database import utcnow
from survey.datasets.access_log import record_access
from survey.datasets.filenames import download_name, filter_summary
from survey.datasets.job_names import campaign_titles, community_names
from survey.datasets.queries import outside_message
from survey.datasets.reader import DatasetReader
from survey.datasets.sources import ExportError
from survey.datasets.writers import write_export
from survey.datasets.zipstream import iter_csv_zip
from survey.exceptions import ServiceError
from survey.extensions import db
from survey.models import (
    EXPORT_CONTENTS,
    EXPORT_FORMATS,
    EXPORT_LABELS,
    EXPORT_MISSING,
    Campaign,
    Community,
    ExportJob,
    User,
)

EXPORT_FOLDER = "exports"  # under RESULTS_DIR


@dataclass(frozen=True)
class ExportRequest:
    """A checked export request. Slug lists of None mean no restriction (everything)."""

    format: str
    content: str = "both"
    campaigns: tuple[str, ...] | None = None
    communities: tuple[str, ...] | None = None
    verified_only: bool = False
    missing: str = "blank"  # CSV and xlsx: blanks or missing-data codes
    labels: str = "codes"  # CSV and xlsx: codes or value labels
    include_partial: bool = False

    def filters(self) -> dict[str, Any]:
        """The filters as logged in `DataAccess` and written to provenance.json."""
        return {
            "campaigns": list(self.campaigns) if self.campaigns else None,
            "communities": list(self.communities) if self.communities else None,
            "verified_only": self.verified_only,
            "content": self.content,
            "missing": self.missing,
            "labels": self.labels,
            "include_partial": self.include_partial,
        }

    def _choices(self) -> dict[str, Any]:
        return {
            "campaigns": self.campaigns,
            "communities": self.communities,
            "format": self.format,
            "content": self.content,
            "verified_only": self.verified_only,
            "include_partial": self.include_partial,
            "missing": self.missing,
            "labels": self.labels,
        }

    def file_name(self, when: datetime) -> str:
        """The download's name, saying what it holds (`survey.datasets.filenames`)."""
        return download_name(**self._choices(), when=when)

    def summary(self) -> list[tuple[str, str]]:
        """Every filter in words, for the export's page: campaigns and communities by name."""
        campaigns, communities = self.campaigns or (), self.communities or ()
        titles, names = campaign_titles(campaigns), community_names(communities)
        return filter_summary(
            **{
                **self._choices(),
                "campaigns": [titles[slug] for slug in campaigns],
                "communities": [names[slug] for slug in communities],
            }
        )


def check_request(
    format: str,
    content: str = "both",
    campaigns: list[str] | tuple[str, ...] = (),
    communities: list[str] | tuple[str, ...] = (),
    verified_only: bool = False,
    missing: str = "blank",
    labels: str = "codes",
    include_partial: bool = False,
) -> ExportRequest:
    """An `ExportRequest`, or ServiceError saying what is wrong (unknown slug, practice campaign...)."""
    if format not in EXPORT_FORMATS:
        raise ServiceError(f"Choose a format: {', '.join(EXPORT_FORMATS)}.")
    if content not in EXPORT_CONTENTS:
        raise ServiceError(f"Choose what to include: {', '.join(EXPORT_CONTENTS)}.")
    if missing not in EXPORT_MISSING:
        raise ServiceError(f"Choose how missing answers are written: {', '.join(EXPORT_MISSING)}.")
    if labels not in EXPORT_LABELS:
        raise ServiceError(f"Choose codes or labels: {', '.join(EXPORT_LABELS)}.")
    chosen = tuple(dict.fromkeys(slug.strip() for slug in campaigns if slug.strip()))
    places = tuple(dict.fromkeys(slug.strip() for slug in communities if slug.strip()))
    if chosen:
        found = {c.slug: c for c in db.session.scalars(select(Campaign).where(Campaign.slug.in_(chosen)))}
        unknown = [slug for slug in chosen if slug not in found]
        if unknown:
            raise ServiceError(f"No campaign {', '.join(quoted(s) for s in unknown)}.")
        practice = [slug for slug in chosen if found[slug].practice]
        if practice:
            raise ServiceError(f"{quoted(practice[0])} is a practice campaign: practice runs are never exported.")
    if places:
        known = set(db.session.scalars(select(Community.slug).where(Community.slug.in_(places))))
        unknown = [slug for slug in places if slug not in known]
        if unknown:
            raise ServiceError(f"No community {', '.join(quoted(s) for s in unknown)}.")
        outside = [found[slug] for slug in chosen if found[slug].community.slug not in places]
        if outside:  # refused here too, not only by the reader: a queued export would fail later
            raise ServiceError(outside_message(outside[0].slug, outside[0].community.slug, places))
    return ExportRequest(
        format, content, chosen or None, places or None, bool(verified_only), missing, labels, bool(include_partial)
    )


def _reader(request: ExportRequest) -> DatasetReader:
    return DatasetReader(
        db.engine,
        campaigns=list(request.campaigns) if request.campaigns else None,
        communities=list(request.communities) if request.communities else None,
        verified_only=request.verified_only,
        include_partial=request.include_partial,
    )


def _provenance(request: ExportRequest, exported_by: str, channel: str) -> dict[str, Any]:
    return {
        "exported_at": utcnow().strftime("%Y-%m-%dT%H:%M:%SZ"),
        "exported_by": exported_by,
        "channel": channel,
        "verified_only": request.verified_only,
        "filters": request.filters(),
    }


class CsvStream:
    """The streamed CSV zip: an iterator of byte strings that closes its database snapshot when
    finished or when the client goes away (the WSGI server calls `close`)."""

    def __init__(self, stack: ExitStack, parts: Iterator[bytes], rows: int) -> None:
        self._stack = stack
        self._parts = parts
        self.rows = rows

    def __iter__(self) -> CsvStream:
        return self

    def __next__(self) -> bytes:
        try:
            return next(self._parts)
        except StopIteration:
            self.close()  # the last byte is out: give the snapshot's connection back now, not at close()
            raise

    def close(self) -> None:
        close = getattr(self._parts, "close", None)
        if close is not None:
            close()
        self._stack.close()


def stream_csv(user: User, request: ExportRequest) -> CsvStream:
    """Open the snapshot, log the download, and return the zip's byte stream (the caller commits)."""
    stack = ExitStack()
    try:
        reader = stack.enter_context(_reader(request))
    except DatasetError as error:
        stack.close()
        raise ServiceError(str(error)) from None
    record_access(user, "web", "export", format="csv", filters=request.filters(), row_count=reader.total)
    parts = iter_csv_zip(
        reader,
        content=request.content,
        provenance=_provenance(request, user.email, "web"),
        missing=request.missing,
        labels=request.labels,
    )
    return CsvStream(stack, parts, reader.total)


def request_export(user: User | None, request: ExportRequest) -> ExportJob:
    """Queue an xlsx, sav or dta export (csv streams instead, see `stream_csv`)."""
    if request.format == "csv":
        raise ServiceError("CSV downloads stream at once; they need no background job.")
    job = ExportJob(
        requested_by=user,
        format=request.format,
        content=request.content,
        verified_only=request.verified_only,
        include_partial=request.include_partial,
        campaign_slugs=list(request.campaigns) if request.campaigns else None,
        community_slugs=list(request.communities) if request.communities else None,
        missing=request.missing,
        labels=request.labels,
    )
    db.session.add(job)
    db.session.flush()
    return job


def job_request(job: ExportJob) -> ExportRequest:
    """The request a job was made from."""
    return ExportRequest(
        job.format,
        job.content,
        tuple(job.campaign_slugs) if job.campaign_slugs else None,
        tuple(job.community_slugs) if job.community_slugs else None,
        job.verified_only,
        job.missing,
        job.labels,
        job.include_partial,
    )


def start(job_id: int) -> None:
    """Queue the job for a worker (after the commit that made its row)."""
    jobs.enqueue(KIND, job_id)


def _set(job_id: int, **values: object) -> None:
    jobs.set_job(ExportJob, job_id, **values)


def _write_zip(
    target: Path,
    request: ExportRequest,
    provenance: dict[str, Any],
    progress: Callable[[str, float], None] | None,
) -> dict[str, Any]:
    """Write the zip to `target` whole (`jobs.write_whole`): never a truncated zip under its name."""

    def write(partial: Path) -> dict[str, Any]:
        with _reader(request) as reader:
            return write_export(
                partial,
                reader,
                format=request.format,
                content=request.content,
                provenance=provenance,
                progress=progress,
                missing=request.missing,
                labels=request.labels,
            )

    return jobs.write_whole(target, write)


def run_job(job_id: int) -> None:
    """Build the job's zip under RESULTS_DIR (the queue's worker calls this; a failure raises)."""
    job = db.session.get_one(ExportJob, job_id)
    request = job_request(job)
    requester = job.requested_by.email if job.requested_by else "system"
    db.session.remove()
    _set(job_id, step="reading responses", progress=0.0)
    name = jobs.new_result_name(EXPORT_FOLDER, job_id)
    target = jobs.results_dir() / name
    last = [0.0]

    def progress(step: str, fraction: float) -> None:
        if fraction - last[0] >= 0.02 or fraction >= 1.0:
            last[0] = fraction
            _set(job_id, step=step[:200], progress=round(min(fraction, 1.0) * 0.95, 3))

    target.parent.mkdir(parents=True, exist_ok=True)
    record = _write_zip(target, request, _provenance(request, requester, "web"), progress)
    _set(
        job_id,
        status="done",
        step="finished",
        progress=1.0,
        file_path=name,
        size_bytes=target.stat().st_size,
        row_count=int(record["rows"]),
        finished_at=utcnow(),
    )


KIND = jobs.Kind(
    name="export",
    model=ExportJob,
    run=run_job,
    died="The export stopped without finishing (the server restarted?). Start it again.",
    stale_after=timedelta(hours=2),
)


def record_job_download(user: User, job: ExportJob) -> None:
    """Log one download of a finished job's zip (the caller commits)."""
    filters = job_request(job).filters()
    record_download(user, "export", format=job.format, filters=filters, row_count=job.row_count)


def export_to_file(
    out: str | Path,
    request: ExportRequest,
    *,
    label: str,
    progress: Callable[[str, float], None] | None = None,
) -> dict[str, Any]:
    """Write the export zip to `out` for the command line and log it (the caller commits)."""
    try:
        record = _write_zip(Path(out), request, _provenance(request, label, "cli"), progress)
    except (DatasetError, ExportError) as error:  # slugs are checked earlier: e.g. too many rows for xlsx
        raise ServiceError(str(error)) from None
    record_access(
        None, "cli", "export", label=label, format=request.format, filters=request.filters(), row_count=record["rows"]
    )
    return record


def recent_jobs(limit: int = 30) -> list[ExportJob]:
    return jobs.recent(ExportJob, limit)
