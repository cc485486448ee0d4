"""Communities: list, create, edit; and the nominations residents made in each."""

from __future__ import annotations

from flask import flash, render_template, request
from sqlalchemy import case, func, select
from werkzeug.wrappers import Response as HTTPResponse

from survey.access import RESEARCH, roles_required
from survey.assets.nominations import count_nominations, list_nominations
from survey.assets.operations import FieldErrors, create_community, update_community
from survey.blueprints import research as bp
from survey.campaigns.forms import CommunityForm
from survey.extensions import db
from survey.models import Asset, Campaign, Community
from survey.web.http import see_other
from survey.web.lookups import attach_errors, community_or_404


@bp.get("/communities")
@roles_required(*RESEARCH)
def communities() -> str:
    """Each community with how many active and retired assets and campaigns it has."""
    active = func.count(case((Asset.retired.is_(False), 1)))
    retired = func.count(case((Asset.retired.is_(True), 1)))
    asset_counts = {
        community_id: (live, gone)
        for community_id, live, gone in db.session.execute(
            select(Asset.community_id, active, retired).group_by(Asset.community_id)
        )
    }
    per_community = select(Campaign.community_id, func.count(Campaign.id)).group_by(Campaign.community_id)
    campaign_counts = {community_id: count for community_id, count in db.session.execute(per_community)}
    rows = db.session.scalars(select(Community).order_by(Community.name)).all()
    return render_template(
        "research/communities.html", communities=rows, asset_counts=asset_counts, campaign_counts=campaign_counts
    )


def _render(form: CommunityForm, community: Community | None = None, status: int = 200) -> tuple[str, int]:
    return render_template("research/community_form.html", form=form, community=community), status


@bp.route("/communities/new", methods=["GET", "POST"])
@roles_required(*RESEARCH)
def new_community() -> HTTPResponse | tuple[str, int]:
    """Add a community, then go to its (empty) asset log."""
    form = CommunityForm()
    if not form.validate_on_submit():
        return _render(form, status=422 if request.method == "POST" else 200)
    try:
        community = create_community(form.slug.data, form.name.data)
    except FieldErrors as error:
        db.session.rollback()
        attach_errors(form, error.problems)
        return _render(form, status=422)
    db.session.commit()
    flash(f"Community {community.name} added. Now build its asset log.")
    return see_other(".assets", slug=community.slug)


@bp.route("/communities/<slug>/edit", methods=["GET", "POST"])
@roles_required(*RESEARCH)
def edit_community(slug: str) -> HTTPResponse | tuple[str, int]:
    """Rename a community or change its slug."""
    community = community_or_404(slug)
    form = CommunityForm(obj=community)
    if not form.validate_on_submit():
        return _render(form, community, status=422 if request.method == "POST" else 200)
    try:
        update_community(community, form.slug.data, form.name.data)
    except FieldErrors as error:
        db.session.rollback()
        attach_errors(form, error.problems)
        return _render(form, community, status=422)
    db.session.commit()
    flash(f"Community {community.name} saved.")
    return see_other(".communities")


NOMINATIONS_PER_PAGE = 50


@bp.get("/communities/<slug>/nominations")
@roles_required(*RESEARCH)
def nominations(slug: str) -> str:
    """Residents' free-text nominations, newest first, each with a link to add it to the asset log."""
    community = community_or_404(slug)
    total = count_nominations(community)
    pages = max(1, -(-total // NOMINATIONS_PER_PAGE))
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), pages)
    rows = list_nominations(community, page, NOMINATIONS_PER_PAGE)
    return render_template(
        "research/nominations.html", community=community, nominations=rows, total=total, page=page, pages=pages
    )
