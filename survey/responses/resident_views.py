"""The residents' survey at /s/<campaign-slug>: consent, the question pages, "Check your answers",
resume, thanks.

Which response a browser is filling is kept in the signed session cookie (campaign slug -> public
id); nothing identifying is stored with it. Once a response is submitted the cookie forgets it:
only the thank-you page shown right after submitting sees it (once), so the next person on a
shared tablet can reach nothing of it by Back, reload or its URLs. Every page here is sent with
`Cache-Control: no-store`, so Back cannot show a copy of someone's answers from the browser's cache.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from flask import abort, flash, render_template, request, session, url_for
from werkzeug.wrappers import Response as HTTPResponse

from survey.blueprints import residents as bp
from survey.campaigns.operations import campaign_sections, estimated_minutes, get_campaign, get_public_campaign
from survey.database import utcnow
from survey.exceptions import ServiceError
from survey.extensions import db
from survey.localtime import local_today
from survey.models import Campaign, Response
from survey.responses.check import answer_summary
from survey.responses.contacts import issue_contact_token, record_contact, response_for_contact_token
from survey.responses.feedback import score_feedback
from survey.responses.flow import (
    MISSING_MESSAGE,
    PageLinks,
    carry_on_page,
    missing_answers,
    posted_for,
    section_page,
)
from survey.responses.operations import (
    find_response,
    lock_loaded,
    response_scores,
    resume_response,
    start_response,
    stored_values,
    submit_response,
)
from survey.responses.resident_forms import ContactForm, ResumeForm, StartForm
from survey.web.http import see_other

SAVED_NOTICE = "Your answers have been saved. You can carry on where you left off."
JUST_SUBMITTED = timedelta(minutes=2)
OTHER_CHECK_MESSAGE = (
    "Those answers were for another survey than the one this browser is filling in now (one was started "
    "or resumed since, perhaps in another tab or window), so nothing was sent. These are the answers "
    "of the survey open now: check them before you submit."
)


@bp.after_request
def _no_store(response: HTTPResponse) -> HTTPResponse:
    response.headers["Cache-Control"] = "no-store"
    return response


def _remember(slug: str, public_id: str) -> None:
    active = dict(session.get("responses", {}))
    active[slug] = public_id
    session["responses"] = active


def _remembered_id(campaign: Campaign) -> str | None:
    value = session.get("responses", {}).get(campaign.slug)
    return value if isinstance(value, str) else None


def _remembered_response(campaign: Campaign) -> Response | None:
    public_id = _remembered_id(campaign)
    return find_response(public_id, campaign) if public_id else None


def _partial_response(campaign: Campaign) -> Response | None:
    """The unfinished response this browser is filling for `campaign`, if any."""
    return _still_partial(campaign, _remembered_response(campaign))


def _still_partial(campaign: Campaign, response: Response | None) -> Response | None:
    """`response` (the one this browser remembers) if it is still unfinished; else it is forgotten."""
    if response is not None and response.status != "partial":
        _forget(campaign)
        return None
    return response


def _forget(campaign: Campaign, thank: Response | None = None) -> None:
    """The cookie no longer names the response; with `thank`, the thank-you page may show it once,
    with a one-time token for its contact form (issued here, in the submitting request's write
    transaction: the thank-you page itself only reads)."""
    active = dict(session.get("responses", {}))
    active.pop(campaign.slug, None)
    session["responses"] = active
    if thank is not None:
        submitted = dict(session.get("submitted", {}))
        submitted[campaign.slug] = {"id": thank.public_id, "token": issue_contact_token(thank)}
        session["submitted"] = submitted
        db.session.commit()


def _just_submitted(response: Response | None) -> Response | None:
    """This cookie's response if another request (a double-clicked Submit) completed it moments ago."""
    if response is None or response.status != "complete" or response.submitted_at is None:
        return None
    return response if utcnow() - response.submitted_at < JUST_SUBMITTED else None


def _links(slug: str) -> PageLinks:
    return PageLinks(
        page=lambda n: url_for(".page", slug=slug, number=n),
        before_first=url_for(".consent", slug=slug),
        done=url_for(".done", slug=slug),
        saved=url_for(".saved", slug=slug),
        check=url_for(".check", slug=slug),
    )


