"""Dataset downloads: the form, a streamed CSV zip, and background xlsx/sav/dta jobs with their progress."""

from __future__ import annotations

from flask import Response, abort, render_template, request, send_file, stream_with_context
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response as HTTPResponse

from survey import jobs
from survey.access import RESEARCH, roles_required
from survey.blueprints import research as bp
from survey.database import utcnow
from survey.datasets import exports
from survey.exceptions import ServiceError
from survey.extensions import db
from survey.models import Campaign, Community, ExportJob
from survey.web.http import see_other


def _form_page(chosen: dict[str, object], problem: str | None = None, status: int = 200) -> tuple[str, int]:
    campaigns = db.session.scalars(
        select(Campaign).where(Campaign.practice.is_(False), Campaign.status != "draft").order_by(Campaign.title)
    ).all()
    communities = db.session.scalars(select(Community).order_by(Community.name)).all()
    page = render_template(
        "research/exports.html",
        jobs=exports.recent_jobs(),
        campaigns=campaigns,
        communities=communities,
        chosen=chosen,
        problem=problem,
    )
    return page, status


@bp.get("/exports")
@roles_required(*RESEARCH)
def exports_page() -> tuple[str, int]:
    return _form_page(
        {
            "format": "csv",
            "content": "both",
            "campaigns": [],
            "communities": [],
            "verified_only": False,
            "missing": "blank",
            "labels": "codes",
            "include_partial": False,
        }
    )


@bp.post("/exports")
@roles_required(*RESEARCH)
def start_export() -> HTTPResponse | tuple[str, int]:
    chosen: dict[str, object] = {
        "format": request.form.get("format", ""),
        "content": request.form.get("content", ""),
        "campaigns": request.form.getlist("campaign"),
        "communities": request.form.getlist("community"),
        "verified_only": bool(request.form.get("verified_only")),
        "missing": request.form.get("missing", "blank"),
        "labels": request.form.get("labels", "codes"),
        "include_partial": bool(request.form.get("include_partial")),
    }
    try:
        wanted = exports.check_request(
            str(chosen["format"]),
            str(chosen["content"]),
            request.form.getlist("campaign"),
            request.form.getlist("community"),
            bool(chosen["verified_only"]),
            str(chosen["missing"]),
            str(chosen["labels"]),
            bool(chosen["include_partial"]),
        )
        if wanted.format == "csv":
            stream = exports.stream_csv(current_user, wanted)
        else:
            job = exports.request_export(current_user, wanted)
    except ServiceError as error:
        db.session.rollback()
        return _form_page(chosen, error.message, 400)
    try:
        db.session.commit()  # the download is logged before its first byte leaves
    except Exception:
        if wanted.format == "csv":
            stream.close()  # ends the database snapshot the stream holds
        raise
    if wanted.format != "csv":
        exports.start(job.id)
        return see_other(".export_job", job_id=job.id)
    response = Response(stream_with_context(stream), mimetype="application/zip")
    # The WSGI server closes the response; closing the stream ends the database snapshot even if
    # the client left before the first chunk.
    response.call_on_close(stream.close)
    response.headers["Content-Disposition"] = f'attachment; filename="{wanted.file_name(utcnow())}"'
    response.headers["X-Export-Rows"] = str(stream.rows)
    return response


@bp.get("/exports/<int:job_id>")
@roles_required(*RESEARCH)
def export_job(job_id: int) -> str:
    job = db.get_or_404(ExportJob, job_id)
    wanted = exports.job_request(job)
    return render_template("research/exports_job.html", job=job, filters=wanted.summary())


@bp.get("/exports/<int:job_id>/download")
@roles_required(*RESEARCH)
def download_export(job_id: int) -> Response:
    job = db.get_or_404(ExportJob, job_id)
    path = jobs.finished_file(job)
    if path is None:
        abort(404)
    exports.record_job_download(current_user, job)
    db.session.commit()
    name = exports.job_request(job).file_name(job.finished_at or job.created_at)
    return send_file(path, mimetype="application/zip", as_attachment=True, download_name=name)
