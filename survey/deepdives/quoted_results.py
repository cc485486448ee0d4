"""Finished reports and profile packs quote deep dives: when a participant's words must no longer be
quoted (their deep dives erased, or their consent to quotation withdrawn), the files that may hold them
are released at once, as `flask purge` releases old ones, instead of staying downloadable until then.

A report's scope is a campaign, a community or everything; a pack's is a community. Every finished
file whose scope includes the community goes (the report or pack page then says it was removed and
can be made again, now without those words). The caller commits, then deletes the files returned
(`survey.ops.maintenance.remove_files`).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import and_, or_, select

from survey import jobs
from survey.extensions import db
from survey.models import Campaign, Community, ProfilePackJob, ReportJob


def release_quoting_files(community_ids: Iterable[int]) -> list[Path]:
    """Unlink the finished reports and profile packs that may quote these communities' deep dives;
    the files to delete once the transaction is committed."""
    ids = sorted(set(community_ids))
    if not ids:
        return []
    slugs = select(Community.slug).where(Community.id.in_(ids))
    campaigns = select(Campaign.slug).where(Campaign.community_id.in_(ids))
    everything = and_(ReportJob.community_slug.is_(None), ReportJob.campaign_slug.is_(None))
    reports = select(ReportJob).where(
        ReportJob.file_path.is_not(None),
        or_(ReportJob.community_slug.in_(slugs), ReportJob.campaign_slug.in_(campaigns), everything),
    )
    packs = select(ProfilePackJob).where(
        ProfilePackJob.file_path.is_not(None), ProfilePackJob.community_slug.in_(slugs)
    )
    files = []
    for job in [*db.session.scalars(reports), *db.session.scalars(packs)]:
        path = jobs.result_path(job.file_path)
        if path is not None:
            files.append(path)
        job.file_path = None
    db.session.flush()
    return files


def released_note(count: int) -> str:
    """The sentence a page or command adds when files were released ("" when none)."""
    if not count:
        return ""
    what = "report or profile pack" if count == 1 else "reports and profile packs"
    return f" {count} finished {what} that may have quoted them removed: make them again to leave the words out."
