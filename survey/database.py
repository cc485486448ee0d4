"""Engine behaviour that differs by backend, and the UTC timestamp column type.

SQLite is the embedded default and must survive several gunicorn workers
writing at once, so each connection runs in WAL mode (readers never block the
writer) with a busy timeout and foreign keys on. Write transactions start with
`BEGIN IMMEDIATE`: a deferred transaction that reads first and writes later
fails at once with SQLITE_BUSY when another worker wrote in between, whereas an
immediate one takes the write lock up front and waits its turn. Requests with a
safe method (GET, HEAD, OPTIONS) never write, so they begin deferred and do not
queue behind writers. PostgreSQL needs none of this.

Every other place where the two backends differ is here too: taking turns between writers, bulk
inserts, and calendar dates in a time zone.
"""

from __future__ import annotations

import time
from contextvars import ContextVar, Token
from datetime import UTC, datetime
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Date, DateTime, Table, cast, event, func, insert, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, scoped_session
from sqlalchemy.types import TypeDecorator

_read_only: ContextVar[bool] = ContextVar("sqlite_read_only", default=False)

# The largest id a row can have: every primary key is an INTEGER, 32 bits on PostgreSQL (SQLite's are 64).
# A larger number in a URL or query string names no row, and PostgreSQL refuses to compare it with an
# INTEGER column ("integer out of range", a 500), so it is turned away before any query.
MAX_ID = 2**31 - 1


def mark_read_only() -> Token[bool]:
    """Make this context's SQLite transactions deferred; returns a token for `unmark`."""
    return _read_only.set(True)


def unmark_read_only(token: Token[bool]) -> None:
    _read_only.reset(token)


def allow_writes() -> None:
    """Let this GET request write (an access-log row) safely.

    Safe-method requests begin deferred SQLite transactions, and a deferred transaction that has
    read and then writes fails at once ("database is locked") if another worker wrote meanwhile.
    Ending the read transaction and dropping the read-only mark makes the next transaction begin
    IMMEDIATE, so it queues behind other writers instead. A no-op in effect on PostgreSQL.
    """
    from flask import g

    from survey.extensions import db

    db.session.commit()  # nothing is pending: this only ends the read transaction
    token = g.pop("read_only_token", None)
    if token is not None:
        unmark_read_only(token)


def holds_write_lock(session: Session | scoped_session[Any]) -> bool:
    """Whether this session's write transaction has held the whole database's write lock since its
    first statement (SQLite, `BEGIN IMMEDIATE` below), so that every row it has read is current and
    no other writer can change it: locking such a row again would only repeat the read."""
    return session.get_bind().dialect.name == "sqlite" and not _read_only.get()


def configure_engine(engine: Engine, busy_timeout_ms: int) -> None:
    """Attach the SQLite connection settings; a no-op for other backends."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from the sqlite3 module so `begin` below decides.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        # Erased contact details must not linger in free pages of the database file.
        cursor.execute("PRAGMA secure_delete = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN" if _read_only.get() else "BEGIN IMMEDIATE")


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always returned timezone-aware.

    SQLite keeps no offset, so values are normalised to UTC on the way in and
    labelled UTC on the way out; PostgreSQL stores `timestamptz` natively.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use datetime.now(UTC)")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


# The lock of writers that check a name is free and then store it (community, asset and campaign
# slugs, staff e-mails, theme keys): two at once, as a double-clicked Create sends, both found it
# free and the second insert broke the unique constraint (a 500 on PostgreSQL); taking turns, the
# second finds the first's row and says the name is taken. Such saves are rare, so one lock serves all.
NAMING_LOCK_KEY = 7_401_002


def take_turns(session: Session | scoped_session[Any], key: int) -> None:
    """Hold the lock named `key` until this transaction ends, so concurrent writers of the same
    thing take turns: a PostgreSQL advisory lock; SQLite writers already take turns (BEGIN IMMEDIATE)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


# SQLite's busy handler retries a waiting writer after 1, 2, 5, ... and then every 100 ms; it
# has no queue. A long job that commits and at once begins again would almost always win the
# lock back from writers asleep in that handler, so between its transactions it waits a little
# longer than their longest sleep: every writer already waiting gets its turn.
WRITER_TURN_SECONDS = 0.11


def let_writers_in(session: Session | scoped_session[Any]) -> None:
    """Between a long job's short write transactions, give other writers their turn (SQLite only;
    PostgreSQL writers lock rows, not the database, so nobody is kept waiting there)."""
    if session.get_bind().dialect.name == "sqlite":
        time.sleep(WRITER_TURN_SECONDS)


def bulk_insert(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert many rows in `connection`'s transaction: COPY on PostgreSQL, executemany elsewhere.

    psycopg's executemany sends one INSERT per row (pipelined): 300,000 answers took 15 s, COPY
    takes about one. SQLite's executemany is already fast. Table and column names are ours, never
    a user's, and are quoted as identifiers all the same.
    """
    if not rows:
        return
    if connection.dialect.name != "postgresql":
        connection.execute(insert(table), rows)
        return
    from psycopg import sql  # only installed where PostgreSQL is used

    columns = list(rows[0])
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(sql.Identifier(column) for column in columns)
    )
    cursor = connection.connection.cursor()
    try:
        with cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row([row[column] for column in columns])
    finally:
        cursor.close()


def is_busy(error: Exception) -> bool:
    """Whether a database error means "another writer holds the lock, try again" rather than a fault:
    SQLite's busy timeout ran out ("database is locked"), or PostgreSQL's lock_timeout (55P03)."""
    original = getattr(error, "orig", None)
    if original is None:
        return False
    if getattr(original, "sqlite_errorname", None) == "SQLITE_BUSY" or str(original).startswith("database is locked"):
        return True
    return getattr(original, "sqlstate", None) == "55P03"


def local_date(session: Session | scoped_session[Any], column: Any, zone_name: str) -> Any:
    """SQL for the calendar date of a UTC timestamp column in the time zone `zone_name`."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return cast(func.timezone(zone_name, column), Date)
    if dialect == "sqlite":
        raw = session.connection().connection.driver_connection
        assert raw is not None  # a checked-out connection always has its sqlite3 connection
        raw.create_function(
            "survey_local_date", 1, partial(_sqlite_local_date, ZoneInfo(zone_name)), deterministic=True
        )
        return func.survey_local_date(column)
    return cast(column, Date)  # other backends: UTC days


def _sqlite_local_date(zone: ZoneInfo, stored: str | None) -> str | None:
    # UTCDateTime stores naive UTC text on SQLite, e.g. "2025-06-01 23:30:00.000000".
    if stored is None:
        return None
    return datetime.fromisoformat(stored).replace(tzinfo=UTC).astimezone(zone).date().isoformat()
