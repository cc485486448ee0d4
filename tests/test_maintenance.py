"""Backups and restores of the SQLite database, retention (`flask purge`) and the health check."""

from __future__ import annotations

import secrets
import shutil
import sqlite3
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from flask import Flask
from sqlalchemy import func, select

from survey import create_app
from survey.database import utcnow
from survey.extensions import db
from survey.models import Answer, Campaign, Community, ExportJob, Response
from survey.ops.maintenance import purge, remove_files

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def sqlite_app(sqlite_template: Path, tmp_path: Path) -> Iterator[Flask]:
    """Backups and restores are SQLite-only: an app on a fresh copy of the migrated template."""
    path = tmp_path / "live.db"
    shutil.copyfile(sqlite_template, path)
    app = create_app({"DATABASE_URL": f"sqlite:///{path}", "SECRET_KEY": "k", "TESTING": True})
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _live_path(app: Flask) -> Path:
    return Path(app.config["DATABASE_URL"].removeprefix("sqlite:///"))


def _community_names(path: Path) -> list[str]:
    with sqlite3.connect(path) as connection:
        return [row[0] for row in connection.execute("SELECT name FROM community ORDER BY name")]


def _add_community(app: Flask, slug: str) -> None:
    with app.app_context():
        db.session.add(Community(slug=slug, name=slug.title()))
        db.session.commit()


# --- backup -----------------------------------------------------------------------------------


def test_backup_of_a_live_database_is_one_consistent_file(sqlite_app, tmp_path):
    live = _live_path(sqlite_app)
    writer = sqlite3.connect(live, isolation_level=None, timeout=15, check_same_thread=False)
    assert writer.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    writer.execute("PRAGMA wal_autocheckpoint = 0")  # keep every commit in the WAL, as a busy server does
    writer.execute("CREATE TABLE ledger (id INTEGER PRIMARY KEY, amount INTEGER NOT NULL, pad TEXT)")
    # Each transaction moves money between two rows: any committed state sums to zero.
    for _ in range(2000):
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("INSERT INTO ledger (amount, pad) VALUES (7, ?)", (secrets.token_hex(200),))
        writer.execute("INSERT INTO ledger (amount, pad) VALUES (-7, ?)", (secrets.token_hex(200),))
        writer.execute("COMMIT")
    committed_before = writer.execute("SELECT count(*) FROM ledger").fetchone()[0]
    # Proof that these rows live only in the WAL: the main file alone does not have the table.
    main_only = tmp_path / "main-only.db"
    shutil.copyfile(live, main_only)
    with sqlite3.connect(main_only) as copy:
        assert copy.execute("SELECT count(*) FROM sqlite_master WHERE name = 'ledger'").fetchone()[0] == 0

    stop = threading.Event()

    def keep_writing() -> None:
        while not stop.is_set():
            writer.execute("BEGIN IMMEDIATE")
            writer.execute("INSERT INTO ledger (amount) VALUES (3)")
            writer.execute("INSERT INTO ledger (amount) VALUES (-3)")
            writer.execute("COMMIT")

    thread = threading.Thread(target=keep_writing)
    thread.start()
    try:
        out = tmp_path / "backups" / "survey-backup.db"
        out.parent.mkdir()
        result = sqlite_app.test_cli_runner().invoke(args=["backup", "--out", str(out)])
    finally:
        stop.set()
        thread.join()
    assert result.exit_code == 0, result.output
    head = ScriptDirectory(str(ROOT / "migrations")).get_current_head()
    assert "Backup written to" in result.output and f"migration {head}" in result.output
    committed_after = writer.execute("SELECT count(*) FROM ledger").fetchone()[0]
    writer.close()

    assert sorted(p.name for p in out.parent.iterdir()) == ["survey-backup.db"]  # no -wal, no temporary file
    assert out.stat().st_mode & 0o077 == 0  # personal data: readable by its owner only
    with sqlite3.connect(out) as backup:
        assert backup.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert backup.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        count, total = backup.execute("SELECT count(*), coalesce(sum(amount), 0) FROM ledger").fetchone()
    assert total == 0 and count % 2 == 0  # never half a transaction
    assert committed_before <= count <= committed_after


def test_backup_refuses_the_live_file_a_missing_folder_and_postgresql(sqlite_app, tmp_path):
    runner = sqlite_app.test_cli_runner()
    live = _live_path(sqlite_app)
    before = live.read_bytes()
    same = runner.invoke(args=["backup", "--out", str(live)])
    assert same.exit_code != 0 and "cannot be the live database" in same.output
    assert live.read_bytes() == before
    missing = runner.invoke(args=["backup", "--out", str(tmp_path / "nowhere" / "b.db")])
    assert missing.exit_code != 0 and "does not exist" in missing.output

    postgres = create_app({"DATABASE_URL": "postgresql://survey@127.0.0.1:1/survey", "SECRET_KEY": "k"})
    for args in (["backup", "--out", str(tmp_path / "b.db")], ["restore", str(tmp_path / "b.db"), "--yes"]):
        refused = postgres.test_cli_runner().invoke(args=args)
        assert refused.exit_code != 0 and "pg_dump -Fc" in refused.output, refused.output
    assert not (tmp_path / "b.db").exists()


