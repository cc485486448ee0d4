"""The PostgreSQL database the tests use: which one (TEST_DATABASE_URL, or the suite's own on a local
server), one per xdist worker, set to commit without waiting for the disk, and emptied after each test.

tests/conftest.py builds its fixtures on these; the gunicorn tests use them for their own database.
"""

from __future__ import annotations

import functools
import os

import pytest
from sqlalchemy import Engine, create_engine, make_url, text
from sqlalchemy.exc import OperationalError

from survey.config import normalise_database_url
from tests.demo_support import tables_children_first

LOCAL_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"
SUITE_DATABASE = "survey_test"
# Set on the database when the suite creates it: only a database carrying it is the suite's to wipe.
SUITE_MARK = "Created by the survey test suite, which wipes it on every run."


@functools.cache
def _postgres() -> tuple[str | None, str]:
    """(URL of the PostgreSQL database the tests use, or None; one line saying which, or why none)."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url, f"PostgreSQL: {make_url(url).render_as_string(hide_password=True)} (TEST_DATABASE_URL)"
    local = make_url(LOCAL_POSTGRES)
    try:
        engine = create_engine(local, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 2})
        with engine.connect() as connection:
            exists = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": SUITE_DATABASE}
            ).scalar()
            if not exists:
                connection.execute(text(f'CREATE DATABASE "{SUITE_DATABASE}"'))
                connection.execute(text(f"COMMENT ON DATABASE \"{SUITE_DATABASE}\" IS '{SUITE_MARK}'"))
            mark = connection.execute(
                text("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = :n"),
                {"n": SUITE_DATABASE},
            ).scalar()
        engine.dispose()
    except OperationalError as error:
        reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        return None, f"PostgreSQL tests not run: none usable at {local.host}:{local.port} ({reason})"
    if mark != SUITE_MARK:
        return None, (
            f"PostgreSQL tests not run: {SUITE_DATABASE} at {local.host}:{local.port} was not created by this suite"
            " (drop it, or set TEST_DATABASE_URL to a database the tests may wipe)"
        )
    url = local.set(database=SUITE_DATABASE).render_as_string(hide_password=False)
    return url, f"PostgreSQL: {SUITE_DATABASE} at {local.host}:{local.port}, created and wiped by the suite"


def postgres_base_url() -> str | None:
    """TEST_DATABASE_URL, or the suite's own database on a local server that answers, or None."""
    return _postgres()[0]


def require_postgres_url() -> str:
    """The PostgreSQL URL; without one the PostgreSQL tests are left out, so only CI gets here without one."""
    url = postgres_base_url()
    if not url:
        pytest.fail(f"CI is set but PostgreSQL cannot be used: {_postgres()[1]}")
    return url


def postgres_header() -> str:
    """One line for the session header: the database the PostgreSQL tests use, or why none."""
    return _postgres()[1]


def database_for_this_worker(url: str) -> str:
    """Under pytest-xdist each worker gets its own database, created beside TEST_DATABASE_URL's."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    base = make_url(normalise_database_url(url))
    name = f"{base.database}_{worker}"
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        exists = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).scalar()
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def commit_without_waiting_for_disk(url: str) -> None:
    """Commits to this test database return before the server has flushed them to disk.

    `synchronous_commit = off` for every later connection to it (the apps', the suite's, gunicorn's):
    a commit otherwise waits about 10 ms for fdatasync, and PostgreSQL tests commit dozens of times.
    Only what a server crash would keep changes; transactions, locks and isolation are as in production.
    """
    base = make_url(normalise_database_url(url))
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'ALTER DATABASE "{base.database}" SET synchronous_commit = off'))
    engine.dispose()


def empty_postgres(engine: Engine) -> None:
    """Delete every row, referencing tables first, and set the used id sequences back to their start.

    DELETE rather than TRUNCATE, and setval rather than ALTER SEQUENCE ... RESTART: a test leaves a
    few rows, and TRUNCATE or RESTART give each table or sequence new files (TRUNCATE of every table
    cost about half a second, RESTART of every sequence 15-25 ms) where these take milliseconds.
    """
    used = "SELECT sequencename, start_value FROM pg_sequences WHERE schemaname = 'public' AND last_value IS NOT NULL"
    with engine.begin() as connection:
        statements = [f'DELETE FROM "{table}"' for table in tables_children_first(connection)]
        statements += [
            f"SELECT setval('public.\"{sequence}\"', {start}, false)"
            for sequence, start in connection.execute(text(used))
        ]
        if statements:
            connection.execute(text("; ".join(statements)))
