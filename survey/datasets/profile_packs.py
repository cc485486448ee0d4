"""The printable profile pack: a cover with the community's wellbeing, then one page per asset.

One document per community (all its non-practice campaigns, or one campaign; verified responses
only), as ``profiles.html`` (self-contained: its style sheet is inside) and ``profiles.pdf``
(WeasyPrint, as the paper forms). Built off the request: the web app queues a `ProfilePackJob`
(the worker writes ``<RESULTS_DIR>/profile-packs/<id>-<random>.zip`` holding both files);
``flask profiles`` writes them into a folder. Either way the figures come from the scope's analysis
snapshot, rebuilt first when it is missing or out of date (`snapshots.fresh_snapshot`).

Each asset's page ends with what the community's impact workshops said about it
(`workshop_ratings.ratings_for`: counts and medians of the ratings, the comments nobody hid), then
what deep-dive interviews said (`survey.deepdives.quotes`: counts, and quotes only with consent). An
asset with coordinates gets a small map among the community's other located assets, drawn as SVG
without any tile server (`analysis.asset_map_svg`), so the pack needs no network and prints.
"""

from __future__ import annotations

import tempfile
import zipfile
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path

from flask import current_app, render_template
from markupsafe import Markup
from sqlalchemy import select

from analysis.asset_map_svg import asset_map_svg
from analysis.profile import WorkshopRatings
from instruments.answers import quoted
from survey import jobs
from survey.database import utcnow
from survey.datasets.profiles import cover, pack_profiles
from survey.datasets.snapshots import campaign_in_scope, fresh_snapshot
from survey.datasets.workshop_ratings import ratings_for
from survey.deepdives.quotes import asset_quotes
from survey.exceptions import ServiceError
from survey.extensions import db
from survey.localtime import local_today
from survey.models import AnalysisSnapshot, Asset, Community, ProfilePackJob, User

PACK_FOLDER = "profile-packs"  # under RESULTS_DIR
PACK_STYLESHEET = "profile_pack.css"
PACK_FILES = ("profiles.html", "profiles.pdf")
PACK_QUOTES = 2  # deep-dive quotes per asset page: the pack keeps an asset to a page
Progress = Callable[[str, float], None]


def community_or_error(slug: str) -> Community:
    community = db.session.scalar(select(Community).filter_by(slug=slug))
    if community is None:
        raise ServiceError(f"No community {quoted(slug)}.")
    return community


def request_pack(user: User | None, community: Community, campaign_slug: str | None = None) -> ProfilePackJob:
    """Queue a pack for the community (and campaign); the same pack already waiting is returned
    instead, so a double-clicked button builds once. The caller commits, then calls `start`."""
    campaign_slug = campaign_in_scope(community, campaign_slug)
    waiting = db.session.scalar(
        select(ProfilePackJob).where(
            ProfilePackJob.community_slug == community.slug,
            ProfilePackJob.campaign_slug.is_(None)
            if campaign_slug is None
            else ProfilePackJob.campaign_slug == campaign_slug,
            ProfilePackJob.status.in_(jobs.RUNNING),
        )
    )
    if waiting is not None:
        return waiting
    job = ProfilePackJob(requested_by=user, community_slug=community.slug, campaign_slug=campaign_slug)
    db.session.add(job)
    db.session.flush()
    return job


def start(job_id: int) -> None:
    """Queue the job for a worker (after the commit that made its row)."""
    jobs.enqueue(KIND, job_id)


def asset_maps(community: Community) -> dict[str, Markup]:
    """Slug -> the small static map of each located asset of the community (all its located assets shown)."""
    located = db.session.scalars(
        select(Asset)
        .where(Asset.community_id == community.id, Asset.latitude.is_not(None), Asset.longitude.is_not(None))
        .order_by(Asset.name, Asset.slug)
    ).all()
    points = [(asset.slug, asset.name, float(asset.latitude or 0), float(asset.longitude or 0)) for asset in located]
    # The SVG is ours and escapes the names it holds.
    return {slug: Markup(asset_map_svg(points, slug)) for slug, _name, _lat, _lon in points}


