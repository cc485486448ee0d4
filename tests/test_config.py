"""Configuration from the environment, the generated secret key, and the SQLite connection settings."""

from __future__ import annotations

import multiprocessing
import os
import runpy
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

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


GUNICORN_CONF = Path(__file__).resolve().parent.parent / "gunicorn.conf.py"
RATE_LIMIT_SETTINGS = ("RATELIMIT_STORAGE_URI", "RATELIMIT_ENABLED", "TRUSTED_PROXIES", "PREFERRED_URL_SCHEME")


def _gunicorn_starting(monkeypatch, workers: int, **environ: str) -> None:
    """Run gunicorn.conf.py's on_starting hook as the arbiter would, with only `environ` set."""
    for name in (*RATE_LIMIT_SETTINGS, "SESSION_COOKIE_SECURE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    hooks = runpy.run_path(str(GUNICORN_CONF))
    hooks["on_starting"](SimpleNamespace(cfg=SimpleNamespace(workers=workers)))


@pytest.mark.parametrize(
    "production",
    [{"TRUSTED_PROXIES": "1"}, {"PREFERRED_URL_SCHEME": "https"}, {"SESSION_COOKIE_SECURE": "true"}],
    ids=["proxy", "https", "secure-cookies"],
)
@pytest.mark.parametrize("store", [{}, {"RATELIMIT_STORAGE_URI": "memory://"}], ids=["unset", "memory"])
def test_gunicorn_refuses_several_workers_with_a_per_process_rate_limit_store_in_production(
    monkeypatch, production, store
):
    with pytest.raises(RuntimeError, match=r"RATELIMIT_STORAGE_URI is memory://.*3 workers"):
        _gunicorn_starting(monkeypatch, 3, **production, **store)


@pytest.mark.parametrize(
    ("workers", "environ"),
    [
        (1, {"TRUSTED_PROXIES": "1"}),  # one worker counts for everyone
        (3, {"TRUSTED_PROXIES": "1", "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0"}),
        (3, {"TRUSTED_PROXIES": "1", "RATELIMIT_ENABLED": "false"}),
        (3, {}),  # a laptop: plain HTTP, no proxy
        (3, {"TRUSTED_PROXIES": "0", "PREFERRED_URL_SCHEME": "http", "SESSION_COOKIE_SECURE": "false"}),
    ],
    ids=["one-worker", "redis", "limits-off", "development", "explicitly-plain"],
)
def test_gunicorn_starts_when_the_rate_limits_hold(monkeypatch, workers, environ):
    _gunicorn_starting(monkeypatch, workers, **environ)


def test_gunicorn_exits_with_one_line_naming_the_setting(tmp_path):
    env = {name: value for name, value in os.environ.items() if name not in RATE_LIMIT_SETTINGS}
    env |= {"TRUSTED_PROXIES": "1", "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", "SECRET_KEY": "x"}
    command = [sys.executable, "-m", "gunicorn", "-w", "2", "-b", "127.0.0.1:0", "wsgi:app"]
    started = subprocess.run(
        command, cwd=GUNICORN_CONF.parent, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert started.returncode == 1
    assert "Error: RATELIMIT_STORAGE_URI is memory://" in started.stderr
    assert "Traceback" not in started.stderr
