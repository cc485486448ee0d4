"""Retrieval and download of coded excerpts: `/research/excerpts` (every excerpt with a code, in context),
`/research/communities/<slug>/excerpts` (counts by code and deep dive, and what the download holds) and
its `excerpts.zip`. Researchers and admins only; each download is recorded in the data access log."""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response as HTTPResponse
from wtforms.fields.choices import SelectChoice

from survey.access import RESEARCH, roles_required
from survey.audit.access_log import record_download
from survey.blueprints import research as bp
from survey.database import MAX_ID
from survey.deepdives.coding_forms import FilterForm
from survey.deepdives.excerpt_files import (
    LEFT_OUT_REASON,
    excerpt_export,
    excerpts_zip,
    zip_name,
)
from survey.deepdives.retrieval import ExcerptFilter, community_counts, find_excerpts
from survey.extensions import db
from survey.localtime import local_today
from survey.models import Asset, Community, DeepDive, Theme
from survey.web.lookups import community_or_404

_MESSAGES = {
    "community": "Choose a community from the list.",
    "sixways": "Choose a six ways dimension from the list.",
    "asset": "Choose an asset from the list.",
    "theme": "Choose a theme from the list.",
}


def _filter_form() -> tuple[FilterForm, ExcerptFilter | None]:
    """The filter form from the query string, and the filter it gives (None when a value is not in its list)."""
    form = FilterForm(request.args)
    communities = db.session.scalars(select(Community).order_by(Community.name)).all()
    assets = db.session.scalars(select(Asset).join(Community).order_by(Community.name, Asset.name)).all()
    themes: dict[str, str] = {}
    for key, name in db.session.execute(select(Theme.key, Theme.name).order_by(Theme.key, Theme.id)):
        themes.setdefault(key, f"{name} ({key})")  # one option per key: the same code in every codebook
    form.community.choices = [SelectChoice("", "All communities"), *(SelectChoice(c.slug, c.name) for c in communities)]
    form.asset.choices = [
        SelectChoice("", "Any"),
        *(SelectChoice(a.slug, f"{a.name} ({a.community.name})") for a in assets),
    ]
    form.theme.choices = [SelectChoice("", "Any"), *(SelectChoice(key, label) for key, label in themes.items())]
    deep_dive_id = request.args.get("deep_dive", type=int)
    wanted = {name: (request.args.get(name) or "").strip() for name in _MESSAGES}
    for name, value in wanted.items():
        if value and value not in {choice.value for choice in form[name].choices}:
            form[name].errors = [_MESSAGES[name]]
    # A larger number would overflow the database: no deep dive has such an id.
    in_range = deep_dive_id is not None and 0 < deep_dive_id <= MAX_ID
    if deep_dive_id is not None and (not in_range or db.session.get(DeepDive, deep_dive_id) is None):
        form.form_errors.append("That deep dive does not exist (any more): choose the codes to list instead.")
    if form.errors or form.form_errors:
        return form, None
    community = next((c for c in communities if c.slug == wanted["community"]), None)
    asset = next((a for a in assets if a.slug == wanted["asset"]), None)
    return form, ExcerptFilter(
        community_id=community.id if community else None,
        sixways=wanted["sixways"] or None,
        asset_id=asset.id if asset else None,
        theme_key=wanted["theme"] or None,
        deep_dive_id=deep_dive_id,
    )


@bp.get("/excerpts")
@roles_required(*RESEARCH)
def excerpts() -> tuple[str, int]:
    """Every excerpt with the chosen codes across deep dives, in its context."""
    form, filters = _filter_form()
    found = find_excerpts(filters) if filters is not None else None
    deep_dive = db.session.get(DeepDive, filters.deep_dive_id) if filters and filters.deep_dive_id else None
    page = render_template("deepdives/excerpts.html", form=form, found=found, deep_dive=deep_dive)
    return page, 200 if filters is not None else 422


@bp.get("/communities/<slug>/excerpts")
@roles_required(*RESEARCH)
def community_excerpts(slug: str) -> str:
    """Counts of the community's excerpts by code and by deep dive, each linking to the excerpts; the download."""
    community = community_or_404(slug)
    export = excerpt_export(community)
    return render_template(
        "deepdives/excerpts_counts.html",
        community=community,
        counts=community_counts(community),
        export=export,
        left_out_reason=LEFT_OUT_REASON,
    )


@bp.get("/communities/<slug>/excerpts.zip")
@roles_required(*RESEARCH)
def excerpts_download(slug: str) -> HTTPResponse:
    """The excerpts CSV and the codebook CSV, zipped; deep dives without sharing consent left out."""
    community = community_or_404(slug)
    export = excerpt_export(community)
    today = local_today()
    body = excerpts_zip(export, today)
    record_download(
        current_user,
        "excerpts",
        format="zip",
        filters={"community": slug, "left_out": len(export.left_out)},
        row_count=len(export.rows),
    )
    db.session.commit()
    response = HTTPResponse(body, mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="{zip_name(community, today)}"'
    response.headers["Cache-Control"] = "no-store"
    return response
