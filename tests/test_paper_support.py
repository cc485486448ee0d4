"""Helpers for the paper-form tests (this module holds no tests): people, batches, keying by HTTP."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from unittest import mock

from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from survey.extensions import db
from survey.models import Campaign, PaperBatch, User
from survey.paper.operations import issue_batch
from tests.conftest import STAFF_PASSWORD
from tests.helpers import csrf_token

RESEARCHER = "rita@example.org"
PEER = "pat@example.org"
PEER2 = "pip@example.org"
PEER_OTHER = "sam@example.org"  # assigned to sheppey only
# wemwbs 14 + six ways 12 + asset use 5 (2 assets x 2 items + nominations) + demographics 5.
ITEMS_IN_DOVER_FORM = 36


def paper_setup(make_campaign, make_user, percent: int = 0) -> None:
    """Dover Town and Sheppey campaigns, a researcher, two Dover peers and a Sheppey peer."""
    make_campaign(double_entry_percent=percent)
    make_campaign("sheppey", asset_slugs=("sheppey_library",), double_entry_percent=percent)
    make_user(RESEARCHER, "researcher")
    make_user(PEER, "peer", ("dover-town",))
    make_user(PEER2, "peer", ("dover-town",))
    make_user(PEER_OTHER, "peer", ("sheppey",))


def issue(app, slug: str = "dover-town", size: int = 2, to: str = PEER, render: bool = False) -> list[str]:
    """Issue a batch through the service; the PDF is stubbed unless `render` (WeasyPrint takes a second)."""
    with app.app_context():
        campaign = db.session.scalars(select(Campaign).filter_by(slug=slug)).one()
        recipient = db.session.scalars(select(User).filter_by(email=to)).one()
        researcher = db.session.scalars(select(User).filter_by(email=RESEARCHER)).one()
        if render:
            batch = issue_batch(campaign, recipient, researcher, size)
        else:
            with mock.patch("survey.paper.printing.batch_pdf", return_value=b"%PDF-1.7 stub"):
                batch = issue_batch(campaign, recipient, researcher, size)
        db.session.commit()
        return [form.serial for form in batch.forms]


def wait_for_pdf(app) -> PaperBatch:
    """The newest batch once the queue has run its PDF job (in the test's process: tests/job_support.py)."""
    from tests.job_support import run_queued_jobs

    run_queued_jobs(app)
    with app.app_context():
        batch = db.session.scalars(select(PaperBatch).order_by(PaperBatch.id.desc())).first()
        if batch is not None and batch.pdf_status in ("done", "failed"):
            db.session.expunge(batch)
            return batch
    raise AssertionError("the batch PDF job did not finish")


def signed_in(app, email: str) -> FlaskClient:
    client = app.test_client()
    token = csrf_token(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"csrf_token": token, "email": email, "password": STAFF_PASSWORD})
    assert response.status_code == 303, response.status_code
    return client


class _Inputs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.inputs: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "input":
            self.inputs.append(dict(attrs))


def entry_inputs(html: str) -> dict[str, str]:
    """The entry screen's item inputs in page order: {item key: value shown}."""
    parser = _Inputs()
    parser.feed(html)
    return {str(i["name"]): i.get("value") or "" for i in parser.inputs if "data-entry" in i}


def answer_for(key: str) -> str:
    """A valid code for any item of the Dover form."""
    if key.startswith(("wemwbs_", "sixways_")):
        return "4"
    if key == "asset_nominations":
        return "The allotments"
    if key.startswith("asset_"):
        return "5" if key.endswith("_value") else "3"
    return {"years_in_area": "12", "postcode_district": "ct16"}.get(key, "1")


def key_form(client: FlaskClient, serial: str, **overrides: str) -> TestResponse:
    """Open the entry screen and submit every item (valid codes unless overridden)."""
    page = client.get(f"/paper/forms/{serial}/entry")
    assert page.status_code == 200, (page.status_code, page.get_data(as_text=True)[:500])
    html = page.get_data(as_text=True)
    number = re.search(r'name="entry_number" value="(\d)"', html)
    assert number
    data = {key: overrides.get(key, answer_for(key)) for key in entry_inputs(html)}
    data.update(csrf_token=csrf_token(html), entry_number=number.group(1))
    return client.post(f"/paper/forms/{serial}/entry", data=data)
