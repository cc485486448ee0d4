"""Analysis snapshots: the asset profiles' figures, built off the request on the job queue and stored.

A profile page never runs the models: it reads the newest finished `AnalysisSnapshot` of its scope
(a community, with all its non-practice campaigns or one of them; verified responses only). A
snapshot is built by the report's own analysis run (`report_build.analyse_database`) and
`analysis.profile.profile_snapshot`, so its numbers are the report's.

What triggers a rebuild:
- a researcher's POST ("Prepare the figures" / "Rebuild the figures" on a profile page), never a
  page view (GET requests write nothing);
- a profile pack (web job or ``flask profiles``) whose snapshot is missing or out of date builds a
  fresh one first, so a printed pack always matches the data;
- a responses import queues new figures for the communities it added to (`refresh_after_change`), and
  anything else that changes the data or the agreed adjustments (a workshop agreeing adjustments) can
  do the same after its commit.
Each snapshot stores a fingerprint of its data (responses, adjustments, asset log), so a page can say
the figures are out of date whatever changed them.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import func, select

from analysis.profile import profile_snapshot
from instruments.answers import quoted
from survey import jobs
from survey.assets.nominations import list_nominations, mentioned_assets
from survey.database import utcnow
from survey.exceptions import ServiceError
from survey.extensions import db
from survey.models import AnalysisSnapshot, Asset, Campaign, Community, Response, User, ValuationAdjustment

# Enough for every nomination a community has had (the nominations page pages by 50).
ALL_NOMINATIONS = 100_000


def campaign_in_scope(community: Community, campaign_slug: str | None) -> str | None:
    """The campaign slug checked against the community (None: all its non-practice campaigns)."""
    if not campaign_slug:
        return None
    campaign = db.session.scalar(select(Campaign).filter_by(slug=campaign_slug, community_id=community.id))
    if campaign is None:
        raise ServiceError(f"{community.name} has no campaign {quoted(campaign_slug)}.")
    if campaign.practice:
        raise ServiceError("Practice campaigns never enter an analysis.")
    return campaign.slug


def fingerprint(community: Community, campaign_slug: str | None) -> tuple[str, int]:
    """A digest of the data a snapshot of this scope reads, and its number of verified responses.

    Any response completed, corrected or verified, any adjustment agreed or changed and any asset
    renamed or costed changes the digest (counts and latest change times of each).
    """
    responses = (
        select(func.count(Response.id), func.max(Response.updated_at))
        .join(Campaign, Campaign.id == Response.campaign_id)
        .where(
            Response.community_id == community.id,
            Response.status == "complete",
            Response.verified.is_(True),
            Campaign.practice.is_(False),
        )
    )
    adjustments = (
        select(func.count(ValuationAdjustment.id), func.max(ValuationAdjustment.updated_at))
        .join(Campaign, Campaign.id == ValuationAdjustment.campaign_id)
        .where(Campaign.community_id == community.id)
    )
    if campaign_slug:
        responses = responses.where(Campaign.slug == campaign_slug)
        adjustments = adjustments.where(Campaign.slug == campaign_slug)
    assets = select(func.count(Asset.id), func.max(Asset.updated_at)).where(Asset.community_id == community.id)
    counted, latest = db.session.execute(responses).one()
    parts = [counted, latest, *db.session.execute(adjustments).one(), *db.session.execute(assets).one()]
    digest = hashlib.sha256("|".join(str(part) for part in parts).encode()).hexdigest()
    return digest, int(counted or 0)


def _scope(community: Community, campaign_slug: str | None) -> Any:
    slug_matches = (
        AnalysisSnapshot.campaign_slug.is_(None)
        if campaign_slug is None
        else AnalysisSnapshot.campaign_slug == campaign_slug
    )
    return select(AnalysisSnapshot).where(AnalysisSnapshot.community_id == community.id, slug_matches)


def current_snapshot(community: Community, campaign_slug: str | None = None) -> AnalysisSnapshot | None:
    """The newest finished snapshot of the scope, or None."""
    query = _scope(community, campaign_slug).where(AnalysisSnapshot.status == "done")
    return db.session.scalar(query.order_by(AnalysisSnapshot.id.desc()).limit(1))


def latest_attempt(community: Community, campaign_slug: str | None = None) -> AnalysisSnapshot | None:
    """The newest snapshot of the scope in any state (queued, running, done or failed)."""
    return db.session.scalar(_scope(community, campaign_slug).order_by(AnalysisSnapshot.id.desc()).limit(1))


def is_stale(snapshot: AnalysisSnapshot) -> bool:
    """True when the data has changed since the snapshot was built."""
    return snapshot.fingerprint != fingerprint(snapshot_community(snapshot), snapshot.campaign_slug)[0]


def snapshot_community(snapshot: AnalysisSnapshot) -> Community:
    return db.session.get_one(Community, snapshot.community_id)


def request_snapshot(user: User | None, community: Community, campaign_slug: str | None = None) -> AnalysisSnapshot:
    """Queue a snapshot of the scope; one already queued or running is returned instead (a
    double-clicked button builds once). The caller commits, then calls `start` unless the row was
    already waiting."""
    campaign_slug = campaign_in_scope(community, campaign_slug)
    waiting = db.session.scalar(
        _scope(community, campaign_slug).where(AnalysisSnapshot.status.in_(jobs.RUNNING)).limit(1)
    )
    if waiting is not None:
        return waiting
    snapshot = AnalysisSnapshot(community_id=community.id, campaign_slug=campaign_slug, requested_by=user)
    db.session.add(snapshot)
    db.session.flush()
    return snapshot


def refresh_after_change(user: User | None, campaign_slugs: Iterable[str]) -> list[AnalysisSnapshot]:
    """Queue new figures for the communities of these campaigns that already have some (others are
    built when first asked for). For work that changed their data, after its commit; the caller
    commits again, then calls `start` for each row returned."""
    communities = db.session.scalars(
        select(Community)
        .join(Campaign, Campaign.community_id == Community.id)
        .where(Campaign.slug.in_(list(campaign_slugs)), Campaign.practice.is_(False))
        .distinct()
    ).all()
    return [request_snapshot(user, community) for community in communities if latest_attempt(community) is not None]


def start(snapshot_id: int) -> None:
    """Queue the build (after the commit that made its row)."""
    jobs.enqueue(KIND, snapshot_id)


def nominations_by_asset(community: Community) -> dict[str, list[str]]:
    """Residents' nominations of the community that name each asset (slug -> texts, newest first)."""
    assets = db.session.execute(select(Asset.slug, Asset.name).where(Asset.community_id == community.id)).all()
    slugs_by_name: dict[str, list[str]] = defaultdict(list)
    for slug, name in assets:
        slugs_by_name[name].append(slug)
    named: dict[str, list[str]] = defaultdict(list)
    for nomination in list_nominations(community, per_page=ALL_NOMINATIONS):
        for name in mentioned_assets(nomination.text, list(slugs_by_name)):
            for slug in slugs_by_name[name]:
                named[slug].append(nomination.text)
    return dict(named)


