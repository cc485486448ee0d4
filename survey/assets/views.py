"""Asset logs: list, create, edit, retire; CSV export and a checked, all-or-nothing CSV import."""

from __future__ import annotations

from functools import partial

from flask import flash, render_template, request
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response as HTTPResponse

from survey.access import RESEARCH, roles_required
from survey.assets.csv_files import (
    CSV_COLUMNS,
    OPTIONAL_COLUMNS,
    ImportReport,
    check_import,
    export_assets,
    import_assets,
)
from survey.assets.fields import KIND_LABELS
from survey.assets.forms import AssetForm
from survey.assets.nominations import nomination_text
from survey.assets.operations import (
    FieldErrors,
    community_assets,
    create_asset,
    in_any_campaign,
    set_retired,
    update_asset,
)
from survey.assets.places import map_context
from survey.blueprints import research as bp
from survey.extensions import db
from survey.localtime import local_today
from survey.models import Asset, Community
from survey.web.http import see_other
from survey.web.lookups import asset_or_404, attach_errors, community_or_404
from survey.web.uploads import AssetImportForm, ConfirmImportForm, confirmed_text, dry_run


@bp.get("/communities/<slug>/assets")
@roles_required(*RESEARCH)
def assets(slug: str) -> str:
    """The asset log of one community: a map of the active entries, then active and retired ones."""
    community = community_or_404(slug)
    rows = community_assets(community)
    active = [a for a in rows if not a.retired]
    return render_template(
        "research/assets.html",
        community=community,
        active=active,
        retired=[a for a in rows if a.retired],
        kind_labels=KIND_LABELS,
        **map_context(active),
    )


def _render_form(
    form: AssetForm, community: Community, asset: Asset | None = None, status: int = 200, from_nomination: bool = False
) -> tuple[str, int]:
    locked = asset is not None and in_any_campaign(asset)
    return render_template(
        "research/asset_form.html",
        form=form,
        community=community,
        asset=asset,
        slug_locked=locked,
        from_nomination=from_nomination,
    ), status


@bp.route("/communities/<slug>/assets/new", methods=["GET", "POST"])
@roles_required(*RESEARCH)
def new_asset(slug: str) -> HTTPResponse | tuple[str, int]:
    """Add an asset; `?nomination=<id>` pre-fills the description with a resident's nomination."""
    community = community_or_404(slug)
    nomination = request.args.get("nomination", type=int)
    form = AssetForm(data={"description": nomination_text(community, nomination)} if nomination else None)
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return _render_form(form, community, status=status, from_nomination=bool(nomination))
    try:
        asset = create_asset(community, form.asset_fields())
    except FieldErrors as error:
        db.session.rollback()
        attach_errors(form, error.problems)
        return _render_form(form, community, status=422)
    db.session.commit()
    flash(f"{asset.name} added to the asset log. Campaigns opened from now on will ask about it.")
    return see_other(".assets", slug=community.slug)


@bp.route("/assets/<slug>/edit", methods=["GET", "POST"])
@roles_required(*RESEARCH)
def edit_asset(slug: str) -> HTTPResponse | tuple[str, int]:
    """Edit an asset; campaigns already opened keep their copy."""
    asset = asset_or_404(slug)
    community = asset.community
    form = AssetForm.for_asset(asset) if request.method == "GET" else AssetForm()
    if not form.validate_on_submit():
        return _render_form(form, community, asset, status=422 if request.method == "POST" else 200)
    try:
        update_asset(asset, form.asset_fields())
    except FieldErrors as error:
        db.session.rollback()
        attach_errors(form, error.problems)
        return _render_form(form, community, asset, status=422)
    db.session.commit()
    flash(f"{asset.name} saved. Campaigns already opened keep the name they asked about.")
    return see_other(".assets", slug=community.slug)


def _retire(slug: str, retired: bool) -> HTTPResponse:
    asset = asset_or_404(slug)
    set_retired(asset, retired)
    db.session.commit()
    if retired:
        flash(f"{asset.name} retired: campaigns opened from now on will not ask about it.")
    else:
        flash(f"{asset.name} is back in the active asset log.")
    return see_other(".assets", slug=asset.community.slug)


@bp.post("/assets/<slug>/retire")
@roles_required(*RESEARCH)
def retire_asset(slug: str) -> HTTPResponse:
    """Leave an asset out of campaigns opened from now on."""
    return _retire(slug, True)


@bp.post("/assets/<slug>/unretire")
@roles_required(*RESEARCH)
def unretire_asset(slug: str) -> HTTPResponse:
    """Bring a retired asset back into the active log."""
    return _retire(slug, False)


@bp.get("/communities/<slug>/assets.csv")
@roles_required(*RESEARCH)
def export_assets_csv(slug: str) -> HTTPResponse:
    """The whole asset log as a CSV download (the import's format)."""
    community = community_or_404(slug)
    # The byte-order mark makes Excel read the file as UTF-8 (names with accents or a £ sign).
    body = "\ufeff" + export_assets(community)
    response = HTTPResponse(body, mimetype="text/csv")
    filename = f"{community.slug}-assets-{local_today().isoformat()}.csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _render_import(
    community: Community,
    form: AssetImportForm,
    report: ImportReport | None = None,
    confirm: ConfirmImportForm | None = None,
    status: int = 200,
) -> tuple[str, int]:
    return render_template(
        "research/asset_import.html",
        community=community,
        form=form,
        report=report,
        confirm=confirm,
        # From the checker's own lists, so the help cannot drift from what the import accepts.
        required_columns=[name for name in CSV_COLUMNS if name not in OPTIONAL_COLUMNS],
        optional_columns=[name for name in CSV_COLUMNS if name in OPTIONAL_COLUMNS],
    ), status


@bp.route("/communities/<slug>/assets/import", methods=["GET", "POST"])
@roles_required(*RESEARCH)
def import_assets_csv(slug: str) -> tuple[str, int]:
    """Upload a CSV: always a dry run first, with a report of every problem."""
    community = community_or_404(slug)
    form = AssetImportForm()
    if not form.validate_on_submit():
        return _render_import(community, form, status=422 if request.method == "POST" else 200)
    return dry_run(form, lambda text: check_import(community, text), partial(_render_import, community))


@bp.post("/communities/<slug>/assets/import/confirm")
@roles_required(*RESEARCH)
def confirm_import(slug: str) -> HTTPResponse | tuple[str, int]:
    """Import the checked file: checked again, then all rows or none."""
    community = community_or_404(slug)
    confirm = ConfirmImportForm()
    if not confirm.validate_on_submit():
        flash("Nothing to import: choose a file and check it first.")
        return see_other(".import_assets_csv", slug=slug)
    text = confirmed_text(confirm)
    try:
        report = import_assets(community, text)
    except IntegrityError:
        # Another researcher added one of these slugs between our check and our insert.
        db.session.rollback()
        flash(
            "Someone else changed the asset logs while this file was imported, so nothing was imported. "
            "Check the file again."
        )
        return see_other(".import_assets_csv", slug=slug)
    if not report.ok:
        # The log changed between the check and the import (someone else saved): nothing was imported.
        db.session.rollback()
        return _render_import(community, AssetImportForm(formdata=None), report, status=422)
    db.session.commit()
    flash(
        f"Import finished: {report.count('create')} added, {report.count('update')} updated, "
        f"{report.count('unchanged')} unchanged."
    )
    return see_other(".assets", slug=slug)
