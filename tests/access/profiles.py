"""Rules for the asset profiles and profile packs (issue 12): researchers and admins; peers read the
profiles of their own communities' assets under /fieldwork/ (another community's answers 404)."""

from __future__ import annotations

import zipfile
from pathlib import Path

from flask import current_app

from survey.datasets.profile_packs import PACK_FOLDER
from survey.extensions import db
from survey.models import ProfilePackJob
from tests.access import RESEARCH, STAFF, Rule
from tests.access.world import World

# A fixed name, so repeated runs overwrite one tiny file instead of leaving one per run.
MATRIX_FILE = f"{PACK_FOLDER}/matrix-access-check.zip"


def build(world: World) -> None:
    world.ids["pack_job"] = finished_pack_job(world.own.slug)


def finished_pack_job(community_slug: str) -> int:
    """A finished pack whose zip holds both files, so the downloads answer 200 when allowed."""
    path = Path(current_app.config["RESULTS_DIR"]) / MATRIX_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("profiles.html", "<!doctype html><title>pack</title>")
        archive.writestr("profiles.pdf", b"%PDF-1.7\n")
    job = ProfilePackJob(
        community_slug=community_slug, status="done", step="finished", progress=1.0, file_path=MATRIX_FILE
    )
    db.session.add(job)
    db.session.flush()
    return job.id


RULES = [
    # No snapshot in the matrix's world: the page says the figures have not been prepared.
    Rule("research.asset_profile_page", "GET", "/research/assets/{asset_own}/profile", RESEARCH),
    Rule("research.asset_profile_page", "GET", "/research/assets/{asset_other}/profile", RESEARCH),
    # Queues a build (the matrix's queue is never run).
    Rule("research.rebuild_profiles", "POST", "/research/assets/{asset_own}/profile/prepare", RESEARCH),
    Rule("fieldwork.asset_profiles", "GET", "/fieldwork/assets", STAFF),
    Rule("fieldwork.asset_profile", "GET", "/fieldwork/assets/{asset_own}/profile", STAFF),
    Rule("fieldwork.asset_profile", "GET", "/fieldwork/assets/{asset_other}/profile", RESEARCH),
    Rule("research.profile_packs_page", "GET", "/research/communities/{community_own}/profile-packs", RESEARCH),
    Rule("research.start_profile_pack", "POST", "/research/communities/{community_own}/profile-packs", RESEARCH),
    Rule("research.profile_pack", "GET", "/research/profile-packs/{pack_job}", RESEARCH),
    Rule("research.download_profile_pack", "GET", "/research/profile-packs/{pack_job}/profiles.pdf", RESEARCH),
]
