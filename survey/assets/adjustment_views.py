"""A campaign's SROI adjustments: the list, an edit form per asset, removal, and a checked CSV upload."""

from __future__ import annotations

from functools import partial

from flask import abort, flash, render_template, request
from flask_login import current_user
from werkzeug.wrappers import Response as HTTPResponse

from survey.access import RESEARCH, roles_required
from survey.assets.adjustment_csv import (
    AdjustmentReport,
    check_upload,
    describe,
    export_adjustments,
    upload_adjustments,
)
from survey.assets.adjustments import (
    AssetAdjustment,
    as_percent,
    campaign_asset,
    campaign_assets,
    remove_adjustment,
    stored_adjustment,
)
from survey.assets.adjustments import set_adjustment as store_adjustment
from survey.assets.forms import AdjustmentForm
from survey.assets.operations import FieldErrors
from survey.blueprints import research as bp
from survey.extensions import db
from survey.localtime import local_today
from survey.models import Campaign
from survey.web.http import see_other
from survey.web.lookups import attach_errors, campaign_or_404
from survey.web.uploads import AssetImportForm, ConfirmImportForm, confirmed_text, dry_run


def _item_or_404(campaign: Campaign, asset_slug: str) -> AssetAdjustment:
    item = campaign_asset(campaign, asset_slug)
    if item is None:
        abort(404)
    return item


def _render_list(
    campaign: Campaign,
    form: AssetImportForm | None = None,
    report: AdjustmentReport | None = None,
    confirm: ConfirmImportForm | None = None,
    status: int = 200,
) -> tuple[str, int]:
    return render_template(
        "research/adjustments.html",
        campaign=campaign,
        items=campaign_assets(campaign),
        form=form or AssetImportForm(formdata=None),
        report=report,
        confirm=confirm,
        as_percent=as_percent,
        describe=describe,
    ), status


@bp.get("/campaigns/<slug>/adjustments")
@roles_required(*RESEARCH)
def adjustments(slug: str) -> tuple[str, int]:
    """Every asset the campaign asked about, with its agreed adjustments or "gross"."""
    return _render_list(campaign_or_404(slug))


def _render_form(campaign: Campaign, item: AssetAdjustment, form: AdjustmentForm, status: int = 200) -> tuple[str, int]:
    return render_template("research/adjustment_form.html", campaign=campaign, item=item, form=form), status


@bp.route("/campaigns/<slug>/adjustments/<asset_slug>", methods=["GET", "POST"])
@roles_required(*RESEARCH)
def edit_adjustment(slug: str, asset_slug: str) -> HTTPResponse | tuple[str, int]:
    """Agree or change one asset's adjustments (percentages, a reason, who and when)."""
    campaign = campaign_or_404(slug)
    item = _item_or_404(campaign, asset_slug)
    form = AdjustmentForm.for_adjustment(item.adjustment) if request.method == "GET" else AdjustmentForm()
    if not form.validate_on_submit():
        return _render_form(campaign, item, form, status=422 if request.method == "POST" else 200)
    try:
        store_adjustment(campaign, item.asset, form.values(), current_user)
    except FieldErrors as error:
        db.session.rollback()
        attach_errors(form, error.problems)
        return _render_form(campaign, item, form, status=422)
    db.session.commit()
    flash(f"Adjustments for {item.name} saved: its figures are now reported net of them.")
    return see_other(".adjustments", slug=campaign.slug)


@bp.post("/campaigns/<slug>/adjustments/<asset_slug>/remove")
@roles_required(*RESEARCH)
def remove_adjustments(slug: str, asset_slug: str) -> HTTPResponse | str:
    """Remove one asset's adjustments: its figures are reported gross again. The Remove button shows
    them with a confirmation first (what the room agreed is not undone by a slip); that page's button
    (confirm=yes) removes them, and a second click of it finds them gone."""
    campaign = campaign_or_404(slug)
    item = _item_or_404(campaign, asset_slug)
    if request.form.get("confirm") != "yes":
        row = stored_adjustment(campaign, item.asset)
        if row is not None:
            return render_template(
                "research/adjustment_remove.html", campaign=campaign, item=item, row=row, describe=describe
            )
    if remove_adjustment(campaign, item.asset):
        db.session.commit()
        flash(f"Adjustments for {item.name} removed: its figures are reported gross.")
    else:
        flash(f"{item.name} had no adjustments to remove.")
    return see_other(".adjustments", slug=campaign.slug)


@bp.get("/campaigns/<slug>/adjustments.csv")
@roles_required(*RESEARCH)
def export_adjustments_csv(slug: str) -> HTTPResponse:
    """The stored adjustments as adjustments.csv (the upload's and the analysis's format)."""
    campaign = campaign_or_404(slug)
    response = HTTPResponse("\ufeff" + export_adjustments(campaign), mimetype="text/csv")
    filename = f"{campaign.slug}-adjustments-{local_today().isoformat()}.csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.post("/campaigns/<slug>/adjustments/upload")
@roles_required(*RESEARCH)
def upload_adjustments_csv(slug: str) -> tuple[str, int]:
    """Check an uploaded adjustments.csv: always a dry run first, with every problem by row and column."""
    campaign = campaign_or_404(slug)
    form = AssetImportForm()
    if not form.validate_on_submit():
        return _render_list(campaign, form, status=422)
    return dry_run(form, lambda text: check_upload(campaign, text), partial(_render_list, campaign))


@bp.post("/campaigns/<slug>/adjustments/upload/confirm")
@roles_required(*RESEARCH)
def confirm_adjustments_upload(slug: str) -> HTTPResponse | tuple[str, int]:
    """Store the checked file: checked again, then every row or none."""
    campaign = campaign_or_404(slug)
    confirm = ConfirmImportForm()
    if not confirm.validate_on_submit():
        flash("Nothing to upload: choose a file and check it first.")
        return see_other(".adjustments", slug=slug)
    report = upload_adjustments(campaign, confirmed_text(confirm), current_user)
    if not report.ok:
        db.session.rollback()
        return _render_list(campaign, report=report, status=422)
    db.session.commit()
    flash(
        f"Upload finished: {report.count('create')} added, {report.count('update')} changed, "
        f"{report.count('unchanged')} unchanged."
    )
    return see_other(".adjustments", slug=slug)
