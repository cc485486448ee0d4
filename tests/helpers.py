"""Test helpers: a resident walking through the online survey with the Flask test client (CSRF on)."""

from __future__ import annotations

import os
import re
from html.parser import HTMLParser
from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

CSRF_PATTERN = re.compile(r'<input(?=[^>]*name="csrf_token")[^>]*value="([^"]+)"')
START_TOKEN_PATTERN = re.compile(r'name="start_token" type="hidden" value="([^"]+)"')


def csrf_token(html: str) -> str:
    match = CSRF_PATTERN.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


class Resident:
    def __init__(self, client: FlaskClient, slug: str) -> None:
        self.client = client
        self.slug = slug

    def consent_page(self) -> TestResponse:
        return self.client.get(f"/s/{self.slug}")

    def start(self, consent: bool = True, start_token: str | None = None) -> TestResponse:
        page = self.consent_page()
        assert page.status_code == 200, page.status_code
        html = page.get_data(as_text=True)
        token = start_token or START_TOKEN_PATTERN.search(html).group(1)  # type: ignore[union-attr]
        data = {"csrf_token": csrf_token(html), "start_token": token}
        if consent:
            data["consent"] = "y"
        return self.client.post(f"/s/{self.slug}/start", data=data)

    def page_html(self, number: int) -> str:
        page = self.client.get(f"/s/{self.slug}/page/{number}")
        assert page.status_code == 200, (page.status_code, page.headers.get("Location"))
        return page.get_data(as_text=True)

    def item_names(self, number: int) -> list[str]:
        """The item keys on a page, in order, read from the form itself."""
        parser = _InputCollector()
        parser.feed(self.page_html(number))
        names = [str(attrs.get("name")) for attrs in parser.inputs]
        return list(dict.fromkeys(n for n in names if n not in ("csrf_token", "response", "None")))

    def submit(self) -> TestResponse:
        """Submit from "Check your answers"."""
        page = self.client.get(f"/s/{self.slug}/check")
        assert page.status_code == 200, (page.status_code, page.headers.get("Location"))
        return self.client.post(f"/s/{self.slug}/check", data={"csrf_token": csrf_token(page.get_data(as_text=True))})

    def post_page(self, number: int, answers: dict[str, Any], action: str = "next") -> TestResponse:
        html = self.page_html(number)
        data = {"csrf_token": csrf_token(html), "action": action, **{k: str(v) for k, v in answers.items()}}
        return self.client.post(f"/s/{self.slug}/page/{number}", data=data)


def valid_answers(names: list[str], code: int = 4) -> dict[str, Any]:
    """A complete, valid set of answers for the items named on a page."""
    answers: dict[str, Any] = {}
    for name in names:
        if name.endswith("-declined"):
            continue  # "Prefer not to say" left unticked
        if name.endswith("-uses"):
            answers[name] = 1  # "Yes": uses the asset, so "how often" is asked next
        elif name.startswith("wemwbs_") or name.startswith("sixways_"):
            answers[name] = code
        elif name.startswith("asset_") and name.endswith("_value"):
            answers[name] = 5
        elif name == "asset_nominations":
            answers[name] = "The allotments"
        elif name.startswith("asset_"):
            answers[name] = 3
        elif name == "years_in_area":
            answers[name] = 12
        elif name == "postcode_district":
            answers[name] = "ct16"
        else:
            answers[name] = 1
    return answers


def complete_survey(resident: Resident, pages: int, code: int = 4) -> TestResponse:
    """Answer every question page, then submit from "Check your answers"; returns the submit's redirect."""
    started = resident.start()
    assert started.status_code == 303, started.status_code
    result = started
    for number in range(1, pages + 1):
        result = resident.post_page(number, valid_answers(resident.item_names(number), code))
        assert result.status_code == 303, (number, result.status_code, result.get_data(as_text=True)[:2000])
    assert result.headers["Location"] == f"/s/{resident.slug}/check", result.headers["Location"]
    return resident.submit()


class _InputCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.inputs: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("input", "textarea"):
            self.inputs.append(dict(attrs))


def checked_answers(html: str) -> dict[str, str]:
    """The radio buttons shown as selected on a page: {item key: code}."""
    parser = _InputCollector()
    parser.feed(html)
    return {
        str(attrs["name"]): str(attrs["value"])
        for attrs in parser.inputs
        if attrs.get("type") == "radio" and "checked" in attrs
    }


def post_form(client: FlaskClient, page_url: str, url: str, data: dict[str, Any] | None = None) -> TestResponse:
    """POST the way a browser does: with the CSRF token of the page the form is on."""
    token = csrf_token(client.get(page_url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **(data or {})})


def require_redis(url: str, what: str) -> Any:
    """A connected client for the test Redis at `url`; when none answers, the test fails in CI (every
    test must run there) and skips with the reason on a laptop. `what` names what cannot be tested."""
    import redis

    client = redis.Redis.from_url(url)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        client.close()
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but Redis is missing at {url}: {what} cannot be tested.")
        pytest.skip(f"Redis is missing at {url} (apt-get install redis-server)")
    return client


def bearer_for(app: Any, email: str) -> dict[str, str]:
    """Authorization headers carrying a new API token of the existing user `email`."""
    from sqlalchemy import select

    from survey.accounts.api_tokens import create_token
    from survey.extensions import db
    from survey.models import User

    with app.app_context():
        user = db.session.scalars(select(User).filter_by(email=email)).one()
        _row, token = create_token(user, "tests")
        db.session.commit()
    return {"Authorization": f"Bearer {token}"}
