"""Fixtures: an app on a real, freshly migrated database per test, on SQLite and on PostgreSQL.

SQLite: the migrations run once into a template file, copied for each test.
PostgreSQL: TEST_DATABASE_URL, or else a server answering at the default local address
(postgresql://postgres@127.0.0.1:5432), where the suite creates and owns the database
`survey_test` (marked as the suite's by a comment, so a database of that name made by someone
else is never wiped). The migrations run once into it, the suite wipes it, and every table is
emptied after each test (tests/postgres_support.py). With no usable server the PostgreSQL tests are
left out and the session header says why in one line; with CI set they fail instead.

Markers, set here from what a test uses (`pytest -m "not slow and not browser"` is a quick run):
`postgres` (the PostgreSQL run of a test), `browser` (Chromium), `fuzz` (tests/test_fuzz.py);
`slow` is set by hand on tests taking more than about 5 s. `postgres_only` keeps a test off SQLite.
Under xdist the modules run longest first (by those markers; `make test` hands out whole modules).

Demo data: `demo(*args)` gives a test's database what `flask demo *args` writes, built once per
test process and copied (tests/demo_support.py). Work every test repeats with the same result
(scrypt hashes, Werkzeug's URL builders, compiled templates) is done once per test process (tests/caches.py).

Jobs: every test app queues on ``memory://`` and the `app` fixture's app writes its results under the
test's own folder; tests run the queued jobs themselves (tests/job_support.py says why).
"""

from __future__ import annotations

import gc
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import Engine, create_engine, text

from survey import create_app
from survey.config import normalise_database_url
from survey.extensions import db
from tests.caches import scrypt_once_per_password, templates_compiled_once, url_builders_once_per_rule
from tests.demo_support import DemoCopies
from tests.postgres_support import (
    commit_without_waiting_for_disk,
    database_for_this_worker,
    empty_postgres,
    postgres_base_url,
    postgres_header,
    require_postgres_url,
)

BACKENDS = ["sqlite", "postgresql"]


def _app_for(url: str, **extra: object) -> Flask:
    settings = {"DATABASE_URL": url, "SECRET_KEY": "test-secret-key", "TESTING": True, "JOB_QUEUE_URL": "memory://"}
    return create_app({**settings, **extra})


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    app = _app_for(f"sqlite:///{path}")
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return path


def pytest_report_header(config: pytest.Config) -> str:
    return postgres_header()


BROWSER_FIXTURES = {"browser", "chromium"}


def _backend(item: pytest.Item) -> str | None:
    """The database backend ("sqlite" or "postgresql") a test runs on, or None."""
    params = getattr(item, "callspec", None) and item.callspec.params
    return next((value for value in (params or {}).values() if isinstance(value, str) and value in BACKENDS), None)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark each test by what it uses; leave out what cannot run here (never skipped one by one)."""
    no_postgres = postgres_base_url() is None and not os.environ.get("CI")
    kept, left_out = [], []
    for item in items:
        backend = _backend(item)
        on_postgres = backend == "postgresql" or (backend is None and item.get_closest_marker("postgres_only"))
        if (item.get_closest_marker("postgres_only") and backend == "sqlite") or (on_postgres and no_postgres):
            left_out.append(item)
            continue
        if on_postgres:
            item.add_marker(pytest.mark.postgres)
        if BROWSER_FIXTURES & set(item.fixturenames):
            item.add_marker(pytest.mark.browser)
        if item.path.name == "test_fuzz.py":
            item.add_marker(pytest.mark.fuzz)
        kept.append(item)
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = kept
    if os.environ.get("PYTEST_XDIST_WORKER"):
        _longest_modules_first(items)


# What a test is expected to take, from its markers (whole runs: slow 15-75 s, browser 3-15 s, the
# rest 0.1-1 s). Used only to order the modules, so rough figures do.
EXPECTED_SECONDS = {"slow": 30.0, "browser": 6.0}
OTHER_SECONDS = 0.4


def _longest_modules_first(items: list[pytest.Item]) -> None:
    """Order the modules by their expected time, longest first; each module's tests keep their order.

    `make test` hands out whole modules (--dist loadfile, so a module's shared browser, site or
    simulation is built once) in this order (--no-loadscope-reorder): the modules of a minute or more
    start at once and short ones fill the end, rather than a long module starting last on one worker
    while the other sits idle.
    """
    expected: dict[Path, float] = {}
    for item in items:
        seconds = next((s for name, s in EXPECTED_SECONDS.items() if item.get_closest_marker(name)), OTHER_SECONDS)
        expected[item.path] = expected.get(item.path, 0.0) + seconds
    items.sort(key=lambda item: -expected[item.path])  # stable: ties keep collection order


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[pytest.TestReport]:
    """In CI a skipped test is a failure: CI must run everything (PostgreSQL, Chromium, Redis)."""
    report = yield
    if os.environ.get("CI") and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, where every test must run: {report.longrepr}"
    return report


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[object]:
    """After each test, move what is still alive out of the garbage collector's sight (gc.freeze).

    What outlives a test is long-lived (libraries imported on first use, caches, module fixtures),
    so the full collection after each test (_close_every_engine) then walks only what that test
    made, not the third of a million objects of the imported libraries every time. Collected first,
    so no garbage is frozen.
    """
    result = yield
    gc.collect()
    gc.freeze()
    return result


@pytest.fixture(autouse=True, scope="session")
def _scrypt_once_per_password() -> Iterator[None]:
    """Real scrypt password hashes, each password hashed once per test process (tests/caches.py)."""
    with scrypt_once_per_password():
        yield


@pytest.fixture(autouse=True, scope="session")
def _url_builders_once_per_rule() -> Iterator[None]:
    """Werkzeug's URL builders compiled once per test process, not once per app (tests/caches.py)."""
    with url_builders_once_per_rule():
        yield


