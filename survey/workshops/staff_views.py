"""Staff screens for workshops (`/research/workshops`): the list, opening one, the facilitator's
screen with its polled figures, hiding comments, agreeing adjustments, closing, the results CSV.

Researchers and admins see every workshop; peer researchers run them for their own communities
only (another community's workshop answers 404, as if it did not exist).
"""

from __future__ import annotations

from flask import abort, flash, jsonify, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response as HTTPResponse

from survey.access import STAFF, roles_required, scope_to_user, scoped_or_404
from survey.assets.adjustments import stored_adjustment
from survey.assets.forms import WorkshopAdjustmentForm
from survey.assets.operations import FieldErrors
from survey.audit.access_log import record_download
from survey.blueprints import research as bp
from survey.datasets import snapshots
from survey.datasets.profiles import profile_state
from survey.extensions import db
from survey.localtime import local_today
from survey.models import Asset, Campaign, Community, Workshop
from survey.web.http import see_other, see_other_url
from survey.web.lookups import attach_errors
from survey.workshops.codes import display_code
from survey.workshops.forms import ChooseCommunityForm, open_form
from survey.workshops.operations import (
    agree_adjustment,
    close_workshop,
    current_assets,
    open_workshop,
    set_comment_hidden,
    target_campaign,
    workshop_asset,
)
from survey.workshops.rendering import render_workshop_page
from survey.workshops.results import RATING_LABELS, asset_summaries, participant_count, results_csv, summary_json


def _workshop_or_404(workshop_id: int) -> Workshop:
    return scoped_or_404(Workshop, id=workshop_id)


def _communities() -> list[Community]:
    query = select(Community).order_by(Community.name)
    return list(db.session.scalars(scope_to_user(query, Community.id, current_user)))


@bp.get("/workshops")
@roles_required(*STAFF)
def workshops() -> str:
    """Every workshop the user may see, newest first."""
    query = select(Workshop).order_by(Workshop.held_on.desc(), Workshop.id.desc())
    rows = db.session.scalars(scope_to_user(query, Workshop.community_id, current_user)).all()
    return render_template("research/workshops.html", workshops=rows, display_code=display_code)


def _campaigns(community: Community) -> list[Campaign]:
    return [c for c in community.campaigns if not c.practice and c.status != "draft"]


