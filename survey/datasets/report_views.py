"""Workshop reports: start one (campaign, community or everything), watch its progress, download it."""

from __future__ import annotations

from flask import Response, abort, flash, render_template, request, send_file
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response as HTTPResponse

from survey import jobs
from survey.access import RESEARCH, roles_required
from survey.audit.access_log import record_download
from survey.blueprints import research as bp
from survey.datasets.job_names import job_scope, job_scopes
from survey.datasets.reports import recent_jobs, request_report, start
from survey.exceptions import ServiceError
from survey.extensions import db
from survey.models import Campaign, Community, ReportJob
from survey.web.http import see_other


@bp.get("/reports")
@roles_required(*RESEARCH)
def reports() -> str:
    campaigns = db.session.scalars(
        select(Campaign).where(Campaign.practice.is_(False), Campaign.status != "draft").order_by(Campaign.title)
    ).all()
    communities = db.session.scalars(select(Community).order_by(Community.name)).all()
    recent = recent_jobs()
    return render_template(
        "research/reports.html", jobs=recent, scopes=job_scopes(recent), campaigns=campaigns, communities=communities
    )


@bp.post("/reports")
@roles_required(*RESEARCH)
def start_report() -> HTTPResponse:
    scope = request.form.get("scope", "")
    kind, _, slug = scope.partition(":")
    if kind not in ("all", "campaign", "community"):
        abort(400)
    try:
        job = request_report(
            current_user,
            campaign_slug=slug if kind == "campaign" else None,
            community_slug=slug if kind == "community" else None,
        )
    except ServiceError as error:
        flash(error.message)
        return see_other(".reports")
    db.session.commit()
    start(job.id)
    return see_other(".report", job_id=job.id)


@bp.get("/reports/<int:job_id>")
@roles_required(*RESEARCH)
def report(job_id: int) -> str:
    job = db.get_or_404(ReportJob, job_id)
    return render_template("research/report.html", job=job, scope=job_scope(job))


@bp.get("/reports/<int:job_id>/download")
@roles_required(*RESEARCH)
def download_report(job_id: int) -> Response:
    job = db.get_or_404(ReportJob, job_id)
    path = jobs.finished_file(job)
    if path is None:
        abort(404)
    scope = {"job": job.id, "campaign": job.campaign_slug, "community": job.community_slug}
    record_download(current_user, "report", format="zip", filters=scope)
    db.session.commit()  # logged before the first byte leaves
    # A download, not a page: the report's embedded figures never run under the app's CSP.
    response = send_file(path, mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="workshop-report-{job_id}.zip"'
    return response
