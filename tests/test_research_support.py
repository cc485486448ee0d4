"""Helpers shared by the research screens' tests (this module holds no tests itself)."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from survey.config import normalise_database_url
from survey.database import configure_engine, take_turns
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


def save_while_another_writes(
    app: Flask,
    client: FlaskClient,
    url: str,
    data: dict[str, Any],
    lock: int | Callable[[Session], None],
    write: Callable[[Session], None],
    pages: list[str] | None = None,
    token_url: str | None = None,
) -> list[int]:
    """POST `data` to `url` while a second connection holds the writing turn `lock` (as a
    double-clicked Save's other request would), has `write` save its rows there and commits; the
    statuses the POST answered (empty if it never finished), its page added to `pages`. The POST
    must wait for that turn: PostgreSQL's advisory lock `lock` (or what `lock` locks, given a
    function of the connection), or SQLite's one write lock. The CSRF token is `token_url`'s."""
    token = page_token(client, token_url or url)
    answers: list[int] = []

    def post() -> None:
        answer = client.post(url, data={"csrf_token": token, **data})
        answers.append(answer.status_code)
        if pages is not None:
            pages.append(answer.get_data(as_text=True))

    engine = create_engine(normalise_database_url(app.config["SQLALCHEMY_DATABASE_URI"]))
    configure_engine(engine, 15_000)
    try:
        with Session(engine) as other:
            other.execute(text("SELECT 1"))  # SQLite: BEGIN IMMEDIATE, the database's one writing turn
            if callable(lock):
                lock(other)
            else:
                take_turns(other, lock)
            poster = threading.Thread(target=post)
            poster.start()
            wait_while_it_may_be_waiting(other, poster)
            assert poster.is_alive(), "the save did not wait for the other writer's turn"
            write(other)
            other.commit()
        poster.join(timeout=30)
    finally:
        engine.dispose()
    return answers


# A session of ours waits for a lock `other`'s transaction holds (PostgreSQL; live, not a snapshot).
_BLOCKED_BY_US = "SELECT 1 FROM pg_locks WHERE NOT granted AND pg_backend_pid() = ANY(pg_blocking_pids(pid))"


def wait_while_it_may_be_waiting(other: Session, request: threading.Thread) -> None:
    """Return once `request` (a thread sending one) is seen waiting for the turn `other` holds, or has
    finished; the caller then checks it is still running.

    PostgreSQL shows a waiting session (a lock it has not been granted, held by `other`), so that is
    waited for (10 s at most). SQLite's writers wait in their busy handler, which shows nowhere:
    a second, far longer than such a request takes when nothing holds it up.
    """
    if other.get_bind().dialect.name != "postgresql":
        time.sleep(1.0)
        return
    deadline = time.monotonic() + 10
    while request.is_alive() and time.monotonic() < deadline:
        if other.execute(text(_BLOCKED_BY_US)).first():
            return
        time.sleep(0.01)
