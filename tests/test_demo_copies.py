"""The kept copy of the demo (tests/demo_support.py) gives a later test exactly what the build wrote."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, make_url, select

from survey.extensions import db
from survey.models import Community
from tests.demo_support import DemoCopies
from tests.postgres_support import empty_postgres

# Arguments of this test's own: the first load is always a build, never a copy another test kept.
ARGS = ("--responses", "3", "--seed", "11", "--no-paper", "--no-profiles")


def _every_row(app: Flask) -> dict[str, list[tuple]]:
    with app.app_context():
        tables = [table for table in db.metadata.sorted_tables if table.name != "alembic_version"]
        return {table.name: sorted(map(tuple, db.session.execute(select(table))), key=repr) for table in tables}


def _start_again(app: Flask, database_url: str, sqlite_template: Path, request: pytest.FixtureRequest) -> None:
    """Empty the test's database, as the next test would get it."""
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    if database_url.startswith("sqlite"):
        shutil.copyfile(sqlite_template, make_url(database_url).database or "")
    else:
        empty_postgres(request.getfixturevalue("postgres_suite_engine"))


def test_a_copy_has_the_builds_rows_and_ids_go_on_from_the_builds(
    app: Flask, database_url: str, demo_copies: DemoCopies, sqlite_template: Path, request: pytest.FixtureRequest
):
    demo_copies.load(app, ARGS)
    built = _every_row(app)
    assert len(built["response"]) == 4 * 3 and built["community"] and built["user_account"]
    with app.app_context():
        last_id = db.session.scalar(select(func.max(Community.id)))
    _start_again(app, database_url, sqlite_template, request)
    assert all(rows == [] for rows in _every_row(app).values())

    demo_copies.load(app, ARGS)
    # Equal to the last row: a second build would differ (random public ids, passwords, codes).
    assert _every_row(app) == built
    with app.app_context():
        db.session.add(Community(slug="later", name="Later"))
        db.session.commit()
        later = db.session.scalars(select(Community).filter_by(slug="later")).one()
        assert later.id == last_id + 1


def test_the_demo_must_come_before_anything_else_the_test_writes(app: Flask, demo_copies: DemoCopies):
    with app.app_context():
        db.session.add(Community(slug="first", name="First"))
        db.session.commit()
    with pytest.raises(AssertionError, match="load the demo before anything else"):
        demo_copies.load(app, ARGS)
