"""Dataset downloads in the web app and `flask export`: streamed CSV, background SPSS/Stata jobs,
what is never exported (practice campaigns, contact details), filters, and the download log."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, datetime

import pandas as pd
import pyreadstat
import pytest
from sqlalchemy import func, select

from survey.extensions import db
from survey.models import Answer, Campaign, ContactDetail, DataAccess, ExportJob, Response
from tests.helpers import post_form
from tests.job_support import run_queued_jobs

PLANTED_CONTACT = "planted.contact.7f3a@example.org"
PRACTICE_ID = "practice00000000000000000000beef"


# The `flask demo` every test here starts from (built once per test process: tests/demo_support.py).
DEMO = ("--responses", "12", "--no-paper", "--no-profiles")


@pytest.fixture
def researcher(app, client, make_user, login, demo):
    demo(*DEMO)
    make_user("r@example.org", "researcher")
    assert login("r@example.org").status_code == 303
    return client  # the zips jobs write go under the test's own RESULTS_DIR


def _complete_ids(app, campaign: str | None = None, verified_only: bool = False) -> set[str]:
    """Public ids of complete, non-practice responses, counted straight from the tables."""
    with app.app_context():
        query = (
            select(Response.public_id)
            .join(Campaign, Campaign.id == Response.campaign_id)
            .where(Response.status == "complete", Campaign.practice.is_(False))
        )
        if campaign:
            query = query.where(Campaign.slug == campaign)
        if verified_only:
            query = query.where(Response.verified.is_(True))
        return set(db.session.scalars(query))


def _csv_export(client, **form: object):
    data = {"format": "csv", "content": "both", **form}
    return post_form(client, "/research/exports", "/research/exports", data)


def _responses(download: bytes, name: str = "responses.csv") -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(zipfile.ZipFile(io.BytesIO(download)).read(name)), dtype={"response_id": str})


def _accesses(app) -> list[DataAccess]:
    with app.app_context():
        rows = list(db.session.scalars(select(DataAccess).order_by(DataAccess.id)))
        db.session.expunge_all()
        return rows


def test_csv_streams_a_zip_of_every_complete_response_and_is_logged(app, researcher):
    started = datetime.now(UTC)
    response = _csv_export(researcher)
    assert response.status_code == 200 and response.is_streamed
    assert response.mimetype == "application/zip"
    disposition = response.headers["Content-Disposition"]
    match = re.search(r'attachment; filename="survey-all-csv-(\d{4}-\d{2}-\d{2})\.zip"', disposition)
    assert match and match.group(1) in {started.strftime("%Y-%m-%d"), datetime.now(UTC).strftime("%Y-%m-%d")}
    download = response.get_data()
    archive = zipfile.ZipFile(io.BytesIO(download))
    assert archive.testzip() is None
    assert archive.namelist() == [
        "responses.csv",
        "assets.csv",
        "campaigns.csv",
        "adjustments.csv",
        "assets.geojson",
        "codebook.csv",
        "codebook.html",
        "datapackage.json",
        "provenance.json",
    ]
    frame = _responses(download)
    expected = _complete_ids(app)
    assert len(expected) == 48 and set(frame["response_id"]) == expected and len(frame) == 48
    assert {"wemwbs", "swemwbs", "assets_used_place", "verified"} <= set(frame.columns)
    ons = ["ons_life_satisfaction", "ons_worthwhile", "ons_happy", "ons_anxious"]
    assert list(frame.columns[frame.columns.get_loc("years_in_area") + 1 :][:5]) == [*ons, "wemwbs_1"]
    assert frame[ons].notna().all().all() and frame[ons].isin(range(11)).all().all()  # the demo asks them all
    [entry] = _accesses(app)
    assert (entry.user_label, entry.channel, entry.resource, entry.format) == ("r@example.org", "web", "export", "csv")
    assert entry.row_count == 48
    assert entry.filters == {
        "campaigns": None,
        "communities": None,
        "verified_only": False,
        "content": "both",
        "missing": "blank",
        "labels": "codes",
        "include_partial": False,
    }


def test_the_campaigns_table_carries_population_sizes_for_the_valuation(app, researcher):
    """Downloaded files go straight back into the analysis, population sizes included."""
    from analysis import read_dataset
    from survey.models import Campaign

    archive = zipfile.ZipFile(io.BytesIO(_csv_export(researcher).get_data()))
    files = {name: io.BytesIO(archive.read(name)) for name in ("responses.csv", "assets.csv", "campaigns.csv")}
    back = read_dataset(files["responses.csv"], files["assets.csv"], files["campaigns.csv"])
    with app.app_context():
        stored = {
            campaign.slug: campaign.population_size
            for campaign in db.session.scalars(select(Campaign).where(Campaign.practice.is_(False)))
        }
    got = dict(zip(back.campaigns["campaign"], back.campaigns["population_size"], strict=True))
    assert got == stored and all(size and size > 1000 for size in got.values())


def test_a_campaign_export_in_scores_only(app, researcher):
    download = _csv_export(researcher, campaign="aylesham", content="scores").get_data()
    frame = _responses(download)
    assert set(frame["response_id"]) == _complete_ids(app, "aylesham")
    assert set(frame["campaign"]) == {"aylesham"}
    assert "wemwbs" in frame.columns and "wemwbs_1" not in frame.columns
    assert _accesses(app)[0].filters["campaigns"] == ["aylesham"]


def test_verified_only_leaves_out_unverified_responses(app, researcher):
    with app.app_context():
        unverified = db.session.scalars(
            select(Response).where(Response.status == "complete").order_by(Response.id).limit(1)
        ).one()
        unverified.verified = False
        hidden = unverified.public_id
        db.session.commit()
    everything = _responses(_csv_export(researcher).get_data())
    assert everything.set_index("response_id").loc[hidden, "verified"] == 0
    verified = _responses(_csv_export(researcher, verified_only="y").get_data())
    assert hidden not in set(verified["response_id"])
    assert set(verified["response_id"]) == _complete_ids(app, verified_only=True)
    assert [entry.filters["verified_only"] for entry in _accesses(app)] == [False, True]


def test_the_page_does_not_say_complete_only_above_the_partial_responses_box(researcher):
    # It said "Complete responses only" above a box that adds the partial ones.
    html = " ".join(researcher.get("/research/exports").get_data(as_text=True).split())
    assert 'Complete responses only, unless you tick "Include partial responses" below;' in html
    assert "Include partial responses</label>" in html


def test_practice_campaigns_and_contact_details_are_never_exported(app, researcher, make_campaign):
    make_campaign("practice-run", keys=("wemwbs",), asset_slugs=(), practice=True)
    with app.app_context():
        practice = db.session.scalars(select(Campaign).filter_by(slug="practice-run")).one()
        response = Response(
            public_id=PRACTICE_ID,
            campaign=practice,
            community_id=practice.community_id,
            mode="online",
            instrument_versions={},
            consent=True,
            status="complete",
            submitted_at=datetime.now(UTC),
        )
        db.session.add(response)
        db.session.flush()
        db.session.add_all(Answer(response_id=response.id, item_key=f"wemwbs_{n}", value=3) for n in range(1, 15))
        real = db.session.scalars(select(Response).where(Response.status == "complete").limit(1)).one()
        db.session.add(
            ContactDetail(
                response_public_id=real.public_id, community_id=real.community_id, name="Planted", email=PLANTED_CONTACT
            )
        )
        db.session.commit()
    download = _csv_export(researcher).get_data()
    archive = zipfile.ZipFile(io.BytesIO(download))
    texts = [archive.read(name) for name in archive.namelist()]
    for blob in [download, *texts]:
        assert PLANTED_CONTACT.encode() not in blob and b"Planted" not in blob
        assert PRACTICE_ID.encode() not in blob and b"practice-run" not in blob
    assert len(_responses(download)) == len(_complete_ids(app))
    # Asked for by name, a practice campaign is refused with the form kept.
    refused = _csv_export(researcher, campaign="practice-run", format="sav")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "practice campaign" in page
    assert 'id="format-sav" name="format" value="sav" checked' in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ExportJob)) == 0
    assert len(_accesses(app)) == 1  # only the successful download


def test_bad_choices_answer_400_with_a_message(app, researcher):
    wrong_format = _csv_export(researcher, format="pdf")
    assert wrong_format.status_code == 400 and "Choose a format" in wrong_format.get_data(as_text=True)
    unknown = _csv_export(researcher, community="atlantis")
    assert unknown.status_code == 400 and "No community &#34;atlantis&#34;" in unknown.get_data(as_text=True)
    assert _accesses(app) == []


def _wait_for(app, job_id: int) -> ExportJob:
    """The job once the queue has run it (here, in the test's process: tests/job_support.py)."""
    run_queued_jobs(app)
    with app.app_context():
        job = db.session.get(ExportJob, job_id)
        if job.status in ("done", "failed"):
            db.session.expunge(job)
            return job
    raise AssertionError("export did not finish")


def test_an_spss_export_runs_in_the_background_and_downloads(app, researcher):
    started = post_form(
        researcher,
        "/research/exports",
        "/research/exports",
        {"format": "sav", "content": "both", "campaign": "swanley"},
    )
    assert started.status_code == 303
    job_id = int(started.headers["Location"].rsplit("/", 1)[1])
    assert _accesses(app) == []  # nothing has left yet
    job = _wait_for(app, job_id)
    assert job.status == "done", job.error
    assert re.fullmatch(rf"exports/{job_id}-[0-9a-f]{{16}}\.zip", job.file_path)
    page = researcher.get(f"/research/exports/{job_id}").get_data(as_text=True)
    assert "Download the export" in page and 'http-equiv="refresh"' not in page
    download = researcher.get(f"/research/exports/{job_id}/download")
    assert download.status_code == 200 and download.mimetype == "application/zip"
    assert re.search(r"survey-swanley-sav-\d{4}-\d{2}-\d{2}\.zip", download.headers["Content-Disposition"])
    archive = zipfile.ZipFile(io.BytesIO(download.data))
    download.close()  # send_file's open file, as the WSGI server would
    assert archive.namelist() == [
        "responses.sav",
        "assets.sav",
        "campaigns.sav",
        "adjustments.csv",
        "assets.geojson",
        "codebook.csv",
        "codebook.html",
        "datapackage.json",
        "provenance.json",
    ]
    data, meta = pyreadstat.read_sav(io.BytesIO(archive.read("responses.sav")))
    assert set(data["response_id"]) == _complete_ids(app, "swanley") and len(data) == job.row_count == 12
    assert meta.variable_value_labels["wemwbs_1"][5] == "All of the time"
    assert meta.variable_value_labels["ons_life_satisfaction"][0] == "Not at all satisfied"
    assert meta.variable_value_labels["ons_anxious"][10] == "Completely anxious"
    assert data["ons_life_satisfaction"].between(0, 10).all()
    [entry] = _accesses(app)
    assert (entry.user_label, entry.channel, entry.format, entry.row_count) == ("r@example.org", "web", "sav", 12)
    assert entry.filters["campaigns"] == ["swanley"]


def test_peers_and_anonymous_visitors_cannot_export(app, client, researcher, make_user, login):
    make_user("peer@example.org", "peer", communities=("dover-town",))
    peer = app.test_client()
    assert login("peer@example.org", target=peer).status_code == 303
    assert peer.get("/research/exports").status_code == 403
    token_page = peer.get("/fieldwork/").get_data(as_text=True)
    from tests.helpers import csrf_token

    refused = peer.post("/research/exports", data={"csrf_token": csrf_token(token_page), "format": "csv"})
    assert refused.status_code == 403
    anonymous = app.test_client().get("/research/exports")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    assert _accesses(app) == []


def test_flask_export_writes_the_zip_and_logs_it(app, runner, tmp_path, demo):
    demo(*DEMO)
    out = tmp_path / "dover.zip"
    result = runner.invoke(
        args=["export", "--out", str(out), "--format", "dta", "--campaign", "dover-town", "--verified-only"]
    )
    assert result.exit_code == 0, result.output
    archive = zipfile.ZipFile(out)
    assert archive.namelist()[:2] == ["responses.dta", "assets.dta"]
    data, _meta = pyreadstat.read_dta(io.BytesIO(archive.read("responses.dta")))
    assert set(data["response_id"]) == _complete_ids(app, "dover-town", verified_only=True)
    [entry] = _accesses(app)
    assert (entry.user_id, entry.user_label, entry.channel, entry.resource) == (None, "cli:export", "cli", "export")
    assert entry.row_count == len(data) and entry.filters["verified_only"] is True
    unknown = runner.invoke(args=["export", "--out", str(tmp_path / "x.zip"), "--community", "nowhere"])
    assert unknown.exit_code != 0 and "nowhere" in unknown.output
    assert not (tmp_path / "x.zip").exists() and len(_accesses(app)) == 1
