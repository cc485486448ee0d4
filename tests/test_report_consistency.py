"""An export analysed on the command line gives the same numbers as `flask report` on the database
(issue 10, part 11): same verified-only rule, same campaigns table, same stored adjustments."""

from __future__ import annotations

import zipfile

import pandas as pd
import pytest

from analysis.cli import main as analysis_cli

IDENTICAL = ("asset", "outcome", "evidence", "users_basis", "value_basis", "years", "agreed_by")
NUMERIC = (
    "effect",
    "se",
    "p_adj",
    "effect_shrunk",
    "users_valued",
    "deadweight",
    "attribution",
    "gross_value_central",
    "value_central",
    "value_low",
    "value_high",
    "bcr_central",
    "annual_cost",
)


@pytest.mark.slow
def test_an_export_gives_the_same_values_on_the_command_line_as_flask_report(runner, tmp_path) -> None:
    assert runner.invoke(args=["demo", "--responses", "60", "--no-paper", "--no-profiles"]).exit_code == 0
    archive = tmp_path / "export.zip"
    exported = runner.invoke(args=["export", "--out", str(archive)])
    assert exported.exit_code == 0, exported.output
    folder = tmp_path / "export"
    with zipfile.ZipFile(archive) as bundle:
        bundle.extractall(folder)
    assert (folder / "adjustments.csv").exists(), "the export carries the stored adjustments"

    from_database = tmp_path / "flask-report"
    built = runner.invoke(args=["report", "--out", str(from_database)])
    assert built.exit_code == 0, built.output
    from_export = tmp_path / "cli-report"
    status = analysis_cli(
        ["report", str(folder / "responses.csv"), "--assets", str(folder / "assets.csv"), "--out", str(from_export)]
        + ["--no-report", "--quiet"]
    )
    assert status == 0

    app_values = pd.read_csv(from_database / "asset_value.csv").sort_values("asset").reset_index(drop=True)
    cli_values = pd.read_csv(from_export / "asset_value.csv").sort_values("asset").reset_index(drop=True)
    assert len(app_values) == len(cli_values) > 0
    assert (app_values["value_basis"] == "net").any(), "the demo's agreed adjustments reach both"
    for column in IDENTICAL:
        pd.testing.assert_series_equal(app_values[column], cli_values[column], check_dtype=False)
    for column in NUMERIC:
        assert app_values[column].to_numpy() == pytest.approx(cli_values[column].to_numpy(), rel=1e-9, nan_ok=True), (
            column
        )
