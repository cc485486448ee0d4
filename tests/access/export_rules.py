"""Rules for the dataset downloads (issue 5): researchers and admins only; peers and anonymous are denied."""

from __future__ import annotations

import zipfile
from pathlib import Path

from flask import current_app

from survey.datasets.exports import EXPORT_FOLDER
from survey.extensions import db
from survey.models import ExportJob
from tests.access import RESEARCH, Rule
from tests.access.world import World

# A fixed name, so repeated runs overwrite one tiny file instead of leaving one per run.
MATRIX_FILE = f"{EXPORT_FOLDER}/matrix-access-check.zip"


def build(world: World) -> None:
    world.ids["export_job"] = finished_export_job()


def finished_export_job() -> int:
    """A finished export job whose (empty) zip exists, so the download answers 200 when allowed."""
    path = Path(current_app.config["RESULTS_DIR"]) / MATRIX_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w"):
        pass
    job = ExportJob(
        format="sav", status="done", step="finished", progress=1.0, file_path=MATRIX_FILE, size_bytes=22, row_count=0
    )
    db.session.add(job)
    db.session.flush()
    return job.id


RULES = [
    Rule("research.exports_page", "GET", "/research/exports", RESEARCH),
    # No format chosen: the form comes back with a 400 before anything is read.
    Rule("research.start_export", "POST", "/research/exports", RESEARCH),
    Rule("research.export_job", "GET", "/research/exports/{export_job}", RESEARCH),
    Rule("research.download_export", "GET", "/research/exports/{export_job}/download", RESEARCH),
]
