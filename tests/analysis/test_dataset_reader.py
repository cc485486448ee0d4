"""`DatasetReader`: the analysis dataset in chunks, from one snapshot, equal to `build_dataset`."""

from __future__ import annotations

import threading

import pandas as pd
import pytest
from sqlalchemy import delete, select

from analysis import DatasetError
from survey.datasets import DatasetReader, build_dataset


def _read_all(url: str, size: int, **filters) -> tuple[pd.DataFrame, DatasetReader]:
    with DatasetReader(url, **filters) as reader:
        chunks = list(reader.chunks(size=size))
    assert all(len(chunk) <= size for chunk in chunks)
    assert all(len(chunk) == size for chunk in chunks[:-1])  # full chunks, whatever lies between the ids
    return pd.concat(chunks, ignore_index=True), reader


@pytest.mark.parametrize(
    "filters",
    [{}, {"communities": ["sheppey"]}, {"campaigns": ["swanley", "aylesham"]}, {"verified_only": True}],
    ids=["everything", "community", "campaigns", "verified-only"],
)
def test_chunks_add_up_to_the_whole_dataset(demo_database, filters):
    whole = build_dataset(demo_database.url, **filters)
    chunked, reader = _read_all(demo_database.url, size=17, **filters)
    assert reader.total == len(whole.responses) == len(chunked)
    assert list(chunked.columns) == reader.columns == list(whole.responses.columns)
    expected = whole.responses.sort_values("response_id").reset_index(drop=True)
    got = chunked.sort_values("response_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(got, expected)
    pd.testing.assert_frame_equal(reader.assets, whole.assets)


def test_practice_runs_never_appear_and_cannot_be_asked_for(demo_database):
    chunked, _ = _read_all(demo_database.url, size=500)
    assert demo_database.practice_public_id not in set(chunked["response_id"])
    assert demo_database.unverified_public_id in set(chunked["response_id"])
    with pytest.raises(DatasetError, match="practice"), DatasetReader(demo_database.url, campaigns=["dover-practice"]):
        pass


def test_pages_follow_the_cursor_without_overlap(demo_database):
    with DatasetReader(demo_database.url, campaigns=["dover-town"]) as reader:
        first = next(reader.chunks(size=10, limit=10))
        cursor = reader.last_id
        rest = pd.concat(list(reader.chunks(size=25, after_id=cursor)), ignore_index=True)
        total = reader.total
    assert len(first) == 10
    assert not set(first["response_id"]) & set(rest["response_id"])
    assert len(first) + len(rest) == total


def test_instrument_versions_are_those_each_campaign_froze(demo_database):
    with DatasetReader(demo_database.url, campaigns=["dover-town"]) as reader:
        versions = reader.instrument_versions
    assert set(versions) == {"dover-town"}
    assert versions["dover-town"]["wemwbs"] == 1


def test_a_reader_keeps_its_snapshot_while_others_write(app, database_url):
    """Responses deleted after the reader opened still come out, on SQLite (WAL) and PostgreSQL."""
    from survey.demo.build import load_demo
    from survey.extensions import db
    from survey.models import Response

    with app.app_context():
        load_demo(per_community=6, paper=False)
        db.session.commit()
        url = db.engine.url.render_as_string(hide_password=False)
        with DatasetReader(url) as reader:
            first = next(reader.chunks(size=5))
            cursor = reader.last_id
            later = select(Response.id).where(Response.id > cursor, Response.status == "complete")
            doomed = list(db.session.scalars(later))
            assert doomed, "the demo leaves responses after the first chunk"
            db.session.execute(delete(Response).where(Response.id.in_(doomed)))
            db.session.commit()
            rest = pd.concat(list(reader.chunks(size=5, after_id=cursor)), ignore_index=True)
            total = reader.total
        assert len(first) + len(rest) == total
        after = build_dataset(url)
        assert len(after.responses) == total - len(doomed)


def test_leaving_the_reader_mid_export_stops_the_thread_reading_ahead(demo_database):
    with DatasetReader(demo_database.url) as reader:
        chunks = reader.chunks(size=5)
        assert len(next(chunks)) == 5
        # A caller that fails here still holds `chunks` while the reader's connection closes.
    assert all(thread.name != "prefetch" for thread in threading.enumerate())
    assert next(chunks, None) is None
