"""Interview mode: staff administer a campaign's questionnaire face to face (mode `interview`)."""

from __future__ import annotations

import secrets

from flask import abort, flash, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response as HTTPResponse

from survey.access import STAFF, roles_required, scope_to_user, scoped_or_404
from survey.blueprints import fieldwork as bp
from survey.campaigns.operations import campaign_sections
from survey.exceptions import ServiceError
from survey.extensions import db
from survey.localtime import local_time
from survey.models import Campaign, Response
from survey.responses.flow import PageLinks, section_page
from survey.responses.interviews import discard_interview, resume_part, unfinished_interviews
from survey.responses.operations import start_response
from survey.web.fields import ONE_TIME_TOKEN_PATTERN
from survey.web.http import see_other_url

CONSENT_ERROR = "Tick the box to confirm the person has heard the privacy notice and agrees to take part"


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
    return render_template(
        "fieldwork/home.html", campaigns=_workable_campaigns(), unfinished=unfinished_interviews(current_user)
    )


@bp.route("/interview/<slug>/start", methods=["GET", "POST"])
@roles_required(*STAFF)
def start_interview(slug: str) -> HTTPResponse | tuple[str, int]:
    """The privacy notice to read aloud and the consent tick; starting creates the response."""
    campaign = _campaign_for_interview(slug)
    if request.method == "GET":
        return _consent_page(campaign, secrets.token_urlsafe(24), None, 200)
    # The form's one-time token makes a double-clicked Start one interview; a script that sends none
    # starts one per request, as before the form carried it.
    token = request.form.get("start_token") or secrets.token_urlsafe(24)
    if not ONE_TIME_TOKEN_PATTERN.match(token):
        abort(400)
    if request.form.get("consent") != "y":
        return _consent_page(campaign, token, CONSENT_ERROR, 422)
    response = start_response(campaign, token, mode="interview", entered_by=current_user)
    if response.campaign_id != campaign.id or response.mode != "interview" or response.entered_by_id != current_user.id:
        abort(400)  # another start's token: never someone else's response
    public_id = response.public_id
    db.session.commit()
    return see_other_url(url_for(".interview_page", public_id=public_id, number=1))


def _consent_page(campaign: Campaign, start_token: str, error: str | None, status: int) -> tuple[str, int]:
    html = render_template("fieldwork/consent.html", campaign=campaign, start_token=start_token, error=error)
    return html, status


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


@bp.get("/interview/<public_id>/resume")
@roles_required(*STAFF)
def resume_interview(public_id: str) -> HTTPResponse:
    """Carry on from the first part still missing a required answer."""
    response = _own_interview(public_id)
    if response.status == "complete":
        return see_other_url(url_for(".interview_done", public_id=public_id))
    part, _parts = resume_part(response)
    return see_other_url(url_for(".interview_page", public_id=public_id, number=part))


@bp.get("/interview/<public_id>/done")
@roles_required(*STAFF)
def interview_done(public_id: str) -> HTTPResponse | str:
    response = _own_interview(public_id)
    if response.status != "complete":
        return see_other_url(url_for(".resume_interview", public_id=public_id))
    return render_template("fieldwork/done.html", campaign=response.campaign)


@bp.route("/interview/<public_id>/discard", methods=["GET", "POST"])
@roles_required(*STAFF)
def discard(public_id: str) -> HTTPResponse | str:
    """Ask, then delete an unfinished interview (a POST without the confirmation only asks)."""
    response = _own_interview(public_id)
    if response.status != "partial":
        flash("That interview is finished, so it is kept.")
        return see_other_url(url_for(".home"))
    if request.method == "GET" or request.form.get("confirm") != "yes":
        if request.method == "POST":
            return see_other_url(url_for(".discard", public_id=public_id))
        part, parts = resume_part(response)
        return render_template("fieldwork/discard.html", response=response, part=part, parts=parts)
    started = response.started_at
    title = response.campaign.title
    try:
        discard_interview(response)
    except ServiceError as problem:
        db.session.rollback()
        flash(problem.message)
        return see_other_url(url_for(".home"))
    db.session.commit()
    flash(f"Interview discarded: {title}, started {local_time(started)}. Its answers are deleted.")
    return see_other_url(url_for(".home"))
