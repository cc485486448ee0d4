"""Response imports written in chunks and published at once (`survey.datasets.import_batches`),
on both databases: nothing of a batch is visible before it publishes, all of it after; a failure
or a killed import leaves nothing visible, and its hidden rows are cleaned up."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select, update

from survey.campaigns.dashboard import response_counts
from survey.database import utcnow
from survey.datasets import build_dataset
from survey.datasets.files import read_chunks
from survey.datasets.import_batches import start_batch, targets_of, write_chunks
from survey.datasets.import_checks import check_chunks
from survey.datasets.imports import import_responses
from survey.extensions import db
from survey.models import Answer, AssetUse, AuditEvent, Campaign, ImportBatch, Response
from tests.helpers import csrf_token
from tests.job_support import run_queued_jobs
from tests.test_research_support import sign_in
from tests.test_response_import import ASSETS, _csv, _row, _rows, _upload, _waiting_token

ROWS = 7
NOT_ITEMS = ("response_id", "community", "campaign", "mode", "verified", "submitted_at", "wemwbs")
CHUNK = 2  # four chunks for seven rows, standing in for 2,000 of a 64 MB file


@pytest.fixture(autouse=True)
def _instance_in_tmp(app: Flask, tmp_path: Path) -> None:
    app.instance_path = str(tmp_path / "instance")


def _count(*criteria: object, model: type = Response) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model).where(*criteria)) or 0)


def _visible() -> tuple[int, int, int]:
    """What readers see: dataset rows (exports, API, reports), dashboard completes and partials."""
    dataset = len(build_dataset(db.engine).responses)
    campaign_id = db.session.scalar(select(Campaign.id))
    counts = response_counts([campaign_id])[campaign_id]
    db.session.commit()
    return dataset, counts.complete, counts.partial


def test_chunks_commit_one_by_one_and_nothing_is_visible_until_the_batch_publishes(app, make_campaign):
    make_campaign()
    seen: list[tuple[int, int, int, int]] = []

    def after_chunk(_step: str, _fraction: float) -> None:
        # Each chunk has committed: its rows are in the table, hidden as "importing".
        seen.append((_count(Response.status == "importing"), *_visible()))

    with app.app_context():
        report = import_responses(
            _csv(_rows(ROWS)), "responses.csv", None, actor_label="test", chunk_size=CHUNK, progress=after_chunk
        )
        assert report.added == ROWS
        assert seen == [(2, 0, 0, 0), (4, 0, 0, 0), (6, 0, 0, 0), (7, 0, 0, 0)]
        assert _visible() == (ROWS, ROWS, 0)
        assert _count(Response.status == "importing") == 0
        batch = db.session.scalars(select(ImportBatch)).one()
        assert (batch.status, batch.added, batch.already_present) == ("done", ROWS, 0)
        assert _count(Response.import_batch_id == batch.id) == ROWS
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "response_import")).one()
        assert event.changes["responses_added"] == [None, ROWS] and event.changes["import_batch"] == [None, batch.id]
        # Every answer arrived: each item cell of the file, and one asset-use row per asset.
        items = [key for key in _row("x") if key not in NOT_ITEMS and not key.startswith("asset_")]
        assert _count(model=Answer) == ROWS * len(items) and _count(model=AssetUse) == ROWS * len(ASSETS)


def test_a_failure_mid_import_removes_every_chunk_already_written(app, make_campaign):
    make_campaign()

    def fail_after_two_chunks(_step: str, fraction: float) -> None:
        if fraction > 0.5:
            raise RuntimeError("disk full")

    with app.app_context():
        with pytest.raises(RuntimeError, match="disk full"):
            import_responses(
                _csv(_rows(ROWS)),
                "responses.csv",
                None,
                actor_label="test",
                chunk_size=CHUNK,
                progress=fail_after_two_chunks,
            )
        assert _count() == 0 and _count(model=Answer) == 0 and _count(model=AssetUse) == 0
        batch = db.session.scalars(select(ImportBatch)).one()
        assert batch.status == "failed" and "disk full" in (batch.error or "")
        assert _count(AuditEvent.entity_type == "response_import", model=AuditEvent) == 0  # nothing published

        # The same file imports whole afterwards.
        assert import_responses(_csv(_rows(ROWS)), "responses.csv", None, actor_label="test").added == ROWS
        assert _visible() == (ROWS, ROWS, 0)


def _killed_import(app: Flask, count: int) -> int:
    """Write a batch's chunks and stop without publishing or cleaning up, as a SIGKILL would."""
    with app.app_context():
        report, plan = check_chunks(read_chunks(_csv(_rows(count)), "responses.csv"), "responses.csv", planning=True)
        assert plan is not None and report.new == count
        targets = targets_of(plan)
        batch_id = start_batch(None, None, "test", "responses.csv", "0" * 64)
        write_chunks(batch_id, plan, targets, None, CHUNK)
        return batch_id


