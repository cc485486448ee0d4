"""Workshop reports built outside the request, as background jobs (`survey.jobs`):
the request only queues a `ReportJob` row; a daemon thread builds the zip and records progress."""

from __future__ import annotations

import io
import tempfile
import threading
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask import Flask, current_app
from sqlalchemy import select

from survey import jobs
from survey.database import utcnow
from survey.exceptions import ServiceError
from survey.extensions import db
from survey.models import Campaign, Community, ReportJob, User

if TYPE_CHECKING:
    from analysis.config import AnalysisConfig

STALE_AFTER = timedelta(hours=1)


def request_report(user: User | None, campaign_slug: str | None = None, community_slug: str | None = None) -> ReportJob:
    """Queue a report for one campaign, one community, or everything (not both filters)."""
    if campaign_slug and community_slug:
        raise ServiceError("Choose a campaign or a community, not both.")
    if campaign_slug:
        campaign = db.session.scalar(select(Campaign).filter_by(slug=campaign_slug))
        if campaign is None:
            raise ServiceError(f"No campaign {campaign_slug!r}.")
        if campaign.practice:
            raise ServiceError("Practice campaigns never enter an analysis.")
    if community_slug and db.session.scalar(select(Community.id).filter_by(slug=community_slug)) is None:
        raise ServiceError(f"No community {community_slug!r}.")
    job = ReportJob(requested_by=user, campaign_slug=campaign_slug or None, community_slug=community_slug or None)
    db.session.add(job)
    db.session.flush()
    return job


def start_in_background(job_id: int) -> threading.Thread:
    """Run the job in a daemon thread with its own app context and database session."""
    return jobs.start_in_background(run_job, job_id, "report")


def _set(job_id: int, **values: object) -> None:
    jobs.set_job(ReportJob, job_id, **values)


def run_job(app: Flask, job_id: int) -> None:
    """Build the report for `job_id` and store the zip; any failure is recorded, never raised."""
    from survey.datasets.report_build import report_from_database

    with app.app_context():
        job = db.session.get(ReportJob, job_id)
        if job is None:
            return
        campaigns = [job.campaign_slug] if job.campaign_slug else None
        communities = [job.community_slug] if job.community_slug else None
        db.session.remove()
        _set(job_id, status="running", step="starting", progress=0.0)
        last = [0.0]

        def progress(step: str, fraction: float) -> None:
            if fraction - last[0] >= 0.02 or fraction >= 1.0:
                last[0] = fraction
                _set(job_id, step=step[:200], progress=round(fraction, 3))

        try:
            with tempfile.TemporaryDirectory() as folder:
                config = valuation_config(app.config["VALUATION_DEFLATORS_FILE"], app.config["VALUATION_PRICE_YEAR"])
                report_from_database(
                    db.engine, folder, campaigns=campaigns, communities=communities, progress=progress, config=config
                )
                result = _zip(Path(folder))
            _set(job_id, status="done", step="finished", progress=1.0, result=result, finished_at=utcnow())
        except Exception as error:  # noqa: BLE001 - any failure must reach the page, not kill the thread silently
            db.session.rollback()
            message = str(error) if isinstance(error, ValueError) else f"{type(error).__name__}: {error}"
            current_app.logger.exception("report job %s failed", job_id)
            _set(job_id, status="failed", error=message[:2000], finished_at=utcnow())
        finally:
            db.session.remove()


def valuation_config(deflators_file: str | None, price_year: int | None) -> AnalysisConfig | None:
    """The analysis settings from the app's VALUATION_* settings (None: the analysis defaults).

    The deflator table is read now, so a corrected file counts from the next report; a bad file or a
    price year without a table raises ValueError with the reason (shown on the report's page).
    """
    if not deflators_file and not price_year:
        return None
    from analysis.config import AnalysisConfig, read_deflators

    settings: dict[str, Any] = {}
    if deflators_file:
        settings["deflators"] = read_deflators(deflators_file)
    if price_year:
        settings["price_year"] = int(price_year)
    return AnalysisConfig(**settings)


def _zip(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder).as_posix())
    return buffer.getvalue()


def recent_jobs(limit: int = 50) -> list[ReportJob]:
    return jobs.recent(ReportJob, limit)


def any_stale_jobs() -> bool:
    return jobs.any_stale(ReportJob, STALE_AFTER)


def stale_jobs_failed() -> int:
    """Jobs whose worker died mid-run are failed after STALE_AFTER (see `jobs.fail_stale`)."""
    return jobs.fail_stale(
        ReportJob, STALE_AFTER, "The report stopped without finishing (the server restarted?). Start it again."
    )
