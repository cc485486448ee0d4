"""Paper forms: batches (issue, list, PDF, print view), tracking returns, and keying statistics."""

from __future__ import annotations

import secrets
from typing import cast

from flask import abort, flash, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response as HTTPResponse
from wtforms.fields.choices import SelectChoice

from survey.access import RESEARCH, STAFF, require_community, roles_required, scope_to_user
from survey.blueprints import paper as bp
from survey.exceptions import NotFoundError, ServiceError
from survey.extensions import db
from survey.models import PAPER_FORM_STATUSES, Campaign, Discrepancy, PaperBatch, PaperForm, User
from survey.paper import jobs as paper_jobs
from survey.paper import operations as papers
from survey.paper.forms import IssueForm, ReturnsForm
from survey.paper.printing import form_sections
from survey.paper.serials import SerialError
from survey.paper.statistics import entry_stats
from survey.web.http import see_other_url


def visible_form(serial: str) -> PaperForm:
    """The form with exactly this serial, if the signed-in user may see its community; else 404."""
    form = db.session.scalar(select(PaperForm).filter_by(serial=serial))
    if form is None:
        abort(404)
    require_community(current_user, form.campaign.community_id)
    return form


def _visible_batch(batch_id: int) -> PaperBatch:
    batch = db.get_or_404(PaperBatch, batch_id)
    require_community(current_user, batch.campaign.community_id)
    return batch


def _campaign(slug: str, *statuses: str) -> Campaign:
    campaign = db.session.scalar(select(Campaign).where(Campaign.slug == slug, Campaign.status.in_(statuses)))
    if campaign is None:
        abort(404)
    require_community(current_user, campaign.community_id)
    return campaign


@bp.get("/")
@roles_required(*STAFF)
def home() -> str:
    query = select(PaperBatch).join(Campaign, PaperBatch.campaign_id == Campaign.id).order_by(PaperBatch.id.desc())
    batches = db.session.scalars(scope_to_user(query, Campaign.community_id, current_user)).all()
    research = current_user.role in RESEARCH
    campaigns = (
        db.session.scalars(select(Campaign).where(Campaign.status == "open").order_by(Campaign.title)).all()
        if research
        else []
    )
    return render_template(
        "paper/home.html",
        batches=batches,
        counts=papers.batch_status_counts(batch.id for batch in batches),
        statuses=PAPER_FORM_STATUSES,
        campaigns=campaigns,
        awaiting_second=papers.forms_awaiting_second_entry(current_user),
        awaiting_resolution=papers.forms_awaiting_resolution(current_user) if research else [],
    )


def _recipient_choices(campaign: Campaign) -> list[SelectChoice]:
    recipients = papers.allowed_recipients(campaign, current_user)
    peers = [SelectChoice(value=user.id, label=f"{user.display_name} (peer researcher)") for user in recipients[1:]]
    return [*peers, SelectChoice(value=current_user.id, label=f"Myself ({current_user.display_name})")]


@bp.route("/campaigns/<slug>/issue", methods=["GET", "POST"])
@roles_required(*RESEARCH)
def issue(slug: str) -> HTTPResponse | tuple[str, int]:
    campaign = _campaign(slug, "open")
    form = IssueForm()
    form.issued_to.choices = _recipient_choices(campaign)

    def render(status: int) -> tuple[str, int]:
        return render_template("paper/issue.html", campaign=campaign, form=form), status

    if request.method == "GET":
        form.issue_token.data = secrets.token_urlsafe(24)
        return render(200)
    if not form.validate():
        if form.issue_token.errors:
            abort(400)
        return render(422)
    recipient = db.get_or_404(User, form.issued_to.data)
    try:
        # The forms are numbered now; the PDF is made by a background job whose progress the batch page shows.
        size = cast(int, form.size.data)  # InputRequired: a validated form has a number
        token = form.issue_token.data or None
        batch = papers.issue_batch(campaign, recipient, current_user, size, render_pdf=False, issue_token=token)
    except papers.AlreadyIssued as issued:
        db.session.rollback()
        return see_other_url(url_for(".batch", batch_id=issued.batch.id))
    except ServiceError as problem:
        db.session.rollback()
        form.size.errors = [problem.message]
        return render(422)
    db.session.commit()
    paper_jobs.start(batch.id)
    flash(
        f"Issued {batch.size} forms ({batch.forms[0].serial} to {batch.forms[-1].serial}) to "
        f"{recipient.display_name}. The PDF is being made: download it from this page when it is ready."
    )
    return see_other_url(url_for(".batch", batch_id=batch.id))


