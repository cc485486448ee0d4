"""The migrations build exactly the schema the models describe, and downgrade cleanly."""

from __future__ import annotations

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
