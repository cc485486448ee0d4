"""What a job covers, by name. A job keeps the slugs it was started with (they name its files and
survive a rename); its pages show the campaigns' titles and the communities' names, as every other
page does. A slug whose campaign or community no longer exists is shown as it is."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from sqlalchemy import select

from survey.extensions import db
from survey.models import Campaign, Community, ProfilePackJob, ReportJob

EVERYTHING = "all communities"


def campaign_titles(slugs: Iterable[str | None]) -> dict[str, str]:
    """slug -> title of each campaign among `slugs` (a missing one keeps its slug)."""
    wanted = {slug for slug in slugs if slug}
    found = dict(db.session.execute(select(Campaign.slug, Campaign.title).where(Campaign.slug.in_(wanted))).all())
    return {slug: found.get(slug, slug) for slug in wanted}


def community_names(slugs: Iterable[str | None]) -> dict[str, str]:
    """slug -> name of each community among `slugs` (a missing one keeps its slug)."""
    wanted = {slug for slug in slugs if slug}
    found = dict(db.session.execute(select(Community.slug, Community.name).where(Community.slug.in_(wanted))).all())
    return {slug: found.get(slug, slug) for slug in wanted}


def job_scopes(jobs: Sequence[ReportJob | ProfilePackJob]) -> dict[int, str]:
    """job id -> what it covers: its campaign's title, else its community's name, else everything."""
    titles = campaign_titles(job.campaign_slug for job in jobs)
    names = community_names(job.community_slug for job in jobs)
    scopes = {}
    for job in jobs:
        if job.campaign_slug:
            scopes[job.id] = titles[job.campaign_slug]
        elif job.community_slug:
            scopes[job.id] = names[job.community_slug]
        else:
            scopes[job.id] = EVERYTHING
    return scopes


def job_scope(job: ReportJob | ProfilePackJob) -> str:
    """What one job covers (`job_scopes`)."""
    return job_scopes([job])[job.id]


def titled_counts(counts: Mapping[str, int] | None) -> list[tuple[str, int]]:
    """(campaign title, count) for a count per campaign slug, in the same order (two campaigns may
    share a title, so not a dict)."""
    titles = campaign_titles(counts or {})
    return [(titles[slug], count) for slug, count in (counts or {}).items()]
