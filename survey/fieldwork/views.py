"""Interview mode: staff administer a campaign's questionnaire face to face (mode `interview`)."""

from __future__ import annotations

import secrets

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response as HTTPResponse

from ..access import STAFF, roles_required, scope_to_user, scoped_or_404
from ..extensions import db
from ..models import Campaign, Response
from ..residents.flow import PageLinks, section_page
from ..services.campaigns import campaign_sections
from ..services.responses import start_response
from . import bp


def _workable_campaigns() -> list[Campaign]:
    query = select(Campaign).where(Campaign.status == "open").order_by(Campaign.title)
    return list(db.session.scalars(scope_to_user(query, Campaign.community_id, current_user)))


def _campaign_for_interview(slug: str) -> Campaign:
    return scoped_or_404(Campaign, slug=slug, status="open")


def _own_interview(public_id: str) -> Response:
    response = scoped_or_404(Response, public_id=public_id, mode="interview")
    if response.entered_by_id != current_user.id and current_user.role == "peer":
        abort(404)  # a peer continues only their own interviews
    return response


@bp.get("/")
@roles_required(*STAFF)
def home() -> str:
    unfinished = db.session.scalars(
        select(Response)
        .where(Response.entered_by_id == current_user.id, Response.status == "partial", Response.mode == "interview")
        .order_by(Response.started_at.desc())
    ).all()
    return render_template("fieldwork/home.html", campaigns=_workable_campaigns(), unfinished=unfinished)


@bp.post("/interview/<slug>/start")
@roles_required(*STAFF)
def start_interview(slug: str) -> HTTPResponse:
    campaign = _campaign_for_interview(slug)
    if request.form.get("consent") != "y":
        flash("Confirm that the respondent agrees to take part before starting.")
        return redirect(url_for(".home"), code=303)
    # A fresh token per start: interviews are started by staff, one click per respondent.
    response = start_response(campaign, secrets.token_urlsafe(24), mode="interview", entered_by=current_user)
    db.session.commit()
    return redirect(url_for(".interview_page", public_id=response.public_id, number=1), code=303)


@bp.route("/interview/<public_id>/page/<int:number>", methods=["GET", "POST"])
@roles_required(*STAFF)
def interview_page(public_id: str, number: int) -> HTTPResponse | tuple[str, int]:
    response = _own_interview(public_id)
    campaign = response.campaign
    links = PageLinks(
        page=lambda n: url_for(".interview_page", public_id=public_id, number=n),
        before_first=url_for(".home"),
        done=url_for(".interview_done", public_id=public_id),
        template="fieldwork/interview_section.html",
    )
    return section_page(campaign, campaign_sections(campaign), response, number, links)


@bp.get("/interview/<public_id>/done")
@roles_required(*STAFF)
def interview_done(public_id: str) -> str:
    response = _own_interview(public_id)
    return render_template("fieldwork/done.html", campaign=response.campaign)