def build_figures(community: Community, campaign_slug: str | None, progress: Any = None) -> dict[str, Any]:
    """Run the report's analysis on the scope and return the profiles' figures (no database writes)."""
    from survey.datasets.report_build import analyse_database
    from survey.datasets.reports import valuation_config

    settings = current_app.config
    result = analyse_database(
        db.engine,
        campaigns=[campaign_slug] if campaign_slug else None,
        communities=[community.slug],
        progress=progress,
        verified_only=True,
        config=valuation_config(settings["VALUATION_DEFLATORS_FILE"], settings["VALUATION_PRICE_YEAR"]),
    )
    return profile_snapshot(result, nominations_by_asset(community))


def run_job(snapshot_id: int) -> None:
    """Build snapshot `snapshot_id` (the queue's worker calls this; a failure raises)."""
    snapshot = db.session.get_one(AnalysisSnapshot, snapshot_id)
    community, campaign_slug = snapshot_community(snapshot), snapshot.campaign_slug
    # Fingerprinted before reading: data arriving during the build marks the snapshot out of date.
    digest, counted = fingerprint(community, campaign_slug)
    jobs.set_job(AnalysisSnapshot, snapshot_id, step="starting", progress=0.0)

    def progress(step: str, fraction: float) -> None:
        jobs.set_job(AnalysisSnapshot, snapshot_id, step=step[:200], progress=round(0.95 * fraction, 3))

    figures = build_figures(community, campaign_slug, progress)
    jobs.set_job(AnalysisSnapshot, snapshot_id, **_finished(figures, digest, counted))


def _finished(figures: dict[str, Any], digest: str, counted: int) -> dict[str, Any]:
    """A built snapshot's columns, whether a job fills its row or a command makes one."""
    return {
        "status": "done",
        "step": "finished",
        "progress": 1.0,
        "figures": figures,
        "fingerprint": digest,
        "responses": counted,
        "built_at": utcnow(),
    }


def fresh_snapshot(community: Community, campaign_slug: str | None, user: User | None = None) -> AnalysisSnapshot:
    """The scope's snapshot, built now (in this process) and stored when missing or out of date.

    For work already off the request path: the pack job and ``flask profiles``. Commits.
    """
    campaign_slug = campaign_in_scope(community, campaign_slug)
    current = current_snapshot(community, campaign_slug)
    if current is not None and not is_stale(current):
        return current
    digest, counted = fingerprint(community, campaign_slug)
    figures = build_figures(community, campaign_slug)
    snapshot = AnalysisSnapshot(
        community_id=community.id, campaign_slug=campaign_slug, requested_by=user, **_finished(figures, digest, counted)
    )
    db.session.add(snapshot)
    db.session.commit()
    return snapshot


KIND = jobs.Kind(
    name="analysis-snapshot",
    model=AnalysisSnapshot,
    run=run_job,
    died="The figures stopped without finishing (the server restarted?). Prepare them again.",
    stale_after=timedelta(hours=1),
    finished=None,  # built_at is when the figures were built: a failed build has none
)
