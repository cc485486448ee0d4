"""Workshop reports from the database: the background job in the web app, and `flask report`."""

from __future__ import annotations

import io
import zipfile

import pytest
from sqlalchemy import select

from survey.extensions import db
from survey.models import ReportJob
from tests.helpers import post_form
from tests.job_support import run_periodic_checks, run_queued_jobs

# The `flask demo` every test here starts from (built once per test process: tests/demo_support.py).
DEMO = ("--responses", "40", "--no-paper", "--no-profiles")


@pytest.fixture
def researcher(client, make_user, login, demo):
    demo(*DEMO)
    make_user("r@example.org", "researcher")
    assert login("r@example.org").status_code == 303
    return client


def _wait_for(app, job_id: int) -> ReportJob:
    """The job once the queue has run it (here, in the test's process: tests/job_support.py)."""
    run_queued_jobs(app)
    with app.app_context():
        job = db.session.get(ReportJob, job_id)
        if job.status in ("done", "failed"):
            return job
    raise AssertionError("report did not finish")


def test_report_is_built_in_the_background_and_downloaded(app, researcher):
    """That asking only queues the report (a POST costs about a page view) is bench/bench_report_queue.py's."""
    started = post_form(researcher, "/research/reports", "/research/reports", {"scope": "community:aylesham"})
    assert started.status_code == 303
    job_id = int(started.headers["Location"].rsplit("/", 1)[1])
    page = researcher.get(f"/research/reports/{job_id}").get_data(as_text=True)
    assert "Report: Aylesham</h1>" in page  # the community by name, not its slug
    job = _wait_for(app, job_id)
    assert job.status == "done", job.error
    done_page = researcher.get(f"/research/reports/{job_id}").get_data(as_text=True)
    assert "Download the report" in done_page and 'http-equiv="refresh"' not in done_page
    download = researcher.get(f"/research/reports/{job_id}/download")
    download.get_data()  # read the body, then close send_file's open file, as the WSGI server would
    download.close()
    assert download.mimetype == "application/zip"
    assert "attachment" in download.headers["Content-Disposition"]
    names = zipfile.ZipFile(io.BytesIO(download.data)).namelist()
    assert {"report.html", "asset_effects.csv", "descriptives.csv", "asset_value.csv"} <= set(names)
    effects = zipfile.ZipFile(io.BytesIO(download.data)).read("asset_effects.csv").decode()
    assert "aylesham_welfare" in effects and "dover_library" not in effects  # scoped to the community


def test_a_failed_report_says_why(app, researcher, make_campaign):
    make_campaign("empty-town", keys=("wemwbs", "demographics"), asset_slugs=(), licence=False)
    started = post_form(researcher, "/research/reports", "/research/reports", {"scope": "campaign:empty-town"})
    job = _wait_for(app, int(started.headers["Location"].rsplit("/", 1)[1]))
    assert job.status == "failed" and job.error
    page = researcher.get(f"/research/reports/{job.id}").get_data(as_text=True)
    assert "could not be made" in page
    assert researcher.get(f"/research/reports/{job.id}/download").status_code == 404


def test_practice_campaigns_cannot_be_reported(app, researcher, make_campaign):
    make_campaign("practice-run", keys=("sixways",), asset_slugs=(), practice=True)
    page = researcher.get("/research/reports").get_data(as_text=True)
    assert "campaign:practice-run" not in page
    refused = post_form(researcher, "/research/reports", "/research/reports", {"scope": "campaign:practice-run"})
    assert refused.status_code == 303 and refused.headers["Location"].endswith("/research/reports")
    assert "Practice campaigns never enter an analysis" in researcher.get("/research/reports").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(ReportJob)).all() == []


def test_flask_report_writes_the_report_from_the_database(runner, tmp_path, demo):
    demo(*DEMO)
    result = runner.invoke(args=["report", "--out", str(tmp_path), "--campaign", "swanley"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "report.html").read_text().startswith("<!")
    assert "swanley_park" in (tmp_path / "asset_effects.csv").read_text()
    unknown = runner.invoke(args=["report", "--out", str(tmp_path / "x"), "--campaign", "nowhere"])
    assert unknown.exit_code != 0 and "nowhere" in unknown.output


def test_jobs_whose_worker_died_are_shown_failed_and_fresh_ones_are_left_alone(app, researcher):
    """A report or export still 'running' long after its worker died is failed by the worker's
    periodic check (never by a page view), with a message the job page shows, so nobody watches a
    page refreshing forever; a young one keeps running."""
    from datetime import timedelta

    from survey.database import utcnow
    from survey.models import ExportJob

    with app.app_context():
        long_ago = utcnow() - timedelta(hours=3)
        dead = ReportJob(status="running", step="models", created_at=long_ago)
        dead_export = ExportJob(format="sav", status="running", created_at=long_ago)
        alive = ReportJob(status="running", step="models")
        db.session.add_all([dead, dead_export, alive])
        db.session.commit()
        ids = (dead.id, dead_export.id, alive.id)
    run_periodic_checks(app)
    page = researcher.get(f"/research/reports/{ids[0]}")
    assert page.status_code == 200 and "server restarted" in page.get_data(as_text=True)
    with app.app_context():
        dead, dead_export, alive = (
            db.session.get(ReportJob, ids[0]),
            db.session.get(ExportJob, ids[1]),
            db.session.get(ReportJob, ids[2]),
        )
        assert (dead.status, dead_export.status, alive.status) == ("failed", "failed", "running")
        assert dead.finished_at is not None and dead_export.finished_at is not None


def test_a_campaign_that_asked_swemwbs_alone_is_reported_and_profiled_on_swemwbs(app, runner, tmp_path, demo):
    """A short-form campaign (SWEMWBS, 7 statements) goes through `flask report` and `flask profiles`
    modelled on SWEMWBS, as the analysis of its export does (tests/analysis/test_short_form_golden.py)."""
    import instruments
    from survey.models import Answer, Campaign, Response

    demo("--responses", "80", "--no-paper", "--no-profiles")
    outside = {f"wemwbs_{item}" for item in (4, 5, 8, 10, 12, 13, 14)}
    with app.app_context():
        campaign = db.session.scalars(select(Campaign).where(Campaign.slug == "swanley")).one()
        campaign.instrument_keys = ["swemwbs" if key == "wemwbs" else key for key in campaign.instrument_keys]
        responses = db.session.scalars(select(Response).where(Response.campaign_id == campaign.id)).all()
        for response in responses:
            versions = dict(response.instrument_versions)
            versions["swemwbs"] = instruments.get("swemwbs").version
            del versions["wemwbs"]
            response.instrument_versions = versions
        db.session.execute(
            Answer.__table__.delete().where(
                Answer.response_id.in_([r.id for r in responses]), Answer.item_key.in_(outside)
            )
        )
        db.session.commit()
    result = runner.invoke(args=["report", "--out", str(tmp_path / "report"), "--campaign", "swanley"])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "report" / "report.html").read_text(encoding="utf-8")
    assert "This survey asked the short form only, so SWEMWBS is the outcome throughout" in text
    assert "Average SWEMWBS" in text and "Average WEMWBS" not in text
    profiles = runner.invoke(args=["profiles", "--community", "swanley", "--out", str(tmp_path / "profiles")])
    assert profiles.exit_code == 0, profiles.output
    pack = " ".join((tmp_path / "profiles" / "profiles.html").read_text().split())
    assert "SWEMWBS difference, users minus non-users" in pack
    # Why a grade here may differ from a report over several communities (numbers7 audit).
    assert "worked out for this community alone: whether an association stands out allows for this" in pack
