"""The migrations build exactly the schema the models describe, and downgrade cleanly."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from survey.extensions import db


def _differences() -> list:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_migrated_schema_matches_the_models_and_round_trips(app):
    with app.app_context():
        assert _differences() == []
        downgrade(revision="base")
        with db.engine.connect() as connection:
            tables = set(db.inspect(connection).get_table_names()) - {"alembic_version"}
        assert tables == set()
        upgrade()
        assert _differences() == []


def test_free_text_sampling_methods_are_mapped_to_the_fixed_list(app):
    """0005 turns old free text into random / quota / convenience (blank -> NULL)."""
    from sqlalchemy import text

    texts = ["Random door-to-door", "Quota by ward", "non-random street sample", "  ", None, "snowball"]
    with app.app_context():
        downgrade(revision="0004")
        with db.engine.begin() as connection:
            connection.execute(
                text("INSERT INTO community (id, slug, name, created_at) VALUES (1, 'a', 'A', CURRENT_TIMESTAMP)")
            )
            for number, method in enumerate(texts, start=1):
                connection.execute(
                    text(
                        "INSERT INTO campaign (id, slug, community_id, title, instrument_keys, status, "
                        "sampling_method, double_entry_percent, show_score, practice, created_at) VALUES "
                        "(:id, :slug, 1, 't', '[]', 'draft', :method, 0, false, false, CURRENT_TIMESTAMP)"
                    ),
                    {"id": number, "slug": f"c{number}", "method": method},
                )
        upgrade()
        with db.engine.connect() as connection:
            mapped = connection.execute(text("SELECT sampling_method FROM campaign ORDER BY id")).scalars().all()
        assert mapped == ["random", "quota", "convenience", None, None, "convenience"]
        assert _differences() == []


def _row_counts(tables: set[str]) -> dict[str, int]:
    from sqlalchemy import text

    with db.engine.connect() as connection:
        return {
            name: connection.execute(text(f'SELECT COUNT(*) FROM "{name}"')).scalar_one() for name in sorted(tables)
        }


def test_a_populated_database_keeps_every_row_through_the_migrations(app, demo):
    """Down to 0010 and up again with the demo's data: every table 0010 had keeps all its rows.

    On SQLite the batch migrations rebuild tables (copy, drop, rename); with foreign keys enforced
    that drop deleted every answer of a 0012 database upgraded to 0013 (ON DELETE CASCADE) and
    failed for the asset table in 0014's downgrade (migrations/env.py switches enforcement off).
    """
    demo("--responses", "60", "--no-profiles")
    with app.app_context():
        downgrade(revision="0010")
        with db.engine.connect() as connection:
            old_tables = set(db.inspect(connection).get_table_names()) - {"alembic_version"}
        before = _row_counts(old_tables)
        assert min(before[name] for name in ("response", "answer", "asset_use", "paper_batch", "campaign")) > 0
        upgrade()
        assert _row_counts(old_tables) == before
        assert _differences() == []
        if db.engine.dialect.name == "sqlite":
            with db.engine.connect() as connection:
                assert connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
                assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # PostgreSQL never holds such a row
def test_a_sqlite_migration_that_leaves_a_broken_reference_is_rolled_back(app, capfd):
    """With enforcement off while migrating, each migration's rows are checked before it commits."""
    from sqlalchemy import text

    with app.app_context():
        downgrade(revision="0012")
        with db.engine.connect() as connection:
            connection.exec_driver_sql("COMMIT")  # end the autobegun transaction: the pragma is a no-op in one
            connection.exec_driver_sql("PRAGMA foreign_keys = OFF")
            connection.execute(text("INSERT INTO answer (response_id, item_key, value) VALUES (99, 'wemwbs_1', 3)"))
            connection.exec_driver_sql("PRAGMA foreign_keys = ON")
        with pytest.raises(SystemExit):  # Flask-Migrate logs the error and exits 1, as `flask init-db` does
            upgrade()
        printed = capfd.readouterr().err
        assert (
            "after migration 0013, 1 row(s) point at rows that do not exist (e.g. answer row 1 -> response)" in printed
        )
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == "0012"
            assert "import_batch" not in db.inspect(connection).get_table_names()
