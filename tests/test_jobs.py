"""The job queue (survey.jobs): the storage JOB_QUEUE_URL picks, a real worker on Redis,
failures and dead workers recorded in the job rows, results as files under RESULTS_DIR, and purge."""

from __future__ import annotations

import io
import os
import re
import signal
import threading
import time
import uuid
import zipfile
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from huey import MemoryHuey, RedisHuey, SqliteHuey
from sqlalchemy import Engine, select, text

from survey import create_app, jobs
from survey.config import build_config
from survey.database import utcnow
from survey.extensions import db
from survey.models import ExportJob, ReportJob
from tests.helpers import post_form, require_redis
from tests.job_support import run_queued_jobs

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def researcher(client, make_user, login, demo):
    demo("--responses", "12", "--no-paper", "--no-profiles")
    make_user("r@example.org", "researcher")
    assert login("r@example.org").status_code == 303
    return client


def _job_id(started) -> int:
    assert started.status_code == 303
    return int(started.headers["Location"].rsplit("/", 1)[1])


# --- the setting ---------------------------------------------------------------------------------


def test_the_queue_lives_where_job_queue_url_says(tmp_path, monkeypatch):
    monkeypatch.delenv("JOB_QUEUE_URL", raising=False)
    monkeypatch.delenv("RESULTS_DIR", raising=False)
    defaults = build_config(tmp_path, {"SECRET_KEY": "x"})
    assert defaults["JOB_QUEUE_URL"] == f"sqlite:///{tmp_path / 'jobs.sqlite3'}"
    assert defaults["RESULTS_DIR"] == str(tmp_path / "results")

    embedded = jobs.make_huey(f"sqlite:///{tmp_path / 'queue' / 'jobs.sqlite3'}")
    assert isinstance(embedded, SqliteHuey) and embedded.storage.filename == str(tmp_path / "queue" / "jobs.sqlite3")
    assert (tmp_path / "queue" / "jobs.sqlite3").is_file()  # folder and tables made at once
    shared = jobs.make_huey("redis://10.0.0.5:6380/2")
    assert isinstance(shared, RedisHuey)
    where = shared.storage.conn.connection_pool.connection_kwargs
    assert (where["host"], where["port"], where["db"]) == ("10.0.0.5", 6380, 2)
    assert isinstance(jobs.make_huey("memory://"), MemoryHuey)
    for wrong in ("postgresql://db/queue", "sqlite://", "jobs.sqlite3"):
        with pytest.raises(RuntimeError, match="JOB_QUEUE_URL"):
            jobs.make_huey(wrong)
    with pytest.raises(RuntimeError, match="for tests only"):
        create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", "SECRET_KEY": "x", "JOB_QUEUE_URL": "memory://"})


def test_each_app_gets_its_queue_with_a_task_per_kind_of_job(app):
    queue = app.extensions["jobs"]
    assert isinstance(queue.huey, MemoryHuey)  # the tests' setting (conftest)
    assert set(queue.tasks) == {
        "report",
        "export",
        "response-import",
        "paper-batch-pdf",
        "analysis-snapshot",
        "profile-pack",
    }
    # The check for dead jobs is due every five minutes.
    assert [task.name for task in queue.huey.read_periodic(datetime(2026, 1, 1, 0, 5))] == ["fail_dead_jobs"]
    assert queue.huey.read_periodic(datetime(2026, 1, 1, 0, 7)) == []


# --- failures ------------------------------------------------------------------------------------