@bp.route("/workshops/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def new_workshop() -> HTTPResponse | tuple[str, int]:
    """Open a workshop: first choose the community (a GET form), then title, date, campaign and assets."""
    communities = _communities()
    chooser = ChooseCommunityForm(request.args)
    chooser.community.choices = [(c.slug, c.name) for c in communities]
    community = next((c for c in communities if c.slug == request.args.get("community")), None)
    if community is None:
        status = 422 if request.method == "POST" or "community" in request.args else 200
        if status == 422:
            chooser.community.errors = ["Choose a community from the list."]
        return render_template("research/workshop_new.html", chooser=chooser, community=None, form=None), status
    campaigns, assets = _campaigns(community), current_assets(community)
    if request.method == "GET":
        title = f"{community.name} impact workshop"
        form = open_form(
            campaigns, assets, data={"title": title, "held_on": local_today(), "assets": [a.slug for a in assets]}
        )
        return _render_new(chooser, community, form, 200)
    form = open_form(campaigns, assets)
    if not form.validate_on_submit():
        return _render_new(chooser, community, form, 422)
    chosen = [a for a in assets if a.slug in set(form.assets.data or [])]
    campaign = next((c for c in campaigns if c.slug == form.campaign.data), None)
    try:
        workshop = open_workshop(
            community, form.title.data, form.held_on.data or local_today(), current_user, campaign, chosen
        )
    except FieldErrors as error:
        db.session.rollback()
        attach_errors(form, error.problems)
        return _render_new(chooser, community, form, 422)
    db.session.commit()
    flash(f"Workshop opened. Participants join with the code {display_code(workshop.code)}.")
    return see_other(".workshop", workshop_id=workshop.id)


def _render_new(chooser: ChooseCommunityForm, community: Community, form: object, status: int) -> tuple[str, int]:
    return render_template("research/workshop_new.html", chooser=chooser, community=community, form=form), status


@bp.get("/workshops/<int:workshop_id>")
@roles_required(*STAFF)
def workshop(workshop_id: int) -> str:
    """The facilitator's screen, fit for a projector: the code, each asset's ratings and comments."""
    return _workshop_page(_workshop_or_404(workshop_id))


def _workshop_page(found: Workshop, close_error: str | None = None) -> str:
    """The facilitator's screen; `close_error` when Close was pressed without its box ticked."""
    campaign = target_campaign(found)
    adjustments = {
        link.asset_id: stored_adjustment(campaign, link.asset) for link in found.assets if campaign is not None
    }
    return render_workshop_page(
        "research/workshop.html",
        found,
        summaries=asset_summaries(found),
        participants=participant_count(found),
        rating_labels=RATING_LABELS,
        campaign=campaign,
        adjustments=adjustments,
        # Which figures the cards show, and whether newer responses have come in since.
        figures=profile_state(found.community),
        close_error=close_error,
    )


@bp.get("/workshops/<int:workshop_id>/ratings.json")
@roles_required(*STAFF)
def workshop_ratings(workshop_id: int) -> HTTPResponse:
    """The figures the facilitator's screen polls for."""
    response = jsonify(summary_json(_workshop_or_404(workshop_id)))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/workshops/<int:workshop_id>/results.csv")
@roles_required(*STAFF)
def workshop_results(workshop_id: int) -> HTTPResponse:
    """One row per participant and asset rated (columns in survey.workshops.results.CSV_COLUMNS)."""
    found = _workshop_or_404(workshop_id)
    body, rows = results_csv(found)
    scope = {"workshop": display_code(found.code), "community": found.community.slug}
    record_download(current_user, "workshop-results", format="csv", filters=scope, row_count=rows)
    db.session.commit()  # logged before the first byte leaves
    response = HTTPResponse("\ufeff" + body, mimetype="text/csv")
    filename = f"workshop-{display_code(found.code)}-{local_today().isoformat()}.csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.post("/workshops/<int:workshop_id>/close")
@roles_required(*STAFF)
def close(workshop_id: int) -> HTTPResponse | tuple[str, int]:
    """Stop ratings: the code then answers "this workshop has closed"."""
    found = _workshop_or_404(workshop_id)
    if request.form.get("confirm") != "y":
        if found.status != "open":  # closed meanwhile (a second tab): the box is no longer shown
            return see_other(".workshop", workshop_id=found.id)
        return _workshop_page(found, "Tick the box to confirm that a closed workshop cannot be reopened"), 422
    if close_workshop(found):
        db.session.commit()
        flash("Workshop closed: participants can no longer rate. The results stay here.")
    return see_other(".workshop", workshop_id=found.id)


def _comment_visibility(workshop_id: int, rating_id: int, hidden: bool) -> HTTPResponse:
    found = _workshop_or_404(workshop_id)
    rating = set_comment_hidden(found, rating_id, hidden)
    if rating is None:
        abort(404)
    db.session.commit()
    flash("Comment hidden from the screen and the results." if hidden else "Comment shown again.")
    return see_other_anchor(found, rating.asset.slug)


def see_other_anchor(workshop: Workshop, slug: str) -> HTTPResponse:
    """Back to the facilitator's screen at the asset just handled."""
    return see_other_url(url_for(".workshop", workshop_id=workshop.id) + f"#asset-{slug}")


@bp.post("/workshops/<int:workshop_id>/comments/<int:rating_id>/hide")
@roles_required(*STAFF)
def hide_comment(workshop_id: int, rating_id: int) -> HTTPResponse:
    return _comment_visibility(workshop_id, rating_id, True)


@bp.post("/workshops/<int:workshop_id>/comments/<int:rating_id>/show")
@roles_required(*STAFF)
def show_comment(workshop_id: int, rating_id: int) -> HTTPResponse:
    return _comment_visibility(workshop_id, rating_id, False)


def _asset_or_404(found: Workshop, slug: str) -> Asset:
    asset = workshop_asset(found, slug)
    if asset is None:
        abort(404)
    return asset


@bp.route("/workshops/<int:workshop_id>/assets/<slug>/adjustments", methods=["GET", "POST"])
@roles_required(*STAFF)
def workshop_adjustment(workshop_id: int, slug: str) -> HTTPResponse | tuple[str, int]:
    """Record the adjustments the room agreed for one asset: the campaign's, with this workshop as source."""
    found = _workshop_or_404(workshop_id)
    asset = _asset_or_404(found, slug)
    campaign = target_campaign(found)
    if request.method == "GET":
        stored = stored_adjustment(campaign, asset) if campaign is not None else None
        form = WorkshopAdjustmentForm.for_adjustment(stored)
        if stored is None:
            form.agreed_by.data = f"Impact workshop: {found.title}"
            form.agreed_on.data = found.held_on.isoformat()
        return _render_adjustment(found, asset, campaign, form, 200)
    form = WorkshopAdjustmentForm()
    if not form.validate_on_submit():
        return _render_adjustment(found, asset, campaign, form, 422)
    try:
        row = agree_adjustment(found, asset, form.values(), current_user)
    except FieldErrors as error:
        db.session.rollback()
        attach_errors(form, error.problems)
        return _render_adjustment(found, asset, campaign, form, 422)
    db.session.commit()
    # The profiles' stored net values used the old adjustments: queue new figures.
    refreshed = snapshots.refresh_after_change(current_user, [row.campaign.slug])
    db.session.commit()
    for snapshot in refreshed:
        snapshots.start(snapshot.id)
    flash(f"Adjustments for {asset.name} recorded as agreed at this workshop.")
    return see_other_anchor(found, asset.slug)


def _render_adjustment(
    found: Workshop, asset: Asset, campaign: Campaign | None, form: WorkshopAdjustmentForm, status: int
) -> tuple[str, int]:
    page = render_workshop_page("research/workshop_adjustment.html", found, asset=asset, campaign=campaign, form=form)
    return page, status
