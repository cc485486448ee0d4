"""Campaign set-up screens: create and edit drafts, open, close."""

from __future__ import annotations

from typing import Any

from flask import flash, render_template, request
from sqlalchemy import select
from werkzeug.wrappers import Response as HTTPResponse

import instruments
from instruments.answers import quoted
from survey.access import RESEARCH, roles_required
from survey.assets.operations import FieldErrors
from survey.blueprints import research as bp
from survey.campaigns.admin import check_settings, close_open, create_draft, open_draft, update_draft
from survey.campaigns.forms import campaign_data, campaign_form
from survey.campaigns.views import campaign_page
from survey.exceptions import ServiceError
from survey.extensions import db
from survey.models import Community
from survey.web.http import see_other
from survey.web.lookups import attach_errors, campaign_or_404


def _form(data: dict[str, Any] | None = None) -> Any:
    communities = db.session.scalars(select(Community).order_by(Community.name)).all()
    return campaign_form(instruments.catalogue(), communities, data)


def _render(form: Any, campaign: Any = None, status: int = 200) -> tuple[str, int]:
    catalogue = instruments.catalogue()
    return render_template("research/campaign_form.html", form=form, campaign=campaign, catalogue=catalogue), status


def _show_problems(form: Any, problems: dict[str, str]) -> None:
    # The instrument list is spread over one field per instrument: show its problem on the first.
    if "instruments" in problems:
        problems = dict(problems)
        problems[form.instrument_fields[0]] = problems.pop("instruments")
    attach_errors(form, problems)


def _refused(form: Any, campaign: Any = None) -> tuple[str, int]:
    """The form with its field errors and, beside them, the service's own checks (web address,
    instruments, dates in order), so one submit names every problem rather than some now and the
    rest after they are fixed."""
    if form.community_id.data is not None:  # checked by its own field otherwise
        try:
            check_settings(form.settings(), campaign)
        except FieldErrors as error:
            _show_problems(
                form, {name: reason for name, reason in error.problems.items() if not _has_errors(form, name)}
            )
    return _render(form, campaign, status=422)


def _has_errors(form: Any, name: str) -> bool:
    if name == "instruments":
        return any(form[field].errors for field in form.instrument_fields)
    field = form._fields.get(name)
    return bool(field is not None and field.errors)


@bp.route("/campaigns/new", methods=["GET", "POST"])
@roles_required(*RESEARCH)
def new_campaign() -> HTTPResponse | tuple[str, int]:
    """Create a draft campaign; `?community=<id>` preselects the community."""
    preset = request.args.get("community", type=int)
    form = _form({"community_id": preset} if preset else None)
    if request.method == "GET":
        return _render(form)
    if not form.validate_on_submit():
        return _refused(form)
    try:
        campaign = create_draft(form.settings())
    except FieldErrors as error:
        db.session.rollback()
        _show_problems(form, error.problems)
        return _render(form, status=422)
    except ServiceError as error:
        db.session.rollback()
        form.form_errors.append(error.message)
        return _render(form, status=422)
    db.session.commit()
    flash(f"Draft campaign {quoted(campaign.title)} created. Check it, then open it to residents.")
    return see_other(".campaign", slug=campaign.slug)


@bp.route("/campaigns/<slug>/edit", methods=["GET", "POST"])
@roles_required(*RESEARCH)
def edit_campaign(slug: str) -> HTTPResponse | tuple[str, int]:
    """Edit a draft's settings (opened campaigns are fixed)."""
    campaign = campaign_or_404(slug)
    if campaign.status != "draft":
        flash("Only a draft campaign can be edited: this one has opened, so its settings are fixed.")
        return see_other(".campaign", slug=campaign.slug)
    form = _form(campaign_data(campaign))
    if request.method == "GET":
        return _render(form, campaign)
    if not form.validate_on_submit():
        return _refused(form, campaign)
    try:
        update_draft(campaign, form.settings())
    except FieldErrors as error:
        db.session.rollback()
        _show_problems(form, error.problems)
        return _render(form, campaign, status=422)
    db.session.commit()
    flash("Campaign saved.")
    return see_other(".campaign", slug=campaign.slug)


@bp.post("/campaigns/<slug>/open")
@roles_required(*RESEARCH)
def open_campaign(slug: str) -> HTTPResponse:
    """Open a draft to residents, or show why it cannot open (e.g. no WEMWBS licence)."""
    campaign = campaign_or_404(slug)
    try:
        open_draft(campaign)
    except ServiceError as error:
        # A missing WEMWBS licence lands here: its message says how to record one.
        db.session.rollback()
        flash(error.message)
        return see_other(".campaign", slug=slug)
    db.session.commit()
    flash("The campaign is open: residents can answer at its public link.")
    return see_other(".campaign", slug=slug)


@bp.post("/campaigns/<slug>/close")
@roles_required(*RESEARCH)
def close_campaign(slug: str) -> HTTPResponse | tuple[str, int]:
    """Close an open campaign for good, once the confirmation box is ticked."""
    campaign = campaign_or_404(slug)
    if request.form.get("confirm") != "y":
        if campaign.status != "open":  # closed meanwhile (a second tab): the box is no longer shown
            return see_other(".campaign", slug=slug)
        return campaign_page(campaign, "Tick the box to confirm that a closed campaign cannot be reopened"), 422
    try:
        close_open(campaign)
    except ServiceError as error:
        db.session.rollback()
        flash(error.message)
        return see_other(".campaign", slug=slug)
    db.session.commit()
    flash("The campaign is closed: residents can no longer answer it.")
    return see_other(".campaign", slug=slug)
