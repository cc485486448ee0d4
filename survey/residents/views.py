"""The residents' survey at /s/<campaign-slug>: consent, one page per section, resume, thanks.

Which response a browser is filling is kept in the signed session cookie
(campaign slug -> public id); nothing identifying is stored with it.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from flask import abort, flash, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response as HTTPResponse

from ..extensions import db
from ..localtime import local_today
from ..models import Campaign, Response
from ..services.campaigns import campaign_sections, estimated_minutes, get_campaign, get_public_campaign
from ..services.contacts import record_contact
from ..services.exceptions import ServiceError
from ..services.feedback import score_feedback
from ..services.responses import (
    find_response,
    first_incomplete_section,
    lock_response,
    response_scores,
    resume_response,
    start_response,
    stored_values,
)
from . import bp
from .flow import PageLinks, section_page
from .forms import ContactForm, ResumeForm, StartForm


def _remember(campaign: Campaign, response: Response) -> None:
    active = dict(session.get("responses", {}))
    active[campaign.slug] = response.public_id
    session["responses"] = active


def _remembered_id(campaign: Campaign) -> str | None:
    value = session.get("responses", {}).get(campaign.slug)
    return value if isinstance(value, str) else None


def _see_other(endpoint: str, **values: object) -> HTTPResponse:
    return redirect(url_for(endpoint, **values), code=303)


def _render_consent(campaign: Campaign, form: StartForm, status: int = 200) -> tuple[str, int]:
    sections = campaign_sections(campaign)
    remembered = _remembered_id(campaign)
    in_progress = find_response(remembered, campaign) if remembered else None
    return (
        render_template(
            "residents/consent.html",
            campaign=campaign,
            form=form,
            minutes=estimated_minutes(sections),
            section_titles=[section.title for section in sections],
            in_progress=in_progress if in_progress is not None and in_progress.status == "partial" else None,
        ),
        status,
    )


@bp.get("/<slug>")
def consent(slug: str) -> tuple[str, int]:
    campaign = get_public_campaign(slug, local_today())
    return _render_consent(campaign, StartForm(start_token=secrets.token_urlsafe(24)))


@bp.post("/<slug>/start")
def start(slug: str) -> HTTPResponse | tuple[str, int]:
    campaign = get_public_campaign(slug, local_today())
    form = StartForm()
    if not form.validate():
        if form.start_token.errors:
            abort(400)
        return _render_consent(campaign, form, 422)
    response = start_response(campaign, form.start_token.data)
    db.session.commit()
    _remember(campaign, response)
    return _see_other(".page", slug=slug, number=1)


@bp.route("/<slug>/page/<int:number>", methods=["GET", "POST"])
def page(slug: str, number: int) -> HTTPResponse | tuple[str, int]:
    campaign = get_public_campaign(slug, local_today())
    public_id = _remembered_id(campaign)
    response = find_response(public_id, campaign) if public_id else None
    if response is None:
        flash("Start the survey here, or use your resume code if you saved your answers earlier.")
        return _see_other(".consent", slug=slug)
    links = PageLinks(
        page=lambda n: url_for(".page", slug=slug, number=n),
        before_first=url_for(".consent", slug=slug),
        done=url_for(".done", slug=slug),
        saved=url_for(".saved", slug=slug),
    )
    return section_page(campaign, campaign_sections(campaign), response, number, links)


@bp.get("/<slug>/saved")
def saved(slug: str) -> HTTPResponse | str:
    campaign = get_public_campaign(slug, local_today())
    details = session.pop("resume_code", None)
    if not details:
        return _see_other(".consent", slug=slug)
    return render_template(
        "residents/saved.html",
        campaign=campaign,
        code=details["code"],
        expires_at=datetime.fromisoformat(details["expires_at"]),
        page=details["page"],
    )


@bp.route("/<slug>/resume", methods=["GET", "POST"])
def resume(slug: str) -> HTTPResponse | tuple[str, int]:
    campaign = get_public_campaign(slug, local_today())
    form = ResumeForm()
    if request.method == "GET" or not form.validate():
        status = 422 if request.method == "POST" else 200
        return render_template("residents/resume.html", campaign=campaign, form=form), status
    try:
        response = resume_response(campaign, form.code.data)
    except ServiceError as error:
        form.code.errors = [error.message]
        return render_template("residents/resume.html", campaign=campaign, form=form), 422
    _remember(campaign, response)
    missing = first_incomplete_section(campaign_sections(campaign), stored_values(response))
    return _see_other(".page", slug=slug, number=(missing if missing is not None else 0) + 1)


def _complete_response(campaign: Campaign) -> Response | None:
    """The response this browser completed for `campaign`, if any."""
    public_id = _remembered_id(campaign)
    response = find_response(public_id, campaign) if public_id else None
    return response if response is not None and response.status == "complete" else None


def _render_done(campaign: Campaign, response: Response, form: ContactForm, status: int = 200) -> tuple[str, int]:
    feedback = None
    if campaign.show_score:
        sections = campaign_sections(campaign)
        feedback = score_feedback(response_scores(sections, stored_values(response)))
    html = render_template("residents/done.html", campaign=campaign, feedback=feedback, contact_form=form)
    return html, status


@bp.get("/<slug>/done")
def done(slug: str) -> HTTPResponse | tuple[str, int]:
    # A campaign that closed a moment after someone submitted still thanks them.
    campaign = get_campaign(slug)
    response = _complete_response(campaign)
    if response is None:
        return _see_other(".consent", slug=slug)
    return _render_done(campaign, response, ContactForm())


@bp.post("/<slug>/contact")
def contact(slug: str) -> HTTPResponse | tuple[str, int]:
    """Optional follow-up contact details, stored apart from the answers (which are not touched)."""
    campaign = get_campaign(slug)
    response = _complete_response(campaign)
    if response is None:
        return _see_other(".consent", slug=slug)
    form = ContactForm()
    if not form.validate():
        return _render_done(campaign, response, form, 422)
    # Locking the response serialises a double-clicked submit, so the second one updates the row.
    locked = lock_response(response.public_id, campaign)
    if locked is None:
        return _see_other(".consent", slug=slug)
    email, phone = form.email.data or "", form.phone.data or ""
    record_contact(locked, name=form.name.data, email=email, phone=phone, purposes=form.purposes.data)
    db.session.commit()
    flash("Thank you. We will use your details only to invite you to what you chose, kept apart from your answers.")
    return _see_other(".done", slug=slug)