def test_a_killed_import_stays_hidden_and_purge_removes_it_once_abandoned(app, make_campaign, runner):
    make_campaign()
    batch_id = _killed_import(app, ROWS)
    with app.app_context():
        assert _count(Response.status == "importing") == ROWS
        assert _visible() == (0, 0, 0)

    # Still within the heartbeat's grace: it may be running, so purge leaves it alone.
    result = runner.invoke(args=["purge"])
    assert "Deleted 0 unpublished rows of response imports" in result.output
    with app.app_context():
        assert _count() == ROWS
        db.session.execute(
            update(ImportBatch).where(ImportBatch.id == batch_id).values(heartbeat_at=utcnow() - timedelta(minutes=16))
        )
        db.session.commit()

    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    assert f"Deleted {ROWS} unpublished rows of response imports" in result.output
    with app.app_context():
        assert _count() == 0 and _count(model=Answer) == 0 and _count(model=AssetUse) == 0
        assert db.session.get_one(ImportBatch, batch_id).status == "failed"


def test_the_next_import_clears_an_abandoned_batch_and_imports_the_same_ids(app, make_campaign):
    make_campaign()
    batch_id = _killed_import(app, ROWS)
    with app.app_context():
        db.session.execute(update(ImportBatch).values(heartbeat_at=utcnow() - timedelta(hours=1)))
        db.session.commit()
        report = import_responses(_csv(_rows(ROWS)), "responses.csv", None, actor_label="test", chunk_size=CHUNK)
        assert (report.added, report.already_present) == (ROWS, 0)
        assert _visible() == (ROWS, ROWS, 0)
        assert _count(Response.import_batch_id == batch_id) == 0


def test_an_import_racing_a_running_batch_for_the_same_ids_publishes_nothing(app, make_campaign):
    make_campaign()
    running = _killed_import(app, 3)  # still "running": its heartbeat is fresh
    with app.app_context():
        with pytest.raises(Exception, match="(?i)unique|duplicate"):
            import_responses(_csv(_rows(ROWS)), "responses.csv", None, actor_label="test", chunk_size=CHUNK)
        assert _visible() == (0, 0, 0)
        assert _count(Response.import_batch_id != running) == 0  # the loser removed what it wrote
        assert _count(Response.import_batch_id == running) == 3


def test_a_queued_web_import_that_no_longer_passes_its_check_says_so_and_writes_nothing(
    app, client, make_campaign, make_user, login
):
    make_campaign()
    sign_in(make_user, login)
    html = _upload(client, _csv(_rows(3))).get_data(as_text=True)
    queued = client.post(f"/research/imports/{_waiting_token(html)}", data={"csrf_token": csrf_token(html)})
    with app.app_context():
        # Between the confirmation and the worker: the campaign becomes a practice run.
        db.session.execute(update(Campaign).values(practice=True))
        db.session.commit()
    assert run_queued_jobs(app) == 1
    page = client.get(queued.headers["Location"]).get_data(as_text=True)
    assert "Nothing was imported" in page and "practice campaign" in page
    with app.app_context():
        assert _count() == 0
        batch = db.session.scalars(select(ImportBatch)).one()
        assert batch.status == "failed" and batch.file_path is None
    assert list((Path(app.config["RESULTS_DIR"]) / "imports").iterdir()) == []
    listed = client.get("/research/imports").get_data(as_text=True)
    assert f'href="{queued.headers["Location"]}"' in listed and "<td>failed</td>" in listed
