"""Concurrency without loss: the real app under gunicorn with several workers, on SQLite and PostgreSQL.

Hundreds of residents (`bench.survey_client`) complete the survey at once over
HTTP, a fifth of them saving on page 2 and finishing in a fresh session with the
resume code. Afterwards the database must hold exactly one complete response per
resident who was thanked, each with every answer that resident sent and nothing
else (a torn or crossed write would show as a missing or foreign answer). The
second test SIGKILLs busy workers mid-load: residents whose request died press
the button again, and the double-submit protection must still leave one response
each, complete.

PostgreSQL runs in a database of its own (`<the suite's PostgreSQL db>_gunicorn_<xdist worker>`),
since the gunicorn workers must not share the in-process tests' database.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
import requests
from flask_migrate import upgrade
from sqlalchemy import create_engine, make_url, select, text

from bench.gunicorn_server import GunicornServer
from bench.survey_client import Outcome, Resident
from survey import create_app
from survey.audit.trail import acting_as
from survey.campaigns.operations import campaign_sections
from survey.config import normalise_database_url
from survey.demo.build import load_demo
from survey.extensions import db
from survey.models import Answer, AssetUse, Campaign, CampaignAsset, Response
from tests.postgres_support import commit_without_waiting_for_disk, require_postgres_url

pytestmark = pytest.mark.slow  # hundreds of residents through gunicorn: about a minute each

SECRET_KEY = secrets.token_hex(32)  # shared by the test process and the gunicorn it starts
SLUG = "dover-town"  # a demo campaign: four pages, seven assets, score shown on the thank-you page
WORKERS = 4
SAVE_EVERY = 5  # every fifth resident saves on page 2 and resumes: 20 %
SAVE_ON_PAGE = 2


def _own_postgres_url() -> str:
    """A PostgreSQL database for the served app alone, created if need be and emptied (the caller migrates it)."""
    base = make_url(normalise_database_url(require_postgres_url()))
    name = f"{base.database}_gunicorn_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    server = create_engine(base, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        if not connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).scalar():
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    server.dispose()
    own = base.set(database=name).render_as_string(hide_password=False)
    engine = create_engine(own)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    commit_without_waiting_for_disk(own)
    return own


@pytest.fixture(params=["sqlite", "postgresql"])
def served_database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A freshly migrated database holding the demo's open campaigns (no responses)."""
    if request.param == "sqlite":
        path = tmp_path / "served.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        url = f"sqlite:///{path}"
    else:
        url = _own_postgres_url()
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET_KEY, "TESTING": True})
    with app.app_context():
        if request.param == "postgresql":
            upgrade()
        with acting_as(None, "test"):
            load_demo(per_community=0, paper=False)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return url


class Gunicorn(GunicornServer):
    @contextmanager
    def log_on_failure(self) -> Iterator[None]:
        """On failure, print the server's log so the report shows the traceback behind a 500."""
        try:
            yield
        except BaseException:
            print(f"---- gunicorn log ----\n{self.log()}", file=sys.stderr)
            raise


@pytest.fixture
def gunicorn(served_database: str, tmp_path: Path) -> Iterator[Gunicorn]:
    """`gunicorn -w 4 --threads 1 wsgi:app` on a free port, always stopped afterwards."""
    env = {**os.environ, "DATABASE_URL": served_database, "SECRET_KEY": SECRET_KEY, "RATELIMIT_ENABLED": "false"}
    with Gunicorn("wsgi:app", env, tmp_path / "gunicorn.log", workers=WORKERS, ready_path=f"/s/{SLUG}") as server:
        yield server


def _run_residents(
    url: str, count: int, threads: int, retries: int = 0, at_completion: dict[int, Callable[[], None]] | None = None
) -> list[Outcome]:
    """`count` residents over `threads` threads; `at_completion[n]` runs once n residents have finished."""

    def one(index: int) -> Outcome:
        save_on_page = SAVE_ON_PAGE if index % SAVE_EVERY == 0 else None
        return Resident(url, SLUG, seed=index, retries=retries).run(save_on_page=save_on_page)

    outcomes = []
    with ThreadPoolExecutor(threads) as pool:
        futures = [pool.submit(one, index) for index in range(count)]
        try:
            for finished, future in enumerate(as_completed(futures), start=1):
                outcomes.append(future.result())
                if at_completion and finished in at_completion:
                    at_completion[finished]()
        except BaseException:
            pool.shutdown(cancel_futures=True)  # report the first failure without waiting for the rest
            raise
    return outcomes


def _stored(url: str) -> tuple[dict[str, str], dict[str, dict[str, str]], set[str]]:
    """(status by public id, stored answers by public id, the item keys the campaign asks) for SLUG."""
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET_KEY, "TESTING": True})
    with app.app_context():
        campaign = db.session.scalars(select(Campaign).filter_by(slug=SLUG)).one()
        items = {item.key for section in campaign_sections(campaign) for item in section.items}
        statuses = dict(
            db.session.execute(select(Response.public_id, Response.status).filter_by(campaign_id=campaign.id)).all()
        )
        answers: dict[str, dict[str, str]] = {public_id: {} for public_id in statuses}
        rows = db.session.execute(
            select(Response.public_id, Answer.item_key, Answer.value, Answer.text)
            .join(Answer, Answer.response_id == Response.id)
            .filter(Response.campaign_id == campaign.id)
        )
        for public_id, key, value, text_value in rows:
            answers[public_id][key] = text_value if text_value is not None else str(value)
        uses = db.session.execute(
            select(Response.public_id, CampaignAsset.slug, AssetUse.frequency, AssetUse.importance)
            .join(AssetUse, AssetUse.response_id == Response.id)
            .join(CampaignAsset, CampaignAsset.id == AssetUse.campaign_asset_id)
            .filter(Response.campaign_id == campaign.id)
        )
        for public_id, slug, frequency, importance in uses:
            for key, value in ((f"asset_{slug}", frequency), (f"asset_{slug}_value", importance)):
                if value is not None:
                    answers[public_id][key] = str(value)
        db.session.remove()
        db.engine.dispose()
    return statuses, answers, items


