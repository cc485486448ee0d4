"""The codebook pages (`/research/campaigns/<slug>/themes`): a campaign's themes listed, added, changed and
deleted, and the codebook CSV. Researchers and admins only (peers code nothing: survey.deepdives)."""

from __future__ import annotations

from flask import abort, flash, render_template, request
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response as HTTPResponse

from survey.access import RESEARCH, roles_required
from survey.assets.operations import FieldErrors
from survey.audit.access_log import record_download
from survey.blueprints import research as bp
from survey.deepdives.coding_forms import ConfirmDeleteForm, ThemeForm
from survey.deepdives.excerpt_files import codebook_csv
from survey.deepdives.themes import (
    KIND_LABELS,
    add_theme,
    campaign_themes,
    code_counts_by_theme,
    codebook_entries,
    delete_theme,
    theme_code_count,
    update_theme,
)
from survey.extensions import db
from survey.localtime import local_today
from survey.models import Campaign, Theme
from survey.web.http import see_other
from survey.web.lookups import attach_errors, campaign_or_404


def _theme_or_404(campaign: Campaign, key: str) -> Theme:
    theme = db.session.scalar(select(Theme).filter_by(campaign_id=campaign.id, key=key))
    if theme is None:
        abort(404)
    return theme


@bp.get("/campaigns/<slug>/themes")
@roles_required(*RESEARCH)
def themes(slug: str) -> str:
    """The campaign's codebook: its themes with how many excerpts each codes."""
    campaign = campaign_or_404(slug)
    return render_template(
        "deepdives/themes.html",
        campaign=campaign,
        themes=campaign_themes(campaign),
        counts=code_counts_by_theme(campaign),
        kind_labels=KIND_LABELS,
    )


def _render_form(campaign: Campaign, form: ThemeForm, theme: Theme | None, status: int) -> tuple[str, int]:
    return render_template("deepdives/themes_form.html", campaign=campaign, form=form, theme=theme), status


@bp.route("/campaigns/<slug>/themes/new", methods=["GET", "POST"])
@roles_required(*RESEARCH)
def new_theme(slug: str) -> HTTPResponse | tuple[str, int]:
    """Add a theme to the campaign's codebook."""
    campaign = campaign_or_404(slug)
    form = ThemeForm()
    if not form.validate_on_submit():
        return _render_form(campaign, form, None, 422 if request.method == "POST" else 200)
    try:
        theme = add_theme(campaign, form.key.data or "", form.name.data or "", form.description.data or "")
    except FieldErrors as error:
        db.session.rollback()
        attach_errors(form, error.problems)
        return _render_form(campaign, form, None, 422)
    db.session.commit()
    flash(f"Theme {theme.name} added to the codebook.")
    return see_other(".themes", slug=campaign.slug)


@bp.route("/campaigns/<slug>/themes/<key>/edit", methods=["GET", "POST"])
@roles_required(*RESEARCH)
def edit_theme(slug: str, key: str) -> HTTPResponse | tuple[str, int]:
    """Change a theme's key, name or description; the excerpts it codes keep it."""
    campaign = campaign_or_404(slug)
    theme = _theme_or_404(campaign, key)
    form = ThemeForm(obj=theme) if request.method == "GET" else ThemeForm()
    if not form.validate_on_submit():
        return _render_form(campaign, form, theme, 422 if request.method == "POST" else 200)
    try:
        update_theme(theme, form.key.data or "", form.name.data or "", form.description.data or "")
    except FieldErrors as error:
        db.session.rollback()
        attach_errors(form, error.problems)
        return _render_form(campaign, form, theme, 422)
    db.session.commit()
    flash(f"Theme {theme.name} saved.")
    return see_other(".themes", slug=campaign.slug)


@bp.post("/campaigns/<slug>/themes/<key>/delete")
@roles_required(*RESEARCH)
def delete_theme_page(slug: str, key: str) -> HTTPResponse | tuple[str, int]:
    """Delete a theme; one that codes excerpts is deleted only once the count of codes going was shown."""
    campaign = campaign_or_404(slug)
    theme = _theme_or_404(campaign, key)
    form = ConfirmDeleteForm()
    if not form.validate_on_submit():
        abort(400)
    codes = theme_code_count(theme)
    if codes and form.confirm.data != "yes":
        page = render_template("deepdives/themes_delete.html", campaign=campaign, theme=theme, codes=codes, form=form)
        return page, 200
    name = theme.name
    delete_theme(theme)
    db.session.commit()
    flash(
        f"Theme {name} deleted" + (f", with its {codes} code{'' if codes == 1 else 's'} on excerpts." if codes else ".")
    )
    return see_other(".themes", slug=campaign.slug)


@bp.get("/campaigns/<slug>/themes.csv")
@roles_required(*RESEARCH)
def themes_csv(slug: str) -> HTTPResponse:
    """The whole code system of the campaign: the six ways, its community's assets and its themes."""
    campaign = campaign_or_404(slug)
    entries = codebook_entries(campaign.community, campaign_themes(campaign))
    record_download(current_user, "excerpt-codebook", format="csv", filters={"campaign": slug}, row_count=len(entries))
    db.session.commit()
    response = HTTPResponse(codebook_csv(entries), mimetype="text/csv")
    filename = f"{campaign.slug}-codebook-{local_today().isoformat()}.csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
