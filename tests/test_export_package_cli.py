"""`frictionless validate`, the command line as a data user runs it, on demo exports of every format (issue 13).

The package API is tested on synthetic data in tests/analysis/test_export_missing.py; here the
exports come from a demo database (paradata, partial responses on request, paper missing codes)
and the check is the `frictionless` program itself, its exit code and its JSON report.
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from survey import create_app
from survey.datasets import DatasetReader
from survey.datasets.writers import write_export
from survey.demo.build import load_demo
from survey.extensions import db

EXPORTS = {
    "csv": {"format": "csv"},
    "csv-codes": {"format": "csv", "missing": "codes"},
    "xlsx": {"format": "xlsx"},
    "sav": {"format": "sav"},
    "dta": {"format": "dta"},
}


@pytest.fixture(scope="module")
def demo_exports(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """{name: folder of the unzipped export} of one small demo database, partial responses included."""
    folder = tmp_path_factory.mktemp("demo-exports")
    shutil.copyfile(sqlite_template, folder / "demo.db")
    app = create_app({"DATABASE_URL": f"sqlite:///{folder / 'demo.db'}", "SECRET_KEY": "x", "TESTING": True})
    unpacked: dict[str, Path] = {}
    with app.app_context():
        load_demo(per_community=20, seed=5, paper=False)
        db.session.commit()
        for name, options in EXPORTS.items():
            with DatasetReader(db.engine, include_partial=True) as reader:
                write_export(folder / f"{name}.zip", reader, **options)
            zipfile.ZipFile(folder / f"{name}.zip").extractall(folder / name)
            unpacked[name] = folder / name
        db.engine.dispose()
    return unpacked


def _validate(folder: Path) -> tuple[int, dict]:
    """`frictionless validate --json datapackage.json` in `folder`: (exit code, its report)."""
    done = subprocess.run(
        [sys.executable, "-m", "frictionless", "validate", "--json", "datapackage.json"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return done.returncode, json.loads(done.stdout)


@pytest.mark.parametrize("name", sorted(EXPORTS))
def test_the_frictionless_command_validates_every_demo_export(demo_exports, name):
    code, report = _validate(demo_exports[name])
    errors = [error["type"] for task in report["tasks"] for error in task["errors"]]
    assert (code, report["valid"], errors) == (0, True, [])
    checked = {task["place"] for task in report["tasks"]}
    # CSV exports describe all their tables; the others the zip's CSV files (adjustments, codebook);
    # every export its located assets (assets.geojson, checked as a plain file).
    expected = {"adjustments.csv", "codebook.csv", "assets.geojson"}
    if name.startswith("csv"):
        expected |= {"responses.csv", "assets.csv", "campaigns.csv"}
    assert checked == expected
    if name.startswith("csv"):
        rows = {task["place"]: task["stats"].get("rows") for task in report["tasks"]}
        assert rows["responses.csv"] == len((demo_exports[name] / "responses.csv").read_text().splitlines()) - 1 > 0


def test_the_frictionless_command_fails_a_demo_export_with_a_wrong_status(demo_exports, tmp_path):
    """The schema constrains the data: a status outside complete/partial makes the program exit non-zero."""
    folder = tmp_path / "changed"
    shutil.copytree(demo_exports["csv"], folder)
    with (folder / "responses.csv").open(newline="", encoding="utf-8") as source:
        rows = list(csv.reader(source))
    assert {"complete", "partial"} <= {row[rows[0].index("status")] for row in rows[1:]}
    rows[1][rows[0].index("status")] = "finished"
    with (folder / "responses.csv").open("w", newline="", encoding="utf-8") as target:
        csv.writer(target).writerows(rows)
    code, report = _validate(folder)
    errors = [error["type"] for task in report["tasks"] for error in task["errors"]]
    assert (code, report["valid"], errors) == (1, False, ["constraint-error"])