def _assert_stored_exactly(url: str, outcomes: list[Outcome], residents: int, resumed: int | None = None) -> None:
    """One complete, whole response per thanked resident; nothing else in the campaign. `resumed`:
    how many saved and resumed (default: every SAVE_EVERY-th of the `residents`)."""
    statuses, answers, items = _stored(url)
    acknowledged = [outcome for outcome in outcomes if outcome.acknowledged]
    assert len(acknowledged) == residents
    assert all(outcome.thanked for outcome in acknowledged)
    wanted_resumed = len(range(0, residents, SAVE_EVERY)) if resumed is None else resumed
    assert sum(outcome.resumed for outcome in acknowledged) == wanted_resumed
    ids = [outcome.public_id for outcome in acknowledged]
    assert None not in ids
    assert len(set(ids)) == len(ids), "two residents were given the same response"
    # No duplicate from a retried or double-clicked request, and no partial left behind.
    assert len(statuses) == residents
    assert sorted(statuses.values()) == ["complete"] * residents
    assert set(statuses) == set(ids)
    assert len(items) > 40  # WEMWBS 14 + six ways 12 + 7 assets x 2 + nominations + demographics 5
    for outcome in acknowledged:
        stored = answers[outcome.public_id]
        # Every item of the campaign answered (the resident answers optional ones too) ...
        assert set(stored) == items, (outcome.public_id, items ^ set(stored))
        # ... and with exactly this resident's answers: a crossed or torn write would differ.
        assert stored == outcome.answers, outcome.public_id


def test_concurrent_residents_are_all_stored_once_and_whole(gunicorn: Gunicorn, served_database: str) -> None:
    residents = 200
    with gunicorn.log_on_failure():
        outcomes = _run_residents(gunicorn.url, residents, threads=20)
        _assert_stored_exactly(served_database, outcomes, residents)
        assert sum(outcome.retries for outcome in outcomes) == 0  # nothing was killed, so nothing failed


class HeldSession(requests.Session):
    """A resident's session whose first POST of a questionnaire page stops halfway through its body
    until the test has killed the worker reading it: a request that certainly dies with its worker.

    The POST goes out on a plain socket (so the test knows its port, hence which worker holds it);
    when the worker is gone the send or the read fails and `requests.ConnectionError` is raised, as
    for any dropped connection, so the resident sends the request again.
    """

    def __init__(self) -> None:
        super().__init__()
        self.in_flight = threading.Event()
        self.killed = threading.Event()
        self.client_port = 0
        self.held = False

    def request(self, method, url, data=None, **kwargs):  # type: ignore[no-untyped-def, override]
        if self.held or method != "POST" or "/page/" not in url:
            return super().request(method, url, data=data, **kwargs)
        self.held = True
        parts = urlsplit(url)
        body = urlencode(data or {}).encode()
        cookies = "; ".join(f"{cookie.name}={cookie.value}" for cookie in self.cookies)
        head = (
            f"POST {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\nCookie: {cookies}\r\n"
            f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode()
        with socket.create_connection((parts.hostname, parts.port), timeout=30) as connection:
            connection.sendall(head + body[: len(body) // 2])
            self.client_port = connection.getsockname()[1]
            self.in_flight.set()
            self.killed.wait(timeout=60)
            try:
                connection.sendall(body[len(body) // 2 :])
                answered = connection.recv(1)
            except OSError as error:
                raise requests.ConnectionError(f"the worker died mid-request: {error}") from None
        raise requests.ConnectionError("the worker died mid-request" if not answered else "unexpected answer")


def test_killed_worker_loses_no_acknowledged_response(gunicorn: Gunicorn, served_database: str) -> None:
    residents = 120
    killed: list[int] = []
    held = HeldSession()
    victim = Resident(gunicorn.url, SLUG, seed=residents, retries=5, session_factory=lambda: held)

    def kill_busy_worker() -> None:
        worker = gunicorn.busy_worker()  # caught with a client's connection open
        killed.append(worker.pid)
        os.kill(worker.pid, signal.SIGKILL)

    def kill_the_held_request() -> None:
        assert held.in_flight.wait(timeout=60), "the held request never started"
        worker = gunicorn.worker_serving(held.client_port)
        killed.append(worker.pid)
        os.kill(worker.pid, signal.SIGKILL)
        held.killed.set()

    with gunicorn.log_on_failure(), ThreadPoolExecutor(1) as aside:
        held_resident = aside.submit(victim.run)
        # Four kills spread over the run: the first of the worker reading the held request (it dies
        # with its worker for certain), the others of whichever worker has a connection open then.
        kills = {residents * step // 5: kill_busy_worker for step in range(2, 5)}
        kills[residents // 5] = kill_the_held_request
        outcomes = _run_residents(gunicorn.url, residents, threads=20, retries=5, at_completion=kills)
        outcomes.append(held_resident.result(timeout=120))
        assert len(killed) == 4
        # The held request died with its worker and was sent again, and the resident finished.
        assert victim.outcome.retries >= 1 and victim.outcome.thanked
        _assert_stored_exactly(served_database, outcomes, residents + 1, len(range(0, residents, SAVE_EVERY)))
        # gunicorn replaced the killed workers.
        workers = {worker.pid for worker in gunicorn.workers()}
        assert len(workers) == WORKERS and not workers & set(killed)
