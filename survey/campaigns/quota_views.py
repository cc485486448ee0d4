"""A campaign's fieldwork quotas: targets per community, age band and gender (researchers edit them)."""

from __future__ import annotations

from flask import flash, render_template, request
from werkzeug.wrappers import Response as HTTPResponse

from survey.access import RESEARCH, roles_required
from survey.assets.operations import FieldErrors
from survey.blueprints import research as bp
from survey.campaigns.quotas import DIMENSION_LABELS, check_targets, quota_progress, set_quotas
from survey.extensions import db
from survey.web.http import see_other
from survey.web.lookups import campaign_or_404


@bp.route("/campaigns/<slug>/quotas", methods=["GET", "POST"])
@roles_required(*RESEARCH)
def quotas(slug: str) -> HTTPResponse | tuple[str, int]:
    campaign = campaign_or_404(slug)
    rows = quota_progress(campaign)
    typed = {row.category.field_name: "" if row.target is None else str(row.target) for row in rows}
    problems: dict[str, str] = {}
    if request.method == "POST":
        typed = {name: request.form.get(name, "") for name in typed}
        try:
            changes = set_quotas(campaign, check_targets(campaign, typed))
        except FieldErrors as error:
            db.session.rollback()
            problems = error.problems
        else:
            db.session.commit()
            flash("Quotas saved." if changes else "No quotas were changed.")
            return see_other(".campaign", slug=campaign.slug, _anchor="quotas-title")
    html = render_template(
        "research/quotas.html",
        campaign=campaign,
        rows=rows,
        typed=typed,
        problems=problems,
        labels=DIMENSION_LABELS,
    )
    return html, 422 if problems else 200
