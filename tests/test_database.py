"""Timestamps round-trip in UTC; SQLite writers queue instead of failing; constraints hold."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from survey.extensions import db
from survey.models import Asset, Community


def test_timestamps_are_stored_in_utc_and_come_back_aware(app):
    paris_noon = datetime(2026, 6, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    with app.app_context():
        db.session.add(Community(slug="c", name="C", created_at=paris_noon))
        db.session.commit()
        db.session.expire_all()
        stored = db.session.scalars(select(Community)).one().created_at
    assert stored == datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
    assert stored.utcoffset() == timedelta(0)


def test_naive_datetimes_are_refused(app):
    with app.app_context():
        db.session.add(Community(slug="c", name="C", created_at=datetime(2026, 6, 1, 12, 0)))
        with pytest.raises(Exception, match="naive datetime"):
            db.session.commit()
        db.session.rollback()


def test_asset_slug_is_unique_across_communities_and_cost_not_negative(app):
    with app.app_context():
        a, b = Community(slug="a", name="A"), Community(slug="b", name="B")
        db.session.add_all([a, b, Asset(slug="park", community=a, name="Park", kind="place")])
        db.session.commit()
        db.session.add(Asset(slug="park", community=b, name="Another park", kind="place"))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
        db.session.add(Asset(slug="hall", community=b, name="Hall", kind="place", annual_cost=-5))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_concurrent_writers_wait_for_each_other_instead_of_failing(app):
    """Many threads read-then-write at once; immediate transactions make every one succeed."""
    errors: list[BaseException] = []

    def add_community(n: int) -> None:
        try:
            with app.app_context():
                db.session.scalar(select(Community.id).limit(1))  # read first, then write
                db.session.add(Community(slug=f"c{n}", name=f"C{n}"))
                db.session.commit()
        except BaseException as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=add_community, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with app.app_context():
        assert len(db.session.scalars(select(Community)).all()) == 16


@pytest.mark.parametrize("slug", ["Park", "park-land", "x" * 27, "", "library_value"])
def test_bad_asset_slugs_are_refused(app, slug):
    with pytest.raises(ValueError, match="asset slug"):
        Asset(slug=slug, name="Somewhere", kind="place")
