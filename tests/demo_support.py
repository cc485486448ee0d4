"""The demo data (`flask demo`), built once per test process and copied into each test's database.

A `flask demo` run takes 2-3 s (synthetic responses, the workshop and deep dives, and scrypt for its
staff accounts' random passwords), and about a hundred tests start from it. So the first test asking
for a given command line runs it into its own, still empty, database, which is then kept:
- SQLite: the database file, copied over each later test's file;
- PostgreSQL: every table copied into a schema of its own (`demo_copy_<n>`, beside `public` in the
  worker's database) and the id sequences' positions; a later test gets one INSERT ... SELECT per
  table, parents first, and the sequences set where the build left them.
Every test still gets rows of its own to change, with the same ids a build would have given them.

Dates: the demo spreads `submitted_at` over the 30 days before it ran, so a copy's dates are older by
at most the length of the run (minutes); no test compares them with a window that fine.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from graphlib import TopologicalSorter
from pathlib import Path

from flask import Flask
from sqlalchemy import Connection, make_url, text

from survey.extensions import db

COPY_SCHEMA_PREFIX = "demo_copy_"


def tables_children_first(connection: Connection) -> list[str]:
    """The tables of schema public (but alembic_version), each before every table it references."""
    tables = connection.execute(
        text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'")
    ).scalars()
    referenced_by: dict[str, set[str]] = {table: set() for table in tables}
    for child, parent in connection.execute(
        text(
            "SELECT conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint"
            " WHERE contype = 'f' AND connamespace = 'public'::regnamespace AND conrelid <> confrelid"
        )
    ):
        referenced_by[parent].add(child)
    return list(TopologicalSorter(referenced_by).static_order())


@dataclass
class _PostgresCopy:
    schema: str
    tables: list[str]  # parents first
    columns: dict[str, str]  # table: its quoted column list
    sequences: dict[str, int]  # the id sequences the build used: their last values


@dataclass
class DemoCopies:
    """One kept copy per `flask demo` command line and backend, in this test process."""

    folder: Path
    sqlite: dict[tuple[str, ...], Path] = field(default_factory=dict)
    postgres: dict[tuple[str, ...], _PostgresCopy] = field(default_factory=dict)

    def load(self, app: Flask, args: tuple[str, ...]) -> None:
        """Give `app`'s database (empty: nothing may write before) the data of `flask demo *args`."""
        with app.app_context():
            engine = db.engine
            # The copy replaces the whole database: data written earlier in the test would be lost.
            assert _is_empty(app), "load the demo before anything else writes to the test's database"
            if engine.dialect.name == "sqlite":
                self._load_sqlite(app, args)
            else:
                self._load_postgres(app, args)

    def _load_sqlite(self, app: Flask, args: tuple[str, ...]) -> None:
        path = Path(make_url(db.engine.url).database or "")
        kept = self.sqlite.get(args)
        if kept is None:
            _run_demo(app, args)
        db.engine.dispose()  # the last connection closed writes the WAL back into the file
        for suffix in ("-wal", "-shm"):
            assert not path.with_name(path.name + suffix).exists(), f"{path}{suffix} is still open"
        if kept is None:
            self.sqlite[args] = self.folder / f"demo-{len(self.sqlite)}.db"
            shutil.copyfile(path, self.sqlite[args])
        else:
            shutil.copyfile(kept, path)

    def _load_postgres(self, app: Flask, args: tuple[str, ...]) -> None:
        kept = self.postgres.get(args)
        if kept is None:
            if not self.postgres:
                _drop_copies_of_earlier_runs()
            _run_demo(app, args)
            self.postgres[args] = _keep_postgres(f"{COPY_SCHEMA_PREFIX}{len(self.postgres)}")
            return
        statements = [
            f'INSERT INTO public."{table}" ({kept.columns[table]}) OVERRIDING SYSTEM VALUE'
            f' SELECT {kept.columns[table]} FROM "{kept.schema}"."{table}"'
            for table in kept.tables
        ]
        with db.engine.begin() as connection:
            for statement in statements:
                connection.execute(text(statement))
            for name, last_value in kept.sequences.items():
                connection.execute(
                    text("SELECT setval(:name, :value)"), {"name": f'public."{name}"', "value": last_value}
                )


def _run_demo(app: Flask, args: tuple[str, ...]) -> None:
    result = app.test_cli_runner().invoke(args=["demo", *args])
    assert result.exit_code == 0, result.output


def _is_empty(app: Flask) -> bool:
    tables = [table for table in db.metadata.sorted_tables if table.name != "alembic_version"]
    checks = " UNION ALL ".join(f'SELECT 1 FROM (SELECT 1 FROM "{table.name}" LIMIT 1) AS t' for table in tables)
    with db.engine.connect() as connection:
        return connection.execute(text(checks)).first() is None


def _drop_copies_of_earlier_runs() -> None:
    """The worker's database outlives a run: copies an earlier run kept hold that run's demo."""
    with db.engine.begin() as connection:
        schemas = connection.execute(
            text("SELECT nspname FROM pg_namespace WHERE nspname LIKE :prefix"),
            {"prefix": COPY_SCHEMA_PREFIX.replace("_", "\\_") + "%"},
        ).scalars()
        for schema in list(schemas):
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


def _keep_postgres(schema: str) -> _PostgresCopy:
    with db.engine.begin() as connection:
        tables = tables_children_first(connection)[::-1]
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        columns = {}
        for table in tables:
            connection.execute(text(f'CREATE TABLE "{schema}"."{table}" AS TABLE public."{table}"'))
            names = connection.execute(
                text(
                    "SELECT attname FROM pg_attribute WHERE attrelid = CAST(:table AS regclass)"
                    " AND attnum > 0 AND NOT attisdropped AND attgenerated = '' ORDER BY attnum"
                ),
                {"table": f'public."{table}"'},
            ).scalars()
            columns[table] = ", ".join(f'"{name}"' for name in names)
        used = "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public' AND last_value > 0"
        sequences = connection.execute(text(used)).all()
    return _PostgresCopy(schema, tables, columns, dict(sequences))