def test_a_task_that_raises_marks_its_row_failed_and_leaves_no_file(app, researcher, monkeypatch, caplog):
    def broken(*_args, **_kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr("survey.datasets.exports.write_export", broken)
    started = post_form(researcher, "/research/exports", "/research/exports", {"format": "sav", "content": "both"})
    job_id = _job_id(started)
    assert run_queued_jobs(app) == 1
    with app.app_context():
        job = db.session.get(ExportJob, job_id)
        assert (job.status, job.error, job.file_path) == ("failed", "RuntimeError: the disk is full", None)
        assert job.finished_at is not None
    assert "export job" in caplog.text and "the disk is full" in caplog.text
    page = researcher.get(f"/research/exports/{job_id}").get_data(as_text=True)
    assert "The export could not be made" in page and "the disk is full" in page
    results = Path(app.config["RESULTS_DIR"])
    assert not results.exists() or not any(path.is_file() for path in results.rglob("*"))


def test_a_job_failed_as_dead_before_a_worker_took_it_is_never_run_late(app, researcher):
    job_id = _job_id(post_form(researcher, "/research/reports", "/research/reports", {"scope": "all"}))
    with app.app_context():
        db.session.get(ReportJob, job_id).created_at = utcnow() - timedelta(hours=2)
        db.session.commit()
        assert jobs.fail_dead_jobs() == 1
    assert run_queued_jobs(app) == 1
    with app.app_context():
        job = db.session.get(ReportJob, job_id)
        assert job.status == "failed" and "stopped without finishing" in job.error and job.file_path is None


def test_pages_showing_jobs_never_write(app, researcher):
    """The dead-job check belongs to the worker: a GET leaves even a long-dead job as it is."""
    with app.app_context():
        dead = ReportJob(status="running", step="models", created_at=utcnow() - timedelta(hours=3))
        db.session.add(dead)
        db.session.commit()
        dead_id = dead.id
    for url in ("/research/reports", f"/research/reports/{dead_id}", "/research/exports"):
        assert researcher.get(url).status_code == 200
    with app.app_context():
        assert db.session.get(ReportJob, dead_id).status == "running"


# --- results as files ----------------------------------------------------------------------------


def test_a_report_is_a_zip_under_results_dir_built_on_the_apps_own_engine(app, researcher, monkeypatch):
    seen: list[object] = []

    def fake_report(engine, out_dir, **_kwargs):
        seen.append(engine)
        (Path(out_dir) / "report.html").write_text("<!doctype html><title>r</title>")
        return {}

    monkeypatch.setattr("survey.datasets.report_build.report_from_database", fake_report)
    job_id = _job_id(post_form(researcher, "/research/reports", "/research/reports", {"scope": "all"}))
    run_queued_jobs(app)
    with app.app_context():
        job = db.session.get(ReportJob, job_id)
        assert job.status == "done", job.error
        assert seen == [db.engine] and isinstance(seen[0], Engine)  # no second engine, no URL handed around
        assert re.fullmatch(rf"reports/{job_id}-[0-9a-f]{{16}}\.zip", job.file_path)
        stored = (Path(app.config["RESULTS_DIR"]) / job.file_path).read_bytes()
    download = researcher.get(f"/research/reports/{job_id}/download")
    body = download.get_data()
    download.close()  # send_file's open file, as the WSGI server would
    assert download.headers["Content-Disposition"] == f'attachment; filename="workshop-report-{job_id}.zip"'
    assert body == stored and zipfile.ZipFile(io.BytesIO(body)).namelist() == ["report.html"]


def test_purge_removes_old_result_files_of_both_kinds(app, researcher):
    results = Path(app.config["RESULTS_DIR"])
    now = utcnow()

    def result(model, name: str, days_ago: float, **values):
        (results / name).parent.mkdir(parents=True, exist_ok=True)
        (results / name).write_bytes(b"PK")
        row = model(status="done", file_path=name, finished_at=now - timedelta(days=days_ago), **values)
        db.session.add(row)
        return row

    with app.app_context():
        rows = {
            "old report": result(ReportJob, "reports/1-old.zip", 40),
            "recent report": result(ReportJob, "reports/2-recent.zip", 2),
            "old export": result(ExportJob, "exports/3-old.zip", 2, format="sav"),
            "fresh export": result(ExportJob, "exports/4-fresh.zip", 0.1, format="sav"),
        }
        db.session.commit()
        ids = {name: (type(row), row.id) for name, row in rows.items()}
    purged = app.test_cli_runner().invoke(args=["purge"])
    assert purged.exit_code == 0, purged.output
    assert "Released 1 finished export files" in purged.output
    assert "Released 1 reports older than 30 days" in purged.output
    with app.app_context():
        paths = {name: db.session.get(model, row_id).file_path for name, (model, row_id) in ids.items()}
    assert paths == {
        "old report": None,
        "recent report": "reports/2-recent.zip",
        "old export": None,
        "fresh export": "exports/4-fresh.zip",
    }
    assert sorted(str(path.relative_to(results)) for path in results.rglob("*.zip")) == [
        "exports/4-fresh.zip",
        "reports/2-recent.zip",
    ]
    old_report = ids["old report"][1]
    page = researcher.get(f"/research/reports/{old_report}").get_data(as_text=True)
    assert "This report has been removed" in page
    assert researcher.get(f"/research/reports/{old_report}/download").status_code == 404


# --- the worker ----------------------------------------------------------------------------------


def test_flask_worker_help_names_its_options(runner):
    result = runner.invoke(args=["worker", "--help"])
    assert result.exit_code == 0, result.output
    assert "--workers" in result.output and "JOB_WORKERS" in result.output and "--shutdown-timeout" in result.output


@pytest.fixture
def redis_queue(monkeypatch) -> Iterator[str]:
    """A queue of this test's own in the test Redis (fails in CI when Redis is missing, skips with
    the reason on a laptop); emptied afterwards."""
    require_redis(REDIS_URL, "the worker on a Redis queue").close()
    name = f"survey-test-{uuid.uuid4().hex[:12]}"  # never another run's queue, nor production's
    monkeypatch.setattr(jobs, "QUEUE_NAME", name)
    yield name
    cleanup = jobs.make_huey(REDIS_URL, name)
    cleanup.storage.flush_all()
    cleanup.storage.conn.close()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the queue is the subject here
def test_a_worker_runs_what_a_web_request_queued_through_redis(
    database_url, redis_queue, tmp_path, runner, make_user, login
):
    """The round trip of production with several machines: the web app queues on RedisHuey and
    `flask worker` (Huey's consumer, with an app of its own) runs the export and writes the file.
    The worker runs in this process, so the test can stop it with the SIGTERM systemd would send."""
    from tests.conftest import _app_for

    settings = {"JOB_QUEUE_URL": REDIS_URL, "RESULTS_DIR": str(tmp_path / "shared-results")}
    web, worker = _app_for(database_url, **settings), _app_for(database_url, **settings)
    assert isinstance(web.extensions["jobs"].huey, RedisHuey)
    assert runner.invoke(args=["demo", "--responses", "8", "--no-paper", "--no-profiles"]).exit_code == 0
    client = web.test_client()
    assert login(make_user("r@example.org", "researcher"), target=client).status_code == 303
    wanted = {"format": "dta", "content": "scores"}
    job_id = _job_id(post_form(client, "/research/exports", "/research/exports", wanted))
    with web.app_context():
        assert db.session.get(ExportJob, job_id).status == "queued"  # the web app ran nothing itself

    finished = _stop_when_done(worker, job_id)
    previous = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        result = worker.test_cli_runner().invoke(args=["worker", "--workers", "1", "--shutdown-timeout", "30"])
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    finished.join()
    assert result.exit_code == 0, result.output
    page = client.get(f"/research/exports/{job_id}").get_data(as_text=True)
    assert "Download the export" in page
    download = client.get(f"/research/exports/{job_id}/download")
    body = download.get_data()
    download.close()  # send_file's open file, as the WSGI server would
    assert zipfile.ZipFile(io.BytesIO(body)).namelist()[0] == "responses.dta"
    for app in (web, worker):
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def _stop_when_done(app: Flask, job_id: int, seconds: float = 120) -> threading.Thread:
    """A thread that sends this process SIGTERM once the job is finished (or the time is up)."""

    def watch() -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            with app.app_context():
                status = db.session.scalar(select(ExportJob.status).where(ExportJob.id == job_id))
            if status in ("done", "failed"):
                break
            time.sleep(0.2)
        os.kill(os.getpid(), signal.SIGTERM)

    thread = threading.Thread(target=watch, name="stop-the-worker")
    thread.start()
    return thread


# --- the migration -------------------------------------------------------------------------------


def test_the_migration_writes_stored_reports_out_to_files_and_back(app):
    from flask_migrate import downgrade, upgrade

    results = Path(app.config["RESULTS_DIR"])
    with app.app_context():
        downgrade(revision="0007")
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO report_job (id, status, step, progress, created_at, result) "
                    "VALUES (7, 'done', 'finished', 1, CURRENT_TIMESTAMP, :blob)"
                ),
                {"blob": b"PK stored report"},
            )
        upgrade()
        with db.engine.connect() as connection:
            path = connection.execute(text("SELECT file_path FROM report_job WHERE id = 7")).scalar()
        assert re.fullmatch(r"reports/7-[0-9a-f]{16}\.zip", path)
        assert (results / path).read_bytes() == b"PK stored report"
        downgrade(revision="0007")
        with db.engine.connect() as connection:
            blob = connection.execute(text("SELECT result FROM report_job WHERE id = 7")).scalar()
        assert blob == b"PK stored report"
        upgrade()
