"""Asset profiles and profile packs: researchers' pages, and the peers' read-only profiles.

Profile pages only read the stored analysis snapshot (`survey.datasets.snapshots`); preparing the
figures is a POST that queues a job. Peers see the profiles of their own communities' assets under
/fieldwork/ (read-only: no rebuild button, and residents' nominations counted, not quoted); an
asset of another community answers 404, as if it did not exist. Both show what deep-dive interviews
said about the asset (`survey.deepdives.quotes`, read live): peers see their own communities' deep
dives anyway, so their quotes too.
"""

from __future__ import annotations

from flask import Response, abort, flash, render_template, request
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response as HTTPResponse

from survey import jobs
from survey.access import RESEARCH, STAFF, roles_required, scope_to_user, scoped_or_404
from survey.assets.places import map_context
from survey.audit.access_log import record_download
from survey.blueprints import fieldwork, research
from survey.datasets import profile_packs, profiles, snapshots
from survey.datasets.job_names import campaign_titles, job_scope
from survey.datasets.workshop_ratings import ratings_for
from survey.deepdives.quotes import asset_quotes
from survey.exceptions import ServiceError
from survey.extensions import db
from survey.models import Asset, Campaign, Community, ProfilePackJob
from survey.web.http import see_other
from survey.web.lookups import asset_or_404, community_or_404

PROFILE_QUOTES = 3  # deep-dive quotes on a profile page (the pack shows fewer: profile_packs.PACK_QUOTES)


def _profile_page(asset: Asset, *, staff_can_rebuild: bool, show_nominations: bool) -> str:
    state = profiles.profile_state(asset.community)
    return render_template(
        "profiles/asset_profile.html",
        asset=asset,
        community=asset.community,
        state=state,
        profile=profiles.asset_profile(asset, state.snapshot, ratings_for(asset.community)),
        staff_can_rebuild=staff_can_rebuild,
        show_nominations=show_nominations,
        deep_dives=asset_quotes([asset.id], limit_per_asset=PROFILE_QUOTES)[asset.id],
        asset_map=profile_packs.asset_maps(asset.community).get(asset.slug),
    )


@research.get("/assets/<slug>/profile")
@roles_required(*RESEARCH)
def asset_profile_page(slug: str) -> str:
    """An asset's profile from the stored figures (or where their preparation stands)."""
    return _profile_page(asset_or_404(slug), staff_can_rebuild=True, show_nominations=True)


@research.post("/assets/<slug>/profile/prepare")
@roles_required(*RESEARCH)
def rebuild_profiles(slug: str) -> HTTPResponse:
    """Queue the figures of the asset's community (one build however often the button is pressed)."""
    asset = asset_or_404(slug)
    snapshot = snapshots.request_snapshot(current_user, asset.community)
    db.session.commit()
    if snapshot.status == "queued":
        snapshots.start(snapshot.id)
    flash(f"The figures for {asset.community.name} are being prepared.")
    return see_other(".asset_profile_page", slug=asset.slug)


@fieldwork.get("/assets")
@roles_required(*STAFF)
def asset_profiles() -> str:
    """The assets of the communities the signed-in user works in, with links to their profiles, and their map."""
    query = scope_to_user(
        select(Asset).join(Community).where(Asset.retired.is_(False)).order_by(Community.name, Asset.name),
        Asset.community_id,
        current_user,
    )
    assets = db.session.scalars(query).all()
    return render_template("profiles/fieldwork_assets.html", assets=assets, **map_context(assets))


@fieldwork.get("/assets/<slug>/profile")
@roles_required(*STAFF)
def asset_profile(slug: str) -> str:
    """A read-only profile for peers (their own communities' assets only)."""
    asset = scoped_or_404(Asset, slug=slug)
    return _profile_page(asset, staff_can_rebuild=False, show_nominations=current_user.role in RESEARCH)


@research.get("/communities/<slug>/profile-packs")
@roles_required(*RESEARCH)
def profile_packs_page(slug: str) -> str:
    community = community_or_404(slug)
    campaigns = db.session.scalars(
        select(Campaign)
        .where(Campaign.community_id == community.id, Campaign.practice.is_(False), Campaign.status != "draft")
        .order_by(Campaign.title)
    ).all()
    packs = db.session.scalars(
        select(ProfilePackJob)
        .where(ProfilePackJob.community_slug == community.slug)
        .order_by(ProfilePackJob.id.desc())
        .limit(20)
    ).all()
    titles = campaign_titles(job.campaign_slug for job in packs)
    return render_template("profiles/packs.html", community=community, campaigns=campaigns, jobs=packs, titles=titles)


@research.post("/communities/<slug>/profile-packs")
@roles_required(*RESEARCH)
def start_profile_pack(slug: str) -> HTTPResponse:
    """Queue a pack (all non-practice campaigns, or the one chosen) and show its progress."""
    community = community_or_404(slug)
    try:
        job = profile_packs.request_pack(current_user, community, request.form.get("campaign") or None)
    except ServiceError as error:
        flash(error.message)
        return see_other(".profile_packs_page", slug=community.slug)
    db.session.commit()
    if job.status == "queued":
        profile_packs.start(job.id)
    return see_other(".profile_pack", job_id=job.id)


@research.get("/profile-packs/<int:job_id>")
@roles_required(*RESEARCH)
def profile_pack(job_id: int) -> str:
    job = db.get_or_404(ProfilePackJob, job_id)
    ready = jobs.finished_file(job) is not None
    return render_template("profiles/pack_job.html", job=job, scope=job_scope(job), ready=ready)


@research.get("/profile-packs/<int:job_id>/<name>")
@roles_required(*RESEARCH)
def download_profile_pack(job_id: int, name: str) -> Response:
    """``profiles.pdf`` or ``profiles.html`` of a finished pack, as a download."""
    job = db.get_or_404(ProfilePackJob, job_id)
    body = profile_packs.pack_file(job, name)
    if body is None:
        abort(404)
    scope = {"job": job.id, "community": job.community_slug, "campaign": job.campaign_slug}
    record_download(current_user, "profile-pack", format=name.rpartition(".")[2], filters=scope)
    db.session.commit()  # logged before the first byte leaves
    mimetype = "application/pdf" if name.endswith(".pdf") else "text/html"
    response = Response(body, mimetype=mimetype)
    # A download, not a page: the pack's own style sheet never runs under the app's CSP.
    response.headers["Content-Disposition"] = f'attachment; filename="profile-pack-{job_id}-{name}"'
    return response