@bp.post("/batches/<int:batch_id>/pdf/again")
@roles_required(*RESEARCH)
def remake_pdf(batch_id: int) -> HTTPResponse:
    """Make a batch's PDF again after its job failed."""
    batch = _visible_batch(batch_id)
    if batch.pdf_status != "failed":
        flash("The PDF of this batch has not failed, so it is not made again.")
        return see_other_url(url_for(".batch", batch_id=batch.id))
    paper_jobs.queue_pdf(batch)
    db.session.commit()
    paper_jobs.start(batch.id)
    return see_other_url(url_for(".batch", batch_id=batch.id))


@bp.get("/batches/<int:batch_id>")
@roles_required(*STAFF)
def batch(batch_id: int) -> str:
    batch = _visible_batch(batch_id)
    open_counts: dict[int, int] = {}
    for discrepancy in db.session.scalars(
        select(Discrepancy).join(PaperForm).where(PaperForm.batch_id == batch.id, Discrepancy.resolved.is_(False))
    ):
        open_counts[discrepancy.form_id] = open_counts.get(discrepancy.form_id, 0) + 1
    return render_template(
        "paper/batch.html",
        batch=batch,
        counts=papers.batch_status_counts([batch.id])[batch.id],
        statuses=PAPER_FORM_STATUSES,
        changeable=papers.CHANGEABLE_STATUSES,
        open_counts=open_counts,
        research=current_user.role in RESEARCH,
    )


@bp.get("/batches/<int:batch_id>/pdf")
@roles_required(*STAFF)
def batch_pdf(batch_id: int) -> HTTPResponse:
    batch = _visible_batch(batch_id)
    # The PDF was rendered once when the batch was issued: serve those bytes, never re-render.
    pdf = db.session.scalar(select(PaperBatch.pdf).where(PaperBatch.id == batch.id))
    if pdf is None:
        abort(404)
    name = f"{batch.campaign.slug}-batch-{batch.id}.pdf"
    return HTTPResponse(
        pdf, mimetype="application/pdf", headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@bp.get("/campaigns/<slug>/print")
@roles_required(*STAFF)
def print_form(slug: str) -> str:
    campaign = _campaign(slug, "open", "closed")
    return render_template("paper/print_form.html", campaign=campaign, sections=form_sections(campaign))


@bp.post("/forms/<serial>/status")
@roles_required(*STAFF)
def form_status(serial: str) -> HTTPResponse:
    form = visible_form(serial)
    status = request.form.get("status", "")
    try:
        papers.set_form_status(form, status)
    except ServiceError as problem:
        db.session.rollback()
        flash(problem.message)
    else:
        db.session.commit()
        flash(f"Form {form.serial} marked {status}.")
    return see_other_url(url_for(".batch", batch_id=form.batch_id))


@bp.route("/returns", methods=["GET", "POST"])
@roles_required(*STAFF)
def returns() -> HTTPResponse | tuple[str, int]:
    form = ReturnsForm()

    def render(status: int) -> tuple[str, int]:
        return render_template("paper/returns.html", form=form), status

    if request.method == "GET":
        return render(200)
    if not form.validate():
        return render(422)
    try:
        paper_form = papers.find_form(form.serial.data or "", current_user)
        papers.set_form_status(paper_form, form.status.data)
    except SerialError as problem:
        form.serial.errors = [str(problem)]
        return render(422)
    except NotFoundError as problem:
        form.serial.errors = [problem.message]
        return render(404)
    except ServiceError as problem:
        db.session.rollback()
        form.serial.errors = [problem.message]
        return render(409)
    db.session.commit()
    flash(f"Form {paper_form.serial} marked {form.status.data}. Type the next serial.")
    return see_other_url(url_for(".returns"))


@bp.get("/stats")
@roles_required(*RESEARCH)
def stats() -> str:
    campaigns = db.session.scalars(
        select(Campaign).where(Campaign.id.in_(select(PaperForm.campaign_id))).order_by(Campaign.title)
    ).all()
    chosen = request.args.get("campaign", type=int)
    if chosen is not None and chosen not in {campaign.id for campaign in campaigns}:
        chosen = None
    return render_template("paper/stats.html", rows=entry_stats(chosen), campaigns=campaigns, chosen=chosen)
