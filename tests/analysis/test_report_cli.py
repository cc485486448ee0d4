"""The report file and the command line."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest

import analysis
from analysis.cli import main
from survey.datasets import report_from_database

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def written(synthetic_result, tmp_path_factory) -> dict[str, Path]:
    return synthetic_result.write(tmp_path_factory.mktemp("report"))


def test_every_table_and_the_report_are_written(written) -> None:
    for name in ("descriptives", "reliability", "asset_effects", "kind_effects", "asset_value"):
        assert written[name].exists()
        assert len(pd.read_csv(written[name])) > 0
    columns = list(pd.read_csv(written["asset_effects"]).columns)
    assert columns == [
        "asset",
        "kind",
        "n_users",
        "n",
        "effect",
        "se",
        "ci_low",
        "ci_high",
        "p",
        "df",  # the t degrees of freedom of the interval, p and the value range's draws
        "p_adj",
        "method",
        "warning",
    ]


def test_report_is_self_contained(written) -> None:
    text = written["report"].read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    outside = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", text)
    assert not re.search(r"https?:|ftp:|//[a-z]|url\(", outside, re.IGNORECASE), "no external address may appear"
    assert "<script" not in text and "<link" not in text and "@import" not in text
    sources = re.findall(r'src="([^"]*)"', text)
    # wellbeing, six ways, asset use, asset effects, value (clear assets) and tornado (when the run has it)
    assert len(sources) >= 5 and all(source.startswith("data:image/png;base64,") for source in sources)
    for heading in (
        "Wellbeing compared with England",
        "Six ways to wellbeing",
        "Community assets and wellbeing",
        "Value against cost",
        "How much each asset is used and valued",
        "Methods and caveats",
        "Provenance",
    ):
        assert heading in text
    assert "not causation" in text and "Deadweight" in text
    assert "© NHS Health Scotland" in text  # WEMWBS notice travels with the report
    assert "north_park" not in text or "North Park" in text


def _small_files(synthetic_dataset: analysis.Dataset, folder: Path) -> dict[str, Path]:
    """120 respondents of one community written as a downloaded dataset's CSV files."""
    small = analysis.Dataset(
        synthetic_dataset.responses.query("community == 'north'").head(120).reset_index(drop=True),
        synthetic_dataset.assets,
        synthetic_dataset.campaigns,
    )
    return small.write(folder)


def test_cli_report_on_downloaded_files_an_export_zip_or_its_folder(synthetic_dataset, tmp_path, capsys) -> None:
    # The redteam6 pass: the README says an export can be analysed as downloaded, but the command
    # required --assets, and given the zip with it said "Multiple files found in ZIP".
    files = _small_files(synthetic_dataset, tmp_path / "data")
    export = tmp_path / "survey-export-all.zip"
    with zipfile.ZipFile(export, "w") as archive:
        for path in files.values():
            archive.write(path, path.name)
    common = ["--quiet", "--no-report"]
    explicit = [
        "report",
        str(files["responses"]),
        "--assets",
        str(files["assets"]),
        "--campaigns",
        str(files["campaigns"]),
    ]
    assert main([*explicit, "--out", str(tmp_path / "explicit"), *common]) == 0
    assert (tmp_path / "explicit" / "asset_effects.csv").exists()
    assert not (tmp_path / "explicit" / "report.html").exists()  # --no-report
    assert "asset_effects.csv" in capsys.readouterr().out
    assert main(["report", str(export), "--out", str(tmp_path / "zip"), *common]) == 0
    assert main(["report", str(tmp_path / "data"), "--out", str(tmp_path / "folder"), *common]) == 0
    expected = (tmp_path / "explicit" / "asset_value.csv").read_text()
    assert (tmp_path / "zip" / "asset_value.csv").read_text() == expected
    assert (tmp_path / "folder" / "asset_value.csv").read_text() == expected
    capsys.readouterr()
    assert main(["report", str(export), "--campaigns", str(files["campaigns"]), "--out", "x", *common]) == 2
    assert "--campaigns and --adjustments go with --assets" in capsys.readouterr().err


def test_cli_bad_input_exits_2_naming_file_and_column(synthetic_dataset, tmp_path, capsys) -> None:
    files = synthetic_dataset.write(tmp_path / "data")
    broken = pd.read_csv(files["responses"], dtype=str, keep_default_na=False)
    broken.loc[3, "wemwbs_2"] = "9"
    bad = tmp_path / "bad.csv"
    broken.to_csv(bad, index=False)
    status = main(["report", str(bad), "--assets", str(files["assets"]), "--out", str(tmp_path / "o"), "--quiet"])
    error = capsys.readouterr().err
    assert status == 2
    assert str(bad) in error and "'wemwbs_2', row 4" in error and "Traceback" not in error
    assert (
        main(["report", str(tmp_path / "missing.csv"), "--assets", str(files["assets"]), "--out", "x", "--quiet"]) == 2
    )
    assert "file not found" in capsys.readouterr().err


def test_module_entry_point_and_no_flask_import(tmp_path) -> None:
    script = (
        "import sys, runpy\n"
        "import analysis, analysis.report, analysis.cli\n"
        "assert not any(name == 'flask' or name.startswith('flask.') for name in sys.modules), 'flask imported'\n"
        f"sys.argv = ['analysis', 'report', {str(tmp_path / 'none.csv')!r}, '--assets', 'x.csv', '--out', 'o']\n"
        "runpy.run_module('analysis', run_name='__main__')\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert "file not found" in done.stderr and "Traceback" not in done.stderr


def test_codebook_covers_every_column(synthetic_dataset) -> None:
    book = analysis.codebook(synthetic_dataset.assets)
    assert list(book.columns) == [
        "file",
        "variable",
        "label",
        "stem",
        "type",
        "codes",
        "instrument",
        "version",
        "source",
        "licence",
        "project_own",
    ]
    documented = set(book.loc[book["file"] == "responses.csv", "variable"])
    assert set(synthetic_dataset.responses.columns) <= documented
    assert set(synthetic_dataset.assets.columns) == set(book.loc[book["file"] == "assets.csv", "variable"])
    assert set(synthetic_dataset.campaigns.columns) == set(book.loc[book["file"] == "campaigns.csv", "variable"])
    wemwbs = book.set_index("variable").loc["wemwbs_1"]
    assert wemwbs["project_own"] == "no" and "© NHS Health Scotland" in wemwbs["licence"]
    assert "1 = None of the time" in wemwbs["codes"]
    assert book.set_index("variable").loc["sixways_connect_1", "project_own"] == "yes"
    markdown = analysis.codebook_markdown(book)
    assert "## responses.csv" in markdown and "`asset_north_park_value`" in markdown


def test_report_from_database(demo_database, tmp_path) -> None:
    steps: list[tuple[str, float]] = []
    paths = report_from_database(
        demo_database.url, tmp_path, communities=["dover-town", "sheppey"], progress=lambda s, f: steps.append((s, f))
    )
    assert paths["report"].exists()
    fractions = [fraction for _step, fraction in steps]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0 and len(steps) > 5
    descriptives = pd.read_csv(paths["descriptives"])
    assert set(descriptives.loc[descriptives["group_type"] == "community", "group"]) == {"dover-town", "sheppey"}


def test_docs_codebook_is_generated_from_the_definitions() -> None:
    path = ROOT / "docs" / "codebook.md"
    assert path.read_text(encoding="utf-8") == analysis.codebook_markdown(), (
        "docs/codebook.md is out of date: run python -m analysis codebook --format md --out docs/codebook.md"
    )