def render_pack(
    community: Community,
    snapshot: AnalysisSnapshot,
    workshop_ratings: Sequence[WorkshopRatings] = (),
    *,
    for_pdf: bool = False,
) -> str:
    """The pack as one HTML document, its style sheet inside (no file outside it is needed)."""
    # The pack is a file people download, print and e-mail, never a page the app serves (so the app's
    # CSP does not apply): like the workshop report, it carries its style sheet inside. Our own file.
    css = (Path(current_app.static_folder or "static") / PACK_STYLESHEET).read_text(encoding="utf-8")
    stylesheet = Markup("<style>{}</style>").format(Markup(css))
    figures = snapshot.figures or {}
    sentence, rows = cover(figures.get("summary", {}), int(figures.get("threshold", 10)))
    profiles = pack_profiles(community, snapshot, workshop_ratings)
    return render_template(
        "profiles/pack.html",
        community=community,
        snapshot=snapshot,
        summary=figures.get("summary", {}),
        price_year=figures.get("price_year"),
        threshold=figures.get("threshold"),
        profiles=profiles,
        # Read now, never from the snapshot: a deep dive erased since the figures were built is not quoted.
        deep_dives=asset_quotes([profile.asset.id for profile in profiles], limit_per_asset=PACK_QUOTES),
        embedded_stylesheet=stylesheet,
        made_on=local_today(),
        cover_sentence=sentence,
        cover_rows=rows,
        maps=asset_maps(community),
        for_pdf=for_pdf,
    )


def write_pack(
    community: Community,
    campaign_slug: str | None,
    out_dir: str | Path,
    *,
    user: User | None = None,
    progress: Progress | None = None,
) -> dict[str, Path]:
    """Write ``profiles.html`` and ``profiles.pdf`` into `out_dir`; returns their paths by name.

    Builds (and stores) a fresh snapshot first when the scope has none or the data has changed.
    """
    from weasyprint import HTML  # imported by the worker and the command only: it is slow to load

    report = progress or (lambda _step, _fraction: None)
    report("preparing the figures", 0.05)
    snapshot = fresh_snapshot(community, campaign_slug, user)
    workshop_ratings = ratings_for(community, campaign_slug)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    report("writing the pages", 0.6)
    html_path, pdf_path = out / PACK_FILES[0], out / PACK_FILES[1]
    html_path.write_text(render_pack(community, snapshot, workshop_ratings), encoding="utf-8")
    report("drawing the PDF", 0.7)
    document = render_pack(community, snapshot, workshop_ratings, for_pdf=True)
    jobs.write_whole(pdf_path, lambda partial: HTML(string=document).write_pdf(partial))
    report("finished", 1.0)
    return {"html": html_path, "pdf": pdf_path}


def run_job(job_id: int) -> None:
    """Build pack `job_id` into a zip under RESULTS_DIR (the queue's worker calls this; a failure raises)."""
    job = db.session.get_one(ProfilePackJob, job_id)
    community = community_or_error(job.community_slug)
    campaign_slug, user = job.campaign_slug, job.requested_by

    def progress(step: str, fraction: float) -> None:
        jobs.set_job(ProfilePackJob, job_id, step=step[:200], progress=round(0.95 * fraction, 3))

    name = jobs.new_result_name(PACK_FOLDER, job_id)
    target = jobs.results_dir() / name
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        paths = write_pack(community, campaign_slug, folder, user=user, progress=progress)
        jobs.write_whole(target, lambda partial: _zip(paths, partial))
    jobs.set_job(
        ProfilePackJob, job_id, status="done", step="finished", progress=1.0, file_path=name, finished_at=utcnow()
    )


def _zip(paths: dict[str, Path], out: Path) -> None:
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in paths.values():
            archive.write(path, path.name)


def pack_file(job: ProfilePackJob, name: str) -> bytes | None:
    """One file (``profiles.html`` or ``profiles.pdf``) of a finished pack, or None."""
    path = jobs.finished_file(job)
    if path is None or name not in PACK_FILES:
        return None
    with zipfile.ZipFile(path) as archive:
        return archive.read(name)


KIND = jobs.Kind(
    name="profile-pack",
    model=ProfilePackJob,
    run=run_job,
    died="The profile pack stopped without finishing (the server restarted?). Start it again.",
    stale_after=timedelta(hours=1),
)
