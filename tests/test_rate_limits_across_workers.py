"""The documented sign-in limits hold across gunicorn workers that share Redis (issue 14, point 3).

With the per-process store (`memory://`) each of three workers would count on its own, so an
attacker would get three times the documented guesses; with Redis every worker counts in one place.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from flask_migrate import upgrade

from bench.gunicorn_server import GunicornServer
from survey import create_app
from survey.accounts.operations import create_user
from survey.audit.trail import acting_as
from survey.extensions import db
from tests.helpers import require_redis

pytestmark = pytest.mark.slow  # a real gunicorn with three workers

REDIS_URL = os.environ.get("TEST_RATELIMIT_REDIS_URL", "redis://127.0.0.1:6379/14")
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
EMAIL = "limits.researcher@example.org"
PER_ACCOUNT = 4


@pytest.fixture
def shared_store() -> Iterator[str]:
    """A Redis database of the test's own for the rate limits (fails in CI when Redis is missing,
    skips with the reason on a laptop); emptied before and after."""
    client = require_redis(REDIS_URL, "the lockout across workers")
    client.flushdb()
    yield REDIS_URL
    client.flushdb()
    client.close()


def _served_database(folder: Path, password: str) -> str:
    url = f"sqlite:///{folder / 'served.db'}"
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "limits", "TESTING": True, "JOB_QUEUE_URL": "memory://"})
    with app.app_context():
        upgrade()
        with acting_as(None, "test"):
            create_user(EMAIL, "researcher", password)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return url


def _sign_in(base: str, password: str) -> int:
    """One sign-in on a connection of its own (gunicorn hands each to whichever worker is free)."""
    with requests.Session() as session:
        form = session.get(f"{base}/login", timeout=30).text
        token = CSRF.search(form)
        assert token is not None, form[:500]
        answer = session.post(
            f"{base}/login",
            data={"csrf_token": token.group(1), "email": EMAIL, "password": password},
            allow_redirects=False,
            timeout=30,
        )
        return answer.status_code


def test_the_account_lockout_counts_across_three_workers(shared_store: str, tmp_path: Path) -> None:
    password = secrets.token_urlsafe(16)
    env = {
        **os.environ,
        "DATABASE_URL": _served_database(tmp_path, password),
        "SECRET_KEY": secrets.token_hex(32),
        "RATELIMIT_STORAGE_URI": shared_store,
        "LOGIN_LIMIT_PER_ACCOUNT": f"{PER_ACCOUNT} per 15 minutes",
        "LOGIN_LIMIT_PER_ADDRESS": "1000 per 15 minutes",
    }
    with GunicornServer("wsgi:app", env, tmp_path / "gunicorn.log", workers=3, ready_path="/login") as server:
        assert len(server.workers()) == 3
        wrong = [_sign_in(server.url, "not the password") for _ in range(PER_ACCOUNT * 3)]
        right = _sign_in(server.url, password)
    # Exactly the documented number of guesses, then refusals, whichever worker answered; with a
    # store per worker the three workers would have allowed up to three times as many.
    assert wrong == [422] * PER_ACCOUNT + [429] * (PER_ACCOUNT * 2)
    assert right == 429  # locked: the right password waits for the window too