# --- restore ----------------------------------------------------------------------------------


def test_restore_brings_back_the_backed_up_data(sqlite_app, tmp_path):
    live = _live_path(sqlite_app)
    runner = sqlite_app.test_cli_runner()
    _add_community(sqlite_app, "aylesham")
    backup = tmp_path / "b.db"
    assert runner.invoke(args=["backup", "--out", str(backup)]).exit_code == 0
    _add_community(sqlite_app, "sheppey")
    with sqlite_app.app_context():
        db.session.delete(db.session.scalars(select(Community).filter_by(slug="aylesham")).one())
        db.session.commit()
    assert _community_names(live) == ["Sheppey"]
    # A connection another worker holds open across the restore.
    worker = sqlite3.connect(live, isolation_level=None)
    assert worker.execute("SELECT count(*) FROM community").fetchone()[0] == 1

    declined = runner.invoke(args=["restore", str(backup)], input="n\n")
    assert declined.exit_code != 0 and _community_names(live) == ["Sheppey"]

    result = runner.invoke(args=["restore", str(backup)], input="y\n")
    assert result.exit_code == 0, result.output
    assert f"Restored {live}" in result.output
    assert _community_names(live) == ["Aylesham"]
    assert [row[0] for row in worker.execute("SELECT name FROM community")] == ["Aylesham"]
    worker.close()
    with sqlite_app.app_context():
        assert db.session.scalars(select(Community.slug)).all() == ["aylesham"]
    with sqlite3.connect(live) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"  # still WAL
    # What was there before the restore was kept beside it, in case the wrong file was restored.
    safety = [p for p in live.parent.iterdir() if p.name.startswith("live.db.before-restore-")]
    assert len(safety) == 1 and _community_names(safety[0]) == ["Sheppey"]


def test_restore_refuses_files_that_are_not_backups_of_this_app(sqlite_app, tmp_path):
    live = _live_path(sqlite_app)
    _add_community(sqlite_app, "aylesham")
    runner = sqlite_app.test_cli_runner()

    text_file = tmp_path / "notes.db"
    text_file.write_text("these are not the data you are looking for\n" * 20)
    foreign = tmp_path / "foreign.db"
    with sqlite3.connect(foreign) as connection:
        connection.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY, path TEXT)")
    newer = tmp_path / "newer.db"
    shutil.copyfile(live, newer)
    with sqlite3.connect(newer) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999'")

    expectations = {
        text_file: "is not an SQLite database",
        foreign: "not one of this app",
        newer: "does not know",
        tmp_path / "missing.db": "There is no file",
    }
    for path, message in expectations.items():
        result = runner.invoke(args=["restore", str(path), "--yes"])
        assert result.exit_code != 0 and message in result.output, (path.name, result.output)
    assert _community_names(live) == ["Aylesham"]
    assert not [p for p in live.parent.iterdir() if "before-restore" in p.name]  # refused before touching anything


# --- purge ------------------------------------------------------------------------------------


def _response(campaign: Campaign, *, status: str, idle_days: float, code_days: float | None, mode: str = "online"):
    now = utcnow()
    response = Response(
        public_id=secrets.token_hex(16),
        campaign=campaign,
        community_id=campaign.community_id,
        mode=mode,
        instrument_versions={},
        consent=True,
        status=status,
        submitted_at=now - timedelta(days=idle_days) if status == "complete" else None,
        resume_code_hash=secrets.token_hex(32) if code_days is not None else None,
        resume_expires_at=now + timedelta(days=code_days) if code_days is not None else None,
        started_at=now - timedelta(days=idle_days + 1),
        updated_at=now - timedelta(days=idle_days),
    )
    response.answers.append(Answer(item_key="wemwbs_1", value=3))
    db.session.add(response)
    return response


