"""The export's reading side (issue 14, point 5): the next chunk read on a thread (`prefetch`), and
answers grouped per response by the database (`pivot.listed_matrices`) on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import numpy as np
import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, insert, select

from survey.config import normalise_database_url
from survey.datasets.pivot import _values, listed, listed_matrices, text_list, unpacked
from survey.datasets.prefetch import prefetched


def _counted(items: list[int], log: list[str]) -> Iterator[int]:
    try:
        for item in items:
            log.append(f"made {item} on {threading.current_thread().name}")
            yield item
    finally:
        log.append("closed")


def test_prefetched_gives_every_item_in_order_made_on_another_thread() -> None:
    log: list[str] = []
    assert list(prefetched(_counted([1, 2, 3], log))) == [1, 2, 3]
    assert [line.split(" on ")[1] for line in log if line.startswith("made")] == ["prefetch"] * 3


def test_prefetched_runs_at_most_one_item_ahead() -> None:
    log: list[str] = []
    items = prefetched(_counted(list(range(10)), log))
    for taken, _item in enumerate(items, start=1):
        made = sum(line.startswith("made") for line in log)
        assert made <= taken + 1
    assert sum(line.startswith("made") for line in log) == 10


def test_prefetched_raises_the_producers_error_in_the_consumer() -> None:
    def failing() -> Iterator[int]:
        yield 1
        raise LookupError("the database went away")

    items = prefetched(failing())
    assert next(items) == 1
    with pytest.raises(LookupError, match="went away"):
        next(items)


def test_a_consumer_that_stops_early_stops_the_producer_and_closes_its_iterator() -> None:
    log: list[str] = []
    items = prefetched(_counted(list(range(100)), log))
    assert next(items) == 0
    items.close()  # what a client that disconnects does to the streamed zip
    assert log[-1] == "closed"
    assert sum(line.startswith("made") for line in log) <= 2
    assert all(thread.name != "prefetch" for thread in threading.enumerate())


_probe = Table(
    "listed_probe",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("response_id", Integer, nullable=False),
    Column("label", String(20), nullable=False),
    Column("value", Integer),
)


def test_lists_grouped_by_the_database_land_in_their_columns(database_url: str) -> None:
    engine = create_engine(normalise_database_url(database_url))
    rows = [
        (7, "b", 2),
        (7, "a", 1),
        (7, "unknown", 9),  # not a column: left out
        (3, "a", None),  # NULL: no answer
        (3, "c", -4),
        (5, "c", 30),  # a response not asked for: left out
    ]
    try:
        _probe.create(engine)
        with engine.begin() as connection:
            connection.execute(insert(_probe), [{"response_id": r, "label": k, "value": v} for r, k, v in rows])
        label = _probe.c.label
        statement = select(_probe.c.response_id, text_list(label, label), listed(_probe.c.value, label)).group_by(
            _probe.c.response_id
        )
        with engine.connect() as connection:
            (values,) = listed_matrices(connection, statement, np.array([7, 3, 8]), {"a": 0, "b": 1, "c": 2}, 3)
    finally:
        _probe.drop(engine, checkfirst=True)
        engine.dispose()
    expected = np.array([[1, 2, np.nan], [np.nan, np.nan, -4], [np.nan, np.nan, np.nan]])
    np.testing.assert_array_equal(values, expected)


def test_lists_of_values_are_parsed_at_once_and_checked_against_their_labels() -> None:
    counts = np.array([3, 1])
    parsed = _values(["1\x1fnan\x1f-9", "250"], counts)
    np.testing.assert_array_equal(parsed, [1, np.nan, -9, 250])
    with pytest.raises(RuntimeError, match="not a number"):
        _values(["1\x1fyes\x1f2", "3"], counts)
    with pytest.raises(RuntimeError, match="do not match"):
        _values(["1\x1f\x1f2", "3"], counts)  # an empty value
    with pytest.raises(RuntimeError, match="do not match"):
        _values(["1\x1f2", "3"], counts)  # a label split in two by the separator


def test_a_packed_read_gives_every_row_once_none_when_empty_and_refuses_a_separator(database_url: str) -> None:
    engine = create_engine(normalise_database_url(database_url))
    rows = [(1, "a", 5), (2, "b", None), (2, "c\x1ed", 6)]  # the last label holds the field separator
    try:
        _probe.create(engine)
        with engine.begin() as connection:
            connection.execute(insert(_probe), [{"response_id": r, "label": k, "value": v} for r, k, v in rows])
        plain = select(_probe.c.response_id, _probe.c.label, _probe.c.value)
        with engine.connect() as connection:
            read = unpacked(connection, plain.where(_probe.c.label != "c\x1ed"))
            none = unpacked(connection, plain.where(_probe.c.response_id > 9))
            with pytest.raises(RuntimeError, match="does not have the fields"):
                unpacked(connection, plain)
    finally:
        _probe.drop(engine, checkfirst=True)
        engine.dispose()
    assert sorted(zip(*read, strict=True)) == [("1", "a", "5"), ("2", "b", "")]  # each row once; NULL as ""
    assert none == [[], [], []]
