"""Helpers shared by the research screens' tests (this module holds no tests itself)."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from survey.models import Answer, Campaign, Response
from tests.helpers import csrf_token


def sign_in(make_user: Any, login: Any, role: str = "researcher", communities: tuple[str, ...] = ()) -> str:
    email = make_user(f"{role}@example.org", role, communities)
    assert login(email).status_code == 303
    return email


def page_token(client: FlaskClient, url: str) -> str:
    page = client.get(url)
    assert page.status_code == 200, (url, page.status_code)
    return csrf_token(page.get_data(as_text=True))


def submit(
    client: FlaskClient, url: str, data: dict[str, Any] | None = None, token_url: str | None = None, **kwargs: Any
) -> TestResponse:
    """POST `data` to `url` with the CSRF token of the form page (`token_url`, default `url`)."""
    token = page_token(client, token_url or url)
    return client.post(url, data={"csrf_token": token, **(data or {})}, **kwargs)


def add_response(
    campaign: Campaign,
    *,
    status: str = "complete",
    mode: str = "online",
    submitted_at: datetime | None = None,
    verified: bool = True,
    nomination: str | None = None,
) -> Response:
    """A response row as the survey would leave it (no answers unless a nomination is given)."""
    response = Response(
        public_id=secrets.token_hex(16),
        campaign=campaign,
        community_id=campaign.community_id,
        mode=mode,
        instrument_versions={},
        consent=True,
        status=status,
        submitted_at=submitted_at if status == "complete" else None,
        verified=verified,
    )
    if nomination is not None:
        response.answers.append(Answer(item_key="asset_nominations", text=nomination))
    return response