def test_purge_deletes_abandoned_partials_and_expired_codes_but_never_complete_responses(app, make_campaign):
    slug = make_campaign()
    with app.app_context():
        campaign = db.session.scalars(select(Campaign).filter_by(slug=slug)).one()
        cases = {
            "abandoned": _response(campaign, status="partial", idle_days=45, code_days=None),
            "abandoned, code expired": _response(campaign, status="partial", idle_days=45, code_days=-5),
            "old but code still works": _response(campaign, status="partial", idle_days=45, code_days=2),
            "recent, code expired": _response(campaign, status="partial", idle_days=3, code_days=-1),
            "recent": _response(campaign, status="partial", idle_days=3, code_days=20),
            "complete long ago": _response(campaign, status="complete", idle_days=400, code_days=None),
            "old interview": _response(campaign, status="partial", idle_days=45, code_days=None, mode="interview"),
        }
        db.session.commit()
        ids = {name: response.id for name, response in cases.items()}
    runner = app.test_cli_runner()

    dry = runner.invoke(args=["purge", "--days", "30", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Would delete 3 partial responses" in dry.output and "Would delete 1 expired resume codes" in dry.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Response.id))) == 7  # the dry run changed nothing

    result = runner.invoke(args=["purge", "--days", "30"])
    assert result.exit_code == 0, result.output
    assert "Deleted 3 partial responses" in result.output and "Deleted 1 expired resume codes" in result.output
    with app.app_context():
        left = {r.id: r for r in db.session.scalars(select(Response))}
        kept = {name for name, response_id in ids.items() if response_id in left}
        assert kept == {"old but code still works", "recent, code expired", "recent", "complete long ago"}
        assert left[ids["recent, code expired"]].resume_code_hash is None
        assert left[ids["recent"]].resume_code_hash is not None
        # The answers went with their responses (database cascade), and the audit trail saw it.
        assert db.session.scalar(select(func.count(Answer.id))) == 4
        from survey.models import AuditEvent

        deletions = db.session.scalars(
            select(AuditEvent).filter_by(action="delete", entity_type="response", actor_label="cli:purge")
        ).all()
        assert len(deletions) == 3

    again = runner.invoke(args=["purge"])  # PURGE_PARTIAL_DAYS (90): the 45-day-old partial stays
    assert again.exit_code == 0 and "Deleted 0 partial responses untouched for 90 days" in again.output


def test_purge_releases_old_export_files_inside_the_instance_folder_only(app, tmp_path):
    instance = tmp_path / "instance"
    (instance / "exports").mkdir(parents=True)
    outside = tmp_path / "outside.txt"
    outside.write_text("not ours")
    now = utcnow()

    def job(name: str | None, status: str, finished_hours_ago: float | None) -> ExportJob:
        if name and not name.startswith(".."):
            (instance / name).write_bytes(b"zip")
        finished = now - timedelta(hours=finished_hours_ago) if finished_hours_ago is not None else None
        return ExportJob(format="xlsx", status=status, file_path=name, finished_at=finished)

    with app.app_context():
        jobs = {
            "old": job("exports/old.zip", "done", 30),
            "failed old": job("exports/failed.zip", "failed", 48),
            "fresh": job("exports/fresh.zip", "done", 2),
            "running": job("exports/running.zip", "running", None),
            "escaping": job("../outside.txt", "done", 30),
        }
        db.session.add_all(jobs.values())
        db.session.flush()
        result = purge(instance, partial_days=90, now=now, results_dir=instance)
        db.session.commit()
        assert result.export_files_released == 3
        assert remove_files(result.files_to_remove) == 2
        paths = {name: db.session.get(ExportJob, j.id).file_path for name, j in jobs.items()}
    assert paths == {
        "old": None,
        "failed old": None,
        "fresh": "exports/fresh.zip",
        "running": "exports/running.zip",
        "escaping": None,
    }
    assert sorted(p.name for p in (instance / "exports").iterdir()) == ["fresh.zip", "running.zip"]
    assert outside.read_text() == "not ours"


# --- health check -----------------------------------------------------------------------------


def test_healthz_reports_the_database(client, tmp_path, caplog):
    ok = client.get("/healthz")
    assert ok.status_code == 200 and ok.get_json() == {"status": "ok", "database": "ok"}
    assert ok.headers["Cache-Control"] == "no-store"

    for url in (
        f"sqlite:///{tmp_path / 'no-such-folder' / 'survey.db'}",
        "postgresql://survey:hunter2-db-password@127.0.0.1:1/survey",
    ):
        broken = create_app({"DATABASE_URL": url, "SECRET_KEY": "k", "TESTING": True})
        down = broken.test_client().get("/healthz")
        assert down.status_code == 503 and down.get_json() == {"status": "error", "database": "unreachable"}
        with broken.app_context():
            db.engine.dispose()
    assert "hunter2-db-password" not in caplog.text
    assert "database unreachable (OperationalError)" in caplog.text


def test_purge_removes_leftover_research_files_older_than_a_day(app, tmp_path):
    """A half-written export of a dead worker and an upload never confirmed hold personal data
    no job row points at: they go after a day; younger ones (maybe in use) stay."""
    import os

    instance = tmp_path / "instance"
    for folder in ("exports", "imports"):
        (instance / folder).mkdir(parents=True)
    now = utcnow()
    day_old = (now - timedelta(hours=25)).timestamp()
    files = {
        "exports/7-abc.zip.part": day_old,
        "imports/0123abcd.csv": day_old,
        "exports/8-def.zip.part": now.timestamp(),
        "imports/4567efgh.xlsx": now.timestamp(),
    }
    for name, mtime in files.items():
        (instance / name).write_bytes(b"data")
        os.utime(instance / name, (mtime, mtime))
    with app.app_context():
        result = purge(instance, partial_days=90, now=now, results_dir=instance)
        db.session.commit()
    assert remove_files(result.files_to_remove) == 2
    left = sorted(str(path.relative_to(instance)) for path in instance.rglob("*") if path.is_file())
    assert left == ["exports/8-def.zip.part", "imports/4567efgh.xlsx"]
