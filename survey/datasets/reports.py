"""Workshop reports built outside the request, on the job queue (`survey.jobs`): the
request only queues a `ReportJob` row; the worker writes ``<RESULTS_DIR>/reports/<job id>-<random>.zip``
and records progress in the row."""

from __future__ import annotations

import tempfile
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask import current_app
from sqlalchemy import select

from instruments.answers import quoted
from survey import jobs
from survey.database import utcnow
from survey.exceptions import ServiceError
from survey.extensions import db
from survey.models import Campaign, Community, ReportJob, User

if TYPE_CHECKING:
    from analysis.config import AnalysisConfig

REPORT_FOLDER = "reports"  # under RESULTS_DIR


def request_report(user: User | None, campaign_slug: str | None = None, community_slug: str | None = None) -> ReportJob:
    """Queue a report for one campaign, one community, or everything (not both filters)."""
    if campaign_slug and community_slug:
        raise ServiceError("Choose a campaign or a community, not both.")
    if campaign_slug:
        campaign = db.session.scalar(select(Campaign).filter_by(slug=campaign_slug))
        if campaign is None:
            raise ServiceError(f"No campaign {quoted(campaign_slug)}.")
        if campaign.practice:
            raise ServiceError("Practice campaigns never enter an analysis.")
    if community_slug and db.session.scalar(select(Community.id).filter_by(slug=community_slug)) is None:
        raise ServiceError(f"No community {quoted(community_slug)}.")
    job = ReportJob(requested_by=user, campaign_slug=campaign_slug or None, community_slug=community_slug or None)
    db.session.add(job)
    db.session.flush()
    return job


def start(job_id: int) -> None:
    """Queue the job for a worker (after the commit that made its row)."""
    jobs.enqueue(KIND, job_id)


def _set(job_id: int, **values: object) -> None:
    jobs.set_job(ReportJob, job_id, **values)


def run_job(job_id: int) -> None:
    """Build the report for `job_id` into a zip under RESULTS_DIR (the queue's worker calls this;
    a failure raises). The dataset is read on the app's own engine."""
    from survey.datasets import report_build  # looked up at run time, so tests can stand in for it

    job = db.session.get_one(ReportJob, job_id)
    campaigns = [job.campaign_slug] if job.campaign_slug else None
    communities = [job.community_slug] if job.community_slug else None
    db.session.remove()
    _set(job_id, step="starting", progress=0.0)
    last = [0.0]

    def progress(step: str, fraction: float) -> None:
        if fraction - last[0] >= 0.02 or fraction >= 1.0:
            last[0] = fraction
            _set(job_id, step=step[:200], progress=round(fraction, 3))

    name = jobs.new_result_name(REPORT_FOLDER, job_id)
    target = jobs.results_dir() / name
    target.parent.mkdir(parents=True, exist_ok=True)
    settings = current_app.config
    config = valuation_config(settings["VALUATION_DEFLATORS_FILE"], settings["VALUATION_PRICE_YEAR"])
    with tempfile.TemporaryDirectory() as folder:
        report_build.report_from_database(
            db.engine, folder, campaigns=campaigns, communities=communities, progress=progress, config=config
        )
        jobs.write_whole(target, lambda partial: _zip(Path(folder), partial))
    _set(job_id, status="done", step="finished", progress=1.0, file_path=name, finished_at=utcnow())


KIND = jobs.Kind(
    name="report",
    model=ReportJob,
    run=run_job,
    died="The report stopped without finishing (the server restarted?). Start it again.",
    stale_after=timedelta(hours=1),
)


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


def _zip(folder: Path, out: Path) -> None:
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder).as_posix())


def recent_jobs(limit: int = 50) -> list[ReportJob]:
    return jobs.recent(ReportJob, limit)
