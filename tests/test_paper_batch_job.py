"""Issuing a paper batch runs off the request (issue 16 part 8): the forms are numbered at once, the PDF
is made by a background job, and the batch's page shows its progress with a Refresh button (a static
script updates it; never <meta http-equiv=refresh>). A job that died is failed (by the worker's check)
and can be made again."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

from sqlalchemy import select, update

from survey.database import utcnow
from survey.extensions import db
from survey.models import Campaign, PaperBatch, User
from survey.paper.operations import issue_batch
from tests.helpers import csrf_token
from tests.job_support import run_periodic_checks
from tests.test_paper_support import PEER, RESEARCHER, paper_setup, signed_in, wait_for_pdf


def _queued_batch(app) -> int:
    """A batch issued as the screens do, with the job not started (as if the worker were busy)."""
    with app.app_context():
        campaign = db.session.scalars(select(Campaign).filter_by(slug="dover-town")).one()
        peer = db.session.scalars(select(User).filter_by(email=PEER)).one()
        researcher = db.session.scalars(select(User).filter_by(email=RESEARCHER)).one()
        batch = issue_batch(campaign, peer, researcher, 2, render_pdf=False)
        db.session.commit()
        return batch.id


def test_the_batch_page_shows_the_pdf_progress_without_refreshing_itself(app, make_campaign, make_user):
    paper_setup(make_campaign, make_user)
    batch_id = _queued_batch(app)
    researcher = signed_in(app, RESEARCHER)
    page = researcher.get(f"/paper/batches/{batch_id}").get_data(as_text=True)
    assert 'data-job-progress="running"' in page and "Making the PDF: waiting to start (0%)" in page
    assert "data-refresh-button" in page and 'src="/static/staff.js"' in page
    assert 'http-equiv="refresh"' not in page and "Download the PDF to print" not in page
    assert researcher.get(f"/paper/batches/{batch_id}/pdf").status_code == 404  # nothing to download yet
    # The serial numbers exist at once: the forms can be tracked while the PDF is made.
    assert "DOV-00001-3" in page


def test_a_batch_issued_on_screen_gets_its_pdf_from_the_background_job(app, make_campaign, make_user):
    paper_setup(make_campaign, make_user)
    researcher = signed_in(app, RESEARCHER)
    html = researcher.get("/paper/campaigns/dover-town/issue").get_data(as_text=True)
    with app.app_context():
        peer = db.session.scalars(select(User).filter_by(email=PEER)).one().id
    with mock.patch("survey.paper.printing.batch_pdf", return_value=b"%PDF-1.7 stub") as render:
        issued = researcher.post(
            "/paper/campaigns/dover-town/issue", data={"csrf_token": csrf_token(html), "issued_to": peer, "size": "4"}
        )
        assert issued.status_code == 303
        batch = wait_for_pdf(app)
    assert render.call_count == 1
    assert (batch.pdf_status, batch.pdf_progress, batch.pdf_error) == ("done", 1.0, None)
    page = researcher.get(issued.headers["Location"]).get_data(as_text=True)
    assert 'data-job-progress="finished"' in page and "Download the PDF to print" in page
    assert researcher.get(f"/paper/batches/{batch.id}/pdf").data == b"%PDF-1.7 stub"


def test_a_failed_pdf_is_shown_and_made_again(app, make_campaign, make_user):
    paper_setup(make_campaign, make_user)
    researcher = signed_in(app, RESEARCHER)
    with mock.patch("survey.paper.printing.batch_pdf", side_effect=RuntimeError("fonts missing")):
        html = researcher.get("/paper/campaigns/dover-town/issue").get_data(as_text=True)
        with app.app_context():
            peer = db.session.scalars(select(User).filter_by(email=PEER)).one().id
        issued = researcher.post(
            "/paper/campaigns/dover-town/issue", data={"csrf_token": csrf_token(html), "issued_to": peer, "size": "1"}
        )
        batch = wait_for_pdf(app)
    assert batch.pdf_status == "failed" and "fonts missing" in batch.pdf_error
    page = researcher.get(issued.headers["Location"]).get_data(as_text=True)
    assert "The PDF could not be made" in page and "Make the PDF again" in page
    with mock.patch("survey.paper.printing.batch_pdf", return_value=b"%PDF-1.7 again"):
        again = researcher.post(f"/paper/batches/{batch.id}/pdf/again", data={"csrf_token": csrf_token(page)})
        assert again.status_code == 303
        assert wait_for_pdf(app).pdf_status == "done"
    assert researcher.get(f"/paper/batches/{batch.id}/pdf").data == b"%PDF-1.7 again"
    peer_page = signed_in(app, PEER).get(issued.headers["Location"])
    assert peer_page.status_code == 200


def test_a_pdf_job_that_died_with_its_worker_is_failed_with_a_message(app, make_campaign, make_user):
    paper_setup(make_campaign, make_user)
    batch_id = _queued_batch(app)
    with app.app_context():
        two_hours_ago = utcnow() - timedelta(hours=2)
        db.session.execute(
            update(PaperBatch)
            .where(PaperBatch.id == batch_id)
            .values(issued_at=two_hours_ago, pdf_queued_at=two_hours_ago)
        )
        db.session.commit()
    run_periodic_checks(app)  # the worker's check for jobs whose worker died
    page = signed_in(app, RESEARCHER).get(f"/paper/batches/{batch_id}").get_data(as_text=True)
    assert "the server restarted while making it" in page and 'data-job-progress="finished"' in page
    with app.app_context():
        assert db.session.get(PaperBatch, batch_id).pdf_status == "failed"
