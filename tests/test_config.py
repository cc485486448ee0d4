"""Configuration from the environment, the generated secret key, and the SQLite connection settings."""

from __future__ import annotations

import multiprocessing
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from survey import create_app
from survey.config import load_secret_key, normalise_database_url
from survey.extensions import db
from survey.localtime import local_time


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://u:p@db:5432/survey", "postgresql+psycopg://u:p@db:5432/survey"),
        ("postgres://u@db/survey", "postgresql+psycopg://u@db/survey"),
        ("postgresql+psycopg://u@db/survey", "postgresql+psycopg://u@db/survey"),
        ("sqlite:////srv/survey.db", "sqlite:////srv/survey.db"),
    ],
)
def test_database_url_uses_psycopg3_for_postgresql(given, expected):
    assert normalise_database_url(given) == expected


def test_database_url_comes_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'env.db'}")
    app = create_app({"SECRET_KEY": "x"})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'env.db'}"


def test_default_database_is_a_file_under_instance(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app({"SECRET_KEY": "x"})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{app.instance_path}/survey.db"


def _read_key(path: str) -> str:
    from pathlib import Path

    return load_secret_key(Path(path))


def test_secret_key_is_generated_once_and_parallel_workers_agree(tmp_path):
    with multiprocessing.get_context("fork").Pool(6) as pool:
        keys = pool.map(_read_key, [str(tmp_path)] * 12)
    assert len(set(keys)) == 1 and len(keys[0]) == 64
    assert (tmp_path / "secret_key").read_text().strip() == keys[0]
    assert oct((tmp_path / "secret_key").stat().st_mode & 0o777) == "0o600"
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]  # no temporary files left behind


def test_secret_key_from_the_environment_wins(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    assert create_app().config["SECRET_KEY"] == "from-the-environment"


def test_bad_number_in_environment_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("RESUME_CODE_DAYS", "thirty")
    with pytest.raises(RuntimeError, match="RESUME_CODE_DAYS must be a whole number"):
        create_app({"SECRET_KEY": "x"})


def test_sqlite_runs_in_wal_mode_with_foreign_keys_and_a_busy_timeout(tmp_path):
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}", "SECRET_KEY": "x"})
    with app.app_context():
        with db.engine.connect() as connection:
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 15000
            assert connection.execute(text("PRAGMA secure_delete")).scalar() == 1
        db.engine.dispose()


def test_times_show_in_london_whatever_the_server_zone(app, monkeypatch):
    monkeypatch.setenv("TZ", "America/New_York")
    with app.app_context():
        summer = datetime(2026, 7, 1, 11, 30, tzinfo=UTC)
        winter = datetime(2026, 12, 1, 11, 30, tzinfo=UTC)
        assert local_time(summer) == "01 July 2026, 12:30"  # BST
        assert local_time(winter) == "01 December 2026, 11:30"  # GMT
