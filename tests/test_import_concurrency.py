"""Residents never fail during a big import (issue 14, point 2), on a real SQLite file.

A response import runs in one thread with a small chunk size (standing in for a 64 MB file's
2,000-row chunks), while residents in threads of their own, each with their own test client, start
and submit the survey. Events pin the overlap, not the timing: the import pauses after its first
chunk until every resident has pressed Start, and before its last chunk until every resident has
submitted, so the residents' whole journeys run while the batch is being written; between those
points the threads run freely and the residents' writes queue for SQLite's lock between chunks.

Checked whatever the interleaving: no resident request answers 500 (or 503), every submitted
response is stored complete with every answer sent, the import ends published with every row,
and a reader on its own connection never sees part of the batch (none, or all of it).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, make_url, select

from survey.datasets.imports import import_responses
from survey.extensions import db
from survey.models import Answer, AssetUse, ImportBatch, Response
from tests.conftest import _app_for
from tests.helpers import Resident, valid_answers
from tests.test_response_import import _csv, _rows

RESIDENTS = 6
PAGES = 4  # wemwbs, sixways, asset_use, demographics
IMPORTED = 240
CHUNK = 12  # twenty chunks
WAIT = 120  # seconds an event may take before the test fails instead of hanging (not a timing assertion)


@pytest.fixture(params=["sqlite"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    path = tmp_path / "test.db"
    path.write_bytes(sqlite_template.read_bytes())
    return f"sqlite:///{path}"


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    app = _app_for(database_url, RESULTS_DIR=str(tmp_path / "results"))
    app.instance_path = str(tmp_path / "instance")
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


class Overlap:
    """The events that pin the residents' journeys inside the import."""

    def __init__(self) -> None:
        self.started = threading.Barrier(RESIDENTS, action=lambda: self.all_started.set())
        self.all_started = threading.Event()
        self.submitted = threading.Barrier(RESIDENTS, action=lambda: self.all_submitted.set())
        self.all_submitted = threading.Event()
        self.first_chunk = threading.Event()
        self.import_done = threading.Event()


def _published_rows(path: str) -> int:
    """Imported rows a reader sees, on a connection of its own (a plain deferred read)."""
    reader = sqlite3.connect(path)
    try:
        query = "SELECT count(*) FROM response WHERE import_batch_id IS NOT NULL AND status = 'complete'"
        return int(reader.execute(query).fetchone()[0])
    finally:
        reader.close()


def _resident_journey(client: FlaskClient, slug: str, code: int, overlap: Overlap, statuses: list[int]) -> None:
    resident = Resident(client, slug)
    assert overlap.first_chunk.wait(WAIT)
    started = resident.start()
    statuses.append(started.status_code)
    overlap.started.wait(WAIT)
    for number in range(1, PAGES + 1):
        result = resident.post_page(number, valid_answers(resident.item_names(number), code))
        statuses.append(result.status_code)
    submitted = resident.submit()
    statuses.append(submitted.status_code)
    statuses.append(client.get(submitted.headers.get("Location", f"/s/{slug}/done")).status_code)
    overlap.submitted.wait(WAIT)


def test_residents_start_and_submit_during_a_big_import_and_nothing_fails_or_half_appears(
    app, make_campaign, database_url
):
    slug = make_campaign()
    path = str(make_url(database_url).database)
    overlap = Overlap()
    seen_by_reader: set[int] = set()
    statuses: list[list[int]] = [[] for _ in range(RESIDENTS)]
    failures: list[BaseException] = []

    def after_chunk(_step: str, fraction: float) -> None:
        seen_by_reader.add(_published_rows(path))
        if not overlap.first_chunk.is_set():
            overlap.first_chunk.set()
            assert overlap.all_started.wait(WAIT), "residents could not start during the import"
        elif fraction >= (IMPORTED - CHUNK) / IMPORTED and not overlap.all_submitted.is_set():
            assert overlap.all_submitted.wait(WAIT), "residents could not submit during the import"

    def run_import() -> None:
        try:
            with app.app_context():
                report = import_responses(
                    _csv(_rows(IMPORTED)), "big.csv", None, actor_label="test", chunk_size=CHUNK, progress=after_chunk
                )
                assert report.added == IMPORTED
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            failures.append(error)
        finally:
            overlap.import_done.set()

    def run_resident(index: int) -> None:
        try:
            _resident_journey(app.test_client(), slug, 1 + index % 5, overlap, statuses[index])
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            failures.append(error)

    def keep_reading() -> None:
        while not overlap.import_done.wait(0.005):
            seen_by_reader.add(_published_rows(path))

    threads = [threading.Thread(target=run_import), threading.Thread(target=keep_reading)]
    threads += [threading.Thread(target=run_resident, args=(index,)) for index in range(RESIDENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT * 3)
    assert not failures, failures
    assert all(not thread.is_alive() for thread in threads)

    # Every resident got every page: Start, four pages and Submit redirect (303), the thank-you page 200.
    assert statuses == [[303] * (PAGES + 2) + [200] for _ in range(RESIDENTS)]
    # A reader saw none of the batch or all of it, never part.
    assert seen_by_reader <= {0, IMPORTED} and 0 in seen_by_reader
    assert _published_rows(path) == IMPORTED

    with app.app_context():
        online = list(db.session.scalars(select(Response).where(Response.mode == "online")))
        assert len(online) == RESIDENTS and all(response.status == "complete" for response in online)
        codes = {
            response.public_id: {answer.value for answer in response.answers if answer.item_key.startswith("wemwbs_")}
            for response in online
        }
        assert sorted(next(iter(values)) for values in codes.values()) == sorted(1 + i % 5 for i in range(RESIDENTS))
        # Each resident's every answer: 14 WEMWBS items answered with their own code.
        assert all(len([a for a in r.answers if a.item_key.startswith("wemwbs_")]) == 14 for r in online)
        batch = db.session.scalars(select(ImportBatch)).one()
        imported = db.session.execute(
            select(func.min(Response.id), func.max(Response.id)).where(Response.import_batch_id == batch.id)
        ).one()
        # The residents' rows were written between the batch's chunks, not after it.
        assert all(imported[0] < response.id < imported[1] for response in online)
        assert (batch.status, batch.added) == ("done", IMPORTED)
        assert db.session.scalar(select(func.count()).select_from(Response).where(Response.status == "importing")) == 0
        assert db.session.scalar(select(func.count()).select_from(AssetUse)) >= IMPORTED * 2
        assert db.session.scalar(select(func.count()).select_from(Answer)) > IMPORTED * 14
