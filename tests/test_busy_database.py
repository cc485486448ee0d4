"""A resident's write that cannot get SQLite's write lock in time answers a "busy, try again" page
(503 with Retry-After) that keeps what they typed, never a 500; Try again stores it once.

The lock is held deterministically by another connection (BEGIN IMMEDIATE), and the app's busy
timeout is short, so the request gives up at once instead of after 15 s. SQLite only: PostgreSQL
writers wait on row locks, with no busy timeout to run out.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask import Flask
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, make_url, select
from werkzeug.datastructures import MultiDict

from survey.extensions import db
from survey.models import Answer, Campaign, Response
from tests.conftest import _app_for
from tests.helpers import START_TOKEN_PATTERN, Resident, csrf_token, valid_answers

BUSY_TIMEOUT_MS = 50


@pytest.fixture(params=["sqlite"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    path = tmp_path / "test.db"
    path.write_bytes(sqlite_template.read_bytes())
    return f"sqlite:///{path}"


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    app = _app_for(database_url, RESULTS_DIR=str(tmp_path / "results"), SQLITE_BUSY_TIMEOUT_MS=BUSY_TIMEOUT_MS)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@contextmanager
def write_lock_held(database_url: str) -> Iterator[None]:
    """Hold SQLite's write lock from another connection, as a long import once did."""
    holder = sqlite3.connect(make_url(database_url).database, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        yield
        holder.execute("ROLLBACK")
    finally:
        holder.close()


class _ResendForm(HTMLParser):
    """The busy page's form: its action and its hidden fields."""

    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.fields: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "form":
            self.action = found.get("action")
        elif tag == "input" and found.get("type") == "hidden":
            self.fields.append((str(found["name"]), str(found.get("value") or "")))


def _resend_form(html: str) -> _ResendForm:
    parser = _ResendForm()
    parser.feed(html)
    return parser


def _count(app: Flask, *columns: object) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(*columns)) or 0)


def test_a_page_sent_while_the_lock_is_held_gets_503_keeping_the_answers_then_stores_once(
    app, client, make_campaign, database_url
):
    slug = make_campaign()
    resident = Resident(client, slug)
    assert resident.start().status_code == 303
    answers = {name: str(value) for name, value in valid_answers(resident.item_names(1), code=2).items()}
    sent = {"csrf_token": csrf_token(resident.page_html(1)), "action": "next", **answers}

    with write_lock_held(database_url):
        busy = client.post(f"/s/{slug}/page/1", data=sent)
        html = busy.get_data(as_text=True)
        # At least our 5 s; on rate-limited routes Flask-Limiter raises it to its window's reset.
        assert busy.status_code == 503 and int(busy.headers["Retry-After"]) >= 5
        assert "Sorry, we are busy" in html and "Nothing you typed has been lost" in html
    assert _count(app, Answer) == 0  # nothing half-written

    form = _resend_form(html)
    assert form.action == f"/s/{slug}/page/1"
    assert dict(form.fields) == sent  # every answer, the action and the CSRF token, as typed

    again = client.post(str(form.action), data=MultiDict(form.fields))  # "Try again"
    assert again.status_code == 303 and again.headers["Location"].endswith(f"/s/{slug}/page/2")
    twice = client.post(str(form.action), data=MultiDict(form.fields))  # pressed twice: still one set of answers
    assert twice.status_code == 303
    with app.app_context():
        stored = {a.item_key: a.value for a in db.session.scalars(select(Answer))}
    assert stored == {key: 2 for key in answers}
    assert _count(app, Response) == 1


def test_start_pressed_while_the_lock_is_held_is_kept_and_creates_one_response(
    app, client, make_campaign, database_url
):
    slug = make_campaign()
    consent = client.get(f"/s/{slug}").get_data(as_text=True)
    sent = {
        "csrf_token": csrf_token(consent),
        "consent": "y",
        "start_token": START_TOKEN_PATTERN.search(consent).group(1),
    }

    with write_lock_held(database_url):
        busy = client.post(f"/s/{slug}/start", data=sent)
    assert busy.status_code == 503 and _count(app, Response) == 0
    form = _resend_form(busy.get_data(as_text=True))
    assert form.action == f"/s/{slug}/start" and dict(form.fields) == sent

    assert client.post(str(form.action), data=MultiDict(form.fields)).headers["Location"].endswith(f"/s/{slug}/page/1")
    assert client.post(str(form.action), data=MultiDict(form.fields)).status_code == 303  # a double click
    assert _count(app, Response) == 1


def test_a_signed_in_staff_member_gets_the_busy_page_without_their_password_echoed(
    app, client, make_user, database_url
):
    email = make_user("researcher@example.org", "researcher")
    login_page = client.get("/login").get_data(as_text=True)
    sent = {"csrf_token": csrf_token(login_page), "email": email, "password": "correct horse battery staple"}
    with write_lock_held(database_url):
        busy = client.post("/login", data=sent)
    html = busy.get_data(as_text=True)
    assert busy.status_code == 503 and "correct horse battery staple" not in html
    assert dict(_resend_form(html).fields) == {"csrf_token": sent["csrf_token"], "email": email}


def test_other_database_errors_are_still_500s(app, client, make_campaign, database_url):
    slug = make_campaign()
    holder = sqlite3.connect(make_url(database_url).database, isolation_level=None)
    holder.execute("DROP TABLE answer")  # a fault, not a busy database: must not be called busy
    holder.close()
    resident = Resident(client, slug)
    resident.start()
    broken = client.get(f"/s/{slug}/page/1")
    assert broken.status_code == 500 and "Sorry, something went wrong" in broken.get_data(as_text=True)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(typed=st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=40))
@example(typed='"><script>alert(1)</script>&amp;')
def test_whatever_was_typed_comes_back_exactly_in_the_busy_page(app, client, make_campaign, database_url, typed):
    """Fuzzed: any text a resident typed survives the busy page's hidden field unchanged (escaped, not lost)."""
    if _count(app, Campaign) == 0:  # the fixtures are made once for all the examples
        make_campaign()
    token = csrf_token(client.get("/s/dover-town/resume").get_data(as_text=True))
    with write_lock_held(database_url):
        busy = client.post("/s/dover-town/resume", data={"csrf_token": token, "code": typed})
    html = busy.get_data(as_text=True)
    assert busy.status_code == 503 and "<script>alert" not in html
    assert dict(_resend_form(html).fields) == {"csrf_token": token, "code": typed}
