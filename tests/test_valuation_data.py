"""The valuation's inputs flow from the database into the analysis: cost years, population sources,
and the stored SROI adjustments (latest campaign per asset), in build_dataset, exports and reports."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, date, datetime

import pandas as pd
import pytest
from sqlalchemy import select

from analysis import read_dataset
from survey.assets.adjustments import AdjustmentValues, set_adjustment
from survey.datasets import build_dataset
from survey.datasets.reports import valuation_config
from survey.extensions import db
from survey.models import Asset, Campaign


def _url(app) -> str:
    return app.config["SQLALCHEMY_DATABASE_URI"]


DEMO = ("--responses", "12", "--no-paper", "--no-profiles")  # `flask demo` arguments (the `demo` fixture)


def test_build_dataset_carries_cost_years_population_sources_and_adjustments(app, demo):
    demo(*DEMO)
    data = build_dataset(_url(app))
    library = data.assets.set_index("slug").loc["dover_library"]
    assert library["cost_year"] == 2024 and library["community_name"] == "Dover Town"
    campaigns = data.campaigns.set_index("campaign")
    assert campaigns.loc["dover-town", "sampling_method"] == "random"
    assert campaigns.loc["aylesham", "sampling_method"] == "quota"
    assert campaigns.loc["dover-town", "population_source"].startswith("Demo figure, not an official estimate")
    adjustments = data.adjustments.set_index("asset")
    assert sorted(adjustments.index) == ["dover_library", "dover_seafront", "swanley_link"]
    assert adjustments.loc["dover_seafront", "deadweight"] == 0.4
    assert adjustments.loc["dover_seafront", "campaign"] == "dover-town"
    assert adjustments.loc["dover_library", "agreed_on"] == "2025-03-14"
    # Another community's data has none of them.
    assert build_dataset(_url(app), communities=["aylesham"]).adjustments.empty


def test_the_latest_campaign_with_adjustments_for_an_asset_wins(app, make_campaign):
    make_campaign("dover-town")
    with app.app_context():
        first = db.session.scalars(select(Campaign).filter_by(slug="dover-town")).one()
        community = first.community
        from survey.campaigns.operations import create_campaign, open_campaign

        second = create_campaign(community, "dover-2026", "Dover again", ["wemwbs", "asset_use"])
        open_campaign(second)
        first.opened_at = datetime(2024, 1, 1, tzinfo=UTC)
        second.opened_at = datetime(2025, 1, 1, tzinfo=UTC)
        library = db.session.scalars(select(Asset).filter_by(slug="dover_library")).one()
        seafront = db.session.scalars(select(Asset).filter_by(slug="dover_seafront")).one()
        set_adjustment(first, library, AdjustmentValues(deadweight=0.1, reason="first"))
        set_adjustment(first, seafront, AdjustmentValues(deadweight=0.3, reason="first only"))
        set_adjustment(second, library, AdjustmentValues(deadweight=0.2, reason="second", agreed_on=date(2025, 2, 1)))
        db.session.commit()
    both = build_dataset(_url(app)).adjustments.set_index("asset")
    assert both.loc["dover_library", ["deadweight", "reason", "campaign"]].tolist() == [0.2, "second", "dover-2026"]
    assert both.loc["dover_seafront", ["deadweight", "campaign"]].tolist() == [0.3, "dover-town"]
    only_first = build_dataset(_url(app), campaigns=["dover-town"]).adjustments.set_index("asset")
    assert only_first.loc["dover_library", "reason"] == "first"


def test_export_zip_carries_adjustments_that_read_back(app, client, demo, make_user, login):
    demo(*DEMO)
    make_user("r@example.org", "researcher")
    assert login("r@example.org").status_code == 303
    from tests.helpers import csrf_token

    page = client.get("/research/exports").get_data(as_text=True)
    response = client.post(
        "/research/exports",
        data={"csrf_token": csrf_token(page), "scope": "all", "format": "csv", "content": "both"},
    )
    assert response.status_code == 200, response.status_code
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    assert "adjustments.csv" in archive.namelist()
    names = ("responses.csv", "assets.csv", "campaigns.csv", "adjustments.csv")
    files = {name: io.BytesIO(archive.read(name)) for name in names}
    back = read_dataset(*(files[name] for name in names[:3]), adjustments_csv=files["adjustments.csv"])
    stored = build_dataset(_url(app)).adjustments
    pd.testing.assert_frame_equal(
        back.adjustments.loc[:, list(stored.columns)].reset_index(drop=True),
        stored.reset_index(drop=True),
        check_dtype=False,
    )
    assert back.assets["cost_year"].notna().any() and back.campaigns["population_source"].notna().all()
    book = pd.read_csv(io.BytesIO(archive.read("codebook.csv")))
    assert {"adjustments.csv", "campaigns.csv"} <= set(book["file"])
    assert {"cost_year", "population_source", "deadweight"} <= set(book["variable"])


@pytest.mark.slow
def test_flask_report_uses_stored_adjustments_and_accepts_a_file(app, runner, demo, tmp_path):
    demo(*DEMO)
    out = tmp_path / "stored"
    result = runner.invoke(args=["report", "--out", str(out), "--campaign", "dover-town"])
    assert result.exit_code == 0, result.output
    value = pd.read_csv(out / "asset_value.csv").set_index("asset")
    assert value.loc["dover_seafront", "value_basis"] == "net" and value.loc["dover_seafront", "deadweight"] == 0.4
    assert value.loc["dover_mens_shed", "value_basis"] == "gross"

    given = tmp_path / "adjustments.csv"
    given.write_text(
        "asset,deadweight,attribution,displacement,drop_off,years,reason,agreed_by\n"
        "dover_seafront,0.1,0,0,0,1,CLI,Dover room\n"
    )
    deflators = tmp_path / "deflators.csv"
    deflators.write_text("# source: test table (not real figures)\nyear,index\n2019,100\n2024,110\n")
    out = tmp_path / "file"
    result = runner.invoke(
        args=[
            "report",
            "--out",
            str(out),
            "--campaign",
            "dover-town",
            "--adjustments",
            str(given),
            "--deflators",
            str(deflators),
            "--price-year",
            "2024",
        ]
    )
    assert result.exit_code == 0, result.output
    value = pd.read_csv(out / "asset_value.csv").set_index("asset")
    assert value.loc["dover_seafront", "deadweight"] == 0.1  # the file's row replaces the stored one
    assert value.loc["dover_library", "deadweight"] == 0.25  # assets it does not list keep theirs
    assert set(value["price_year"]) == {2024}

    bad = runner.invoke(
        args=["report", "--out", str(tmp_path / "bad"), "--price-year", "2024", "--deflators", str(given)]
    )
    assert bad.exit_code != 0 and "Error" in bad.output


def test_valuation_settings_build_the_analysis_config(tmp_path):
    assert valuation_config(None, None) is None
    table = tmp_path / "deflators.csv"
    table.write_text("# source: HM Treasury GDP deflators (test copy)\nyear,index\n2019,100\n2023,118.5\n")
    config = valuation_config(str(table), 2023)
    assert config is not None and config.price_year == 2023 and config.deflators is not None
    assert config.deflators.source.startswith("HM Treasury")
