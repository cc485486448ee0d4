"""Helpers for the deep-dive tests (this module holds no tests itself)."""

from __future__ import annotations

import io
import re
from datetime import date
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import TestResponse, encode_multipart

from survey.extensions import db
from survey.models import DeepDive
from tests.helpers import csrf_token

NEW = "/research/deep-dives/new"
LOCATION_ID = re.compile(r"/research/deep-dives/(\d+)$")


def fields(
    code: str = "DOV-07",
    community: str = "dover-town",
    held_on: date = date(2026, 3, 27),
    transcript: str = "First paragraph.\n\nSecond paragraph.",
    **extra: Any,
) -> dict[str, Any]:
    """A complete, valid deep-dive form (the interviewer is left to the caller or the form's default)."""
    return {
        "participant_code": code,
        "community": community,
        "campaign": "",
        "held_on-day": str(held_on.day),
        "held_on-month": str(held_on.month),
        "held_on-year": str(held_on.year),
        "consent_recording": "no",
        "consent_quotation": "yes",
        "consent_sharing": "no",
        "transcript": transcript,
        **extra,
    }


def interviewer_of(client: FlaskClient, url: str = NEW) -> str:
    """The interviewer the form chooses by default (the signed-in user)."""
    html = client.get(url).get_data(as_text=True)
    selected = re.search(r'<option selected value="(\d+)"|<option value="(\d+)" selected', html)
    hidden = re.search(r'name="interviewer" value="(\d+)"', html)
    found = selected or hidden
    assert found, "no interviewer chosen on the form"
    return next(group for group in found.groups() if group)


def post(client: FlaskClient, data: dict[str, Any], url: str = NEW) -> TestResponse:
    """POST the form as a browser does (multipart, with the page's CSRF token and default interviewer);
    a file is given as (bytes, file name). The body is built in memory: Werkzeug's test client would
    spool a large one to a temporary file it never closes."""
    html = client.get(url).get_data(as_text=True)
    form = {"csrf_token": csrf_token(html), "interviewer": interviewer_of(client, url), **data}
    values = {
        key: FileStorage(io.BytesIO(value[0]), filename=value[1]) if isinstance(value, tuple) else value
        for key, value in form.items()
    }
    boundary, body = encode_multipart(values)
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def record(client: FlaskClient, **kwargs: Any) -> int:
    """Record a deep dive through the form; its id."""
    answer = post(client, fields(**kwargs))
    assert answer.status_code == 303, answer.get_data(as_text=True)[:3000]
    found = LOCATION_ID.search(answer.headers["Location"])
    assert found
    return int(found.group(1))


def stored(app: Any, deep_dive_id: int) -> DeepDive | None:
    with app.app_context():
        row = db.session.scalar(select(DeepDive).filter_by(id=deep_dive_id))
        if row is not None:
            db.session.expunge(row)
        return row


def researcher_of_two_communities(client: FlaskClient, make_campaign: Any, make_user: Any, login: Any) -> FlaskClient:
    """`client` signed in as a researcher, with Dover Town's and Sheppey's campaigns made."""
    from tests.test_research_support import sign_in

    make_campaign("dover-town")
    make_campaign("sheppey", asset_slugs=("sheppey_library",))
    sign_in(make_user, login)
    return client