def _render_consent(campaign: Campaign, form: StartForm, status: int = 200) -> tuple[str, int]:
    sections = campaign_sections(campaign)
    return (
        render_template(
            "residents/consent.html",
            campaign=campaign,
            form=form,
            minutes=estimated_minutes(sections),
            section_titles=[section.title for section in sections],
            in_progress=_partial_response(campaign),
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
    public_id, started = response.public_id, response.status == "partial"  # read before the commit expires them
    db.session.commit()
    if not started:  # a replayed consent form of a submitted response never reopens it
        flash("That survey has been sent already. Start again to fill in a new one.")
        return see_other(".consent", slug=slug)
    _remember(slug, public_id)
    return see_other(".page", slug=slug, number=1)


@bp.route("/<slug>/page/<int:number>", methods=["GET", "POST"])
def page(slug: str, number: int) -> HTTPResponse | tuple[str, int]:
    campaign = get_public_campaign(slug, local_today())
    response = _partial_response(campaign)
    if response is None:
        flash("Start the survey here, or use your resume code if you saved your answers earlier.")
        return see_other(".consent", slug=slug)
    return section_page(campaign, campaign_sections(campaign), response, number, _links(slug))


@bp.get("/<slug>/continue")
def carry_on(slug: str) -> HTTPResponse:
    """ "Carry on where you left off": the page last saved, or the first one still missing an answer."""
    campaign = get_public_campaign(slug, local_today())
    response = _partial_response(campaign)
    if response is None:
        return see_other(".consent", slug=slug)
    flash(SAVED_NOTICE)
    return see_other(".page", slug=slug, number=carry_on_page(campaign_sections(campaign), response))


@bp.get("/<slug>/saved")
def saved(slug: str) -> HTTPResponse | str:
    campaign = get_public_campaign(slug, local_today())
    details = session.pop("resume_code", None)
    if not details:
        return see_other(".consent", slug=slug)
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
    db.session.commit()  # the response is marked as resumed
    _remember(slug, response.public_id)
    flash(SAVED_NOTICE)
    return see_other(".page", slug=slug, number=carry_on_page(campaign_sections(campaign), response))


@bp.route("/<slug>/check", methods=["GET", "POST"])
def check(slug: str) -> HTTPResponse | tuple[str, int]:
    """ "Check your answers" (GOV.UK pattern), then Submit."""
    campaign = get_public_campaign(slug, local_today())
    remembered = _remembered_response(campaign)
    if request.method == "POST" and (earlier := _just_submitted(remembered)) is not None:
        _forget(campaign, thank=earlier)  # a double-clicked Submit: the first click completed it
        return see_other(".done", slug=slug)
    response = _still_partial(campaign, remembered)
    if response is None:
        if request.method == "POST" and slug in session.get("submitted", {}):
            return see_other(".done", slug=slug)
        return see_other(".consent", slug=slug)
    sections = campaign_sections(campaign)
    links = _links(slug)
    if request.method == "POST" and not posted_for(response):
        flash(OTHER_CHECK_MESSAGE)
        return see_other(".check", slug=slug)
    if request.method == "POST":  # the CSRF token is checked by CSRFProtect for every POST
        locked = lock_loaded(response)
        if locked is None:
            return see_other(".consent", slug=slug)
        if locked.status == "partial" and not submit_response(locked, sections):
            return missing_answers(sections, locked, links)
        _forget(campaign, thank=locked)  # commits the submission with the contact token: one write
        return see_other(".done", slug=slug)
    summary = answer_summary(sections, stored_values(response), campaign)
    if summary.first_missing is not None:
        flash(MISSING_MESSAGE)
        return see_other(".page", slug=slug, number=summary.first_missing)
    return render_template(
        "residents/check.html",
        campaign=campaign,
        summary=summary,
        page_url=links.page,
        total=summary.pages,
        response_id=response.public_id,
    ), 200


def _render_done(
    campaign: Campaign,
    response: Response | None,
    token: str | None,
    form: ContactForm | None,
    *,
    show_score: bool,
    status: int = 200,
) -> tuple[str, int]:
    feedback = None
    if response is not None and show_score and campaign.show_score:
        feedback = score_feedback(response_scores(campaign_sections(campaign), stored_values(response)))
    html = render_template(
        "residents/done.html", campaign=campaign, feedback=feedback, contact_form=form, contact_token=token
    )
    return html, status


@bp.get("/<slug>/done")
def done(slug: str) -> HTTPResponse | tuple[str, int]:
    """The thank-you page: with the score and the contact form once, right after submitting."""
    # A campaign that closed a moment after someone submitted still thanks them.
    campaign = get_campaign(slug)
    submitted = dict(session.get("submitted", {}))
    marker = submitted.pop(slug, None)
    if marker is not None:
        session["submitted"] = submitted
    public_id = marker.get("id") if isinstance(marker, dict) else None
    response = find_response(public_id, campaign) if isinstance(public_id, str) else None
    if response is None or response.status != "complete":
        # Reloaded, reached by Back or typed in: thanks, but nothing of anyone's response.
        return _render_done(campaign, None, None, None, show_score=False)
    return _render_done(campaign, response, str(marker.get("token", "")), ContactForm(), show_score=True)


@bp.post("/<slug>/contact")
def contact(slug: str) -> HTTPResponse | tuple[str, int]:
    """Optional follow-up contact details, stored apart from the answers (which are not touched).

    The form carries a one-time token bound to the response it follows, valid for 30 minutes."""
    campaign = get_campaign(slug)
    token = request.form.get("contact_token", "")
    form = ContactForm()
    if response_for_contact_token(token, campaign.id) is None:
        flash("This form can no longer be used: contact details can be left once, within 30 minutes of finishing.")
        return see_other(".done", slug=slug)
    if not form.validate():
        return _render_done(campaign, None, token, form, show_score=False, status=422)
    locked = response_for_contact_token(token, campaign.id, lock=True)
    if locked is None:  # a double-clicked "Send" after the first one used the token
        return see_other(".done", slug=slug)
    email, phone = form.email.data or "", form.phone.data or ""
    record_contact(locked, name=form.name.data, email=email, phone=phone, purposes=form.purposes.data)
    db.session.commit()
    flash("Thank you. We will use your details only to invite you to what you chose, kept apart from your answers.")
    return see_other(".done", slug=slug)
