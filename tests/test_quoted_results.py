"""Erasing a participant, or their consent to quotation withdrawn, removes the finished reports and
profile packs that may quote them at once. They stayed downloadable, words and all, until `flask purge`
released them (30 days by default)."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import current_app
from sqlalchemy import select

from survey.extensions import db
from survey.models import ProfilePackJob, ReportJob
from tests.deepdive_support import fields, post, record, researcher_of_two_communities
from tests.helpers import csrf_token, post_form

ERASE = "/research/deep-dives/erase"


@pytest.fixture
def researcher(app, client, make_campaign, make_user, login):
    return researcher_of_two_communities(client, make_campaign, make_user, login)


def _finished(app) -> dict[str, Path]:
    """A finished report or pack of each scope, each with its own file: {scope: file}."""
    scopes = {
        "report:everything": ReportJob(),
        "report:dover-town": ReportJob(community_slug="dover-town"),
        "report:campaign dover-town": ReportJob(campaign_slug="dover-town"),
        "report:sheppey": ReportJob(community_slug="sheppey"),
        "pack:dover-town": ProfilePackJob(community_slug="dover-town"),
        "pack:sheppey": ProfilePackJob(community_slug="sheppey"),
    }
    files = {}
    with app.app_context():
        root = Path(current_app.config["RESULTS_DIR"])
        for number, (scope, job) in enumerate(scopes.items()):
            relative = f"quoted/{number}.zip"
            (root / "quoted").mkdir(parents=True, exist_ok=True)
            (root / relative).write_bytes(b"PK\x05\x06" + bytes(18))  # an empty zip
            job.status, job.step, job.progress, job.file_path = "done", "finished", 1.0, relative
            db.session.add(job)
            files[scope] = root / relative
        db.session.commit()
    return files


def _kept(app, files: dict[str, Path]) -> set[str]:
    """The scopes whose file is still there and still linked from its job."""
    with app.app_context():
        linked = set(db.session.scalars(select(ReportJob.file_path))) | set(
            db.session.scalars(select(ProfilePackJob.file_path))
        )
    return {scope for scope, path in files.items() if path.exists() and f"quoted/{path.name}" in linked}


SHEPPEY_ONLY = {"report:sheppey", "pack:sheppey"}


def test_erasing_a_participant_removes_the_reports_and_packs_that_may_quote_them(app, researcher):
    record(researcher, code="DOV-07")
    files = _finished(app)
    preview = post_form(researcher, ERASE, ERASE, {"participant_code": "DOV-07", "community": ""})
    data = {"csrf_token": csrf_token(preview.get_data(as_text=True)), "participant_code": "DOV-07", "community": ""}
    assert researcher.post(f"{ERASE}/confirm", data=data).status_code == 303
    assert _kept(app, files) == SHEPPEY_ONLY
    assert "4 finished reports and profile packs that may have quoted them removed" in researcher.get(
        "/research/deep-dives"
    ).get_data(as_text=True)
    with app.app_context():
        job_id = db.session.scalars(select(ReportJob.id).where(ReportJob.community_slug == "dover-town")).one()
    assert researcher.get(f"/research/reports/{job_id}/download").status_code == 404
    assert "This report has been removed" in researcher.get(f"/research/reports/{job_id}").get_data(as_text=True)


def test_the_erase_command_removes_them_too(app, researcher, runner):
    record(researcher, code="DOV-07", community="sheppey")
    files = _finished(app)
    result = runner.invoke(args=["deep-dives", "erase", "--participant", "DOV-07"])
    assert result.exit_code == 0 and "that may have quoted them removed" in result.output
    assert _kept(app, files) == {"report:dover-town", "report:campaign dover-town", "pack:dover-town"}


def test_withdrawing_consent_to_quotation_removes_them_and_other_edits_do_not(app, researcher):
    deep_dive_id = record(researcher, code="DOV-07")
    files = _finished(app)
    edit = f"/research/deep-dives/{deep_dive_id}/edit"
    assert post(researcher, fields(code="DOV-07", transcript="A typo fixed."), url=edit).status_code == 303
    assert _kept(app, files) == set(files)  # quotation consent unchanged: nothing goes
    withdrawn = post(researcher, fields(code="DOV-07", transcript="A typo fixed.", consent_quotation="no"), url=edit)
    assert withdrawn.status_code == 303
    assert _kept(app, files) == SHEPPEY_ONLY