@pytest.fixture(autouse=True, scope="session")
def _templates_compiled_once() -> Iterator[None]:
    """Jinja templates compiled once per test process, not once per app (tests/caches.py)."""
    with templates_compiled_once():
        yield


@pytest.fixture(scope="session")
def postgres_url() -> str:
    url = database_for_this_worker(require_postgres_url())
    engine = create_engine(normalise_database_url(url))
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    commit_without_waiting_for_disk(url)
    app = _app_for(url)
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return url


@pytest.fixture(scope="session")
def postgres_suite_engine(postgres_url: str) -> Iterator[Engine]:
    """The suite's own connection to the worker's database (emptying it), kept from test to test."""
    engine = create_engine(normalise_database_url(postgres_url))
    yield engine
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        path = tmp_path / "test.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    url = request.getfixturevalue("postgres_url")
    engine = request.getfixturevalue("postgres_suite_engine")
    yield url
    empty_postgres(engine)


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    app = _app_for(database_url, RESULTS_DIR=str(tmp_path / "results"))
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _close_every_engine() -> Iterator[None]:
    """After each test, close the pooled connections of every app it made (fixtures or ad hoc).

    Flask-SQLAlchemy keeps one engine per app; an app a test made and dropped would leave its
    connections to the garbage collector, whose ResourceWarning then fails some later test.
    Engines are weakly keyed by their app, so this sees exactly the apps still alive.
    """
    yield
    _dispose_engines()  # before collecting: a collected app's pool would close nothing
    gc.collect()  # responses and streams the test dropped give their connections back...
    _dispose_engines()  # ...and those are closed too


def _dispose_engines() -> None:
    for engines in list(db._app_engines.values()):  # Flask-SQLAlchemy's own registry (no public API)
        for engine in engines.values():
            engine.dispose()


@pytest.fixture(scope="session")
def demo_copies(tmp_path_factory: pytest.TempPathFactory) -> DemoCopies:
    return DemoCopies(tmp_path_factory.mktemp("demo"))


@pytest.fixture
def demo(app: Flask, demo_copies: DemoCopies):
    """`demo(*args)` gives the test's database what `flask demo *args` writes (tests/demo_support.py);
    call it before anything else writes to the database."""

    def _load(*args: str) -> None:
        demo_copies.load(app, args)

    return _load


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


@pytest.fixture
def make_campaign(app: Flask):
    """Build a community with assets and a campaign; returns the campaign slug."""
    from survey.campaigns.licences import add_licence
    from survey.campaigns.operations import create_campaign, open_campaign
    from survey.models import Asset, Community

    def _make(
        slug: str = "dover-town",
        keys: tuple[str, ...] = ("wemwbs", "sixways", "asset_use", "demographics"),
        *,
        open_it: bool = True,
        licence: bool = True,
        asset_slugs: tuple[str, ...] = ("dover_library", "dover_seafront"),
        **settings: object,
    ) -> str:
        with app.app_context():
            community = Community(slug=slug, name=slug.replace("-", " ").title())
            db.session.add(community)
            for asset_slug in asset_slugs:
                db.session.add(
                    Asset(slug=asset_slug, community=community, name=asset_slug.replace("_", " ").title(), kind="place")
                )
            if licence:
                add_licence("wemwbs", holder="Test Council", reference="TEST-1")
            campaign = create_campaign(community, slug, f"{community.name} survey", keys, **settings)
            if open_it:
                open_campaign(campaign)
            db.session.commit()
            return campaign.slug

    return _make


STAFF_PASSWORD = "correct horse battery staple"


@pytest.fixture
def make_user(app: Flask):
    """Create a staff account; returns its email. Peers get the communities named by slug."""
    from sqlalchemy import select

    from survey.accounts.operations import create_user
    from survey.models import Community

    def _make(email: str, role: str, communities: tuple[str, ...] = (), password: str = STAFF_PASSWORD) -> str:
        with app.app_context():
            chosen = [db.session.scalars(select(Community).filter_by(slug=slug)).one() for slug in communities]
            create_user(email, role, password, communities=chosen)
            db.session.commit()
        return email

    return _make


@pytest.fixture
def login(client: FlaskClient):
    """Sign `client` in through the real login form (CSRF on)."""
    from tests.helpers import csrf_token

    def _login(email: str, password: str = STAFF_PASSWORD, target: FlaskClient | None = None):
        browser = target or client
        token = csrf_token(browser.get("/login").get_data(as_text=True))
        return browser.post("/login", data={"csrf_token": token, "email": email, "password": password})

    return _login


@pytest.fixture
def live_url(app: Flask) -> Iterator[str]:
    """The app served over real HTTP on a free local port, for browser tests."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture(scope="module")
def module_chromium():
    """Debian's Chromium driven by Playwright, launched once per module (fails in CI when missing,
    skips on a laptop)."""
    from tests.browser_support import CHROMIUM, CHROMIUM_ARGS, require_chromium

    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def browser(module_chromium):
    """The module's Chromium; the contexts (cookies, storage, tabs) a test opens are closed after it."""
    yield module_chromium
    for context in module_chromium.contexts:
        context.close()


ADMIN_EMAIL = "admin@example.org"


@pytest.fixture
def admin(client: FlaskClient, make_user, login) -> FlaskClient:
    """`client`, signed in as an admin."""
    make_user(ADMIN_EMAIL, "admin")
    assert login(ADMIN_EMAIL).status_code == 303
    return client
