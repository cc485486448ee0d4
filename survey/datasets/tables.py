"""The app's tables as the dataset reader queries them, a read snapshot, and a fast query runner."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, Select, Table, create_engine

from survey.config import normalise_database_url
from survey.database import configure_engine, mark_read_only, unmark_read_only
from survey.models import (
    Answer,
    Asset,
    AssetUse,
    Campaign,
    CampaignAsset,
    CampaignInstrument,
    Community,
    InstrumentVersion,
    Response,
    ValuationAdjustment,
    Workshop,
)


def _table(model: Any) -> Table:
    return model.__table__


_community = _table(Community)
_campaign = _table(Campaign)
_asset = _table(Asset)
_campaign_asset = _table(CampaignAsset)
_response = _table(Response)
_answer = _table(Answer)
_asset_use = _table(AssetUse)
_valuation_adjustment = _table(ValuationAdjustment)
_instrument_version = _table(InstrumentVersion)
_campaign_instrument = _table(CampaignInstrument)
_workshop = _table(Workshop)

# SQLite's busy timeout for an engine made here from a URL (the app's comes from its settings).
_BUSY_TIMEOUT_MS = 15_000


def engine_for(url: str) -> Engine:
    """An engine for a database URL with the app's SQLite connection settings (WAL, busy timeout)."""
    engine = create_engine(normalise_database_url(url))
    configure_engine(engine, _BUSY_TIMEOUT_MS)
    return engine


def begin_snapshot(engine: Engine) -> tuple[Connection, Any]:
    """A connection in one read transaction that sees one moment while others write.

    PostgreSQL: REPEATABLE READ, READ ONLY, set through SQLAlchemy's execution options. SQLite: the
    engine's begin hook (`survey.database.configure_engine`) opens a deferred ``BEGIN`` when the
    context is marked read-only, and WAL mode gives that reader a snapshot without blocking
    writers (an IMMEDIATE one would hold the write lock for a whole export). Returns the
    connection and its transaction; `end_snapshot` rolls back and closes.
    """
    options: dict[str, Any] = {}
    if engine.dialect.name == "postgresql":
        options = {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
    connection = engine.connect().execution_options(**options)
    token = mark_read_only()
    try:
        transaction = connection.begin()
    except BaseException:
        connection.close()
        raise
    finally:
        unmark_read_only(token)
    return connection, transaction


def end_snapshot(connection: Connection, transaction: Any) -> None:
    try:
        transaction.rollback()
    finally:
        connection.close()


@contextmanager
def snapshot(engine: Engine) -> Iterator[Connection]:
    connection, transaction = begin_snapshot(engine)
    try:
        yield connection
    finally:
        end_snapshot(connection, transaction)


def _rows(connection: Any, statement: Select[Any]) -> pd.DataFrame:
    """Run a Core query into a DataFrame, fast enough for millions of answers.

    The statement is compiled by SQLAlchemy for the connection's dialect, with its values
    (ids, fixed item keys and statuses from this module, never text typed by a user) rendered
    inline, and run on the connection's own DBAPI cursor: plain tuples instead of SQLAlchemy
    Row objects, whose construction (and pandas probing them with hasattr) cost more than the
    query itself -- 3 million answers took 80 s through Rows and DataFrame(rows), 2 s as tuples.
    Types come from the driver (SQLite
    timestamps arrive as text and are parsed by pandas; PostgreSQL numerics as Decimal).
    """
    compiled = statement.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True})
    cursor = connection.connection.cursor()
    try:
        cursor.execute(str(compiled))
        keys = [column[0] for column in cursor.description]
        rows = cursor.fetchall()
    finally:
        cursor.close()
    return pd.DataFrame(rows, columns=keys)
