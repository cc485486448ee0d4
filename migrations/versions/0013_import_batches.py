"""import batches: responses imported in short chunks, hidden until their batch is published

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 22:40:00

- `import_batch`: one response import (and its job row when the web app queues it): who, which
  file, status and progress, a heartbeat moved by every chunk, and the counts once published.
- `response.import_batch_id`: the import that wrote a response (NULL for every other response).
- `response.status` gains "importing": rows of a batch not yet published, which no reader counts.

The downgrade deletes the responses still "importing" (an unpublished batch: nobody ever saw
them; their answers and asset answers with them), since the older check refuses the word.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

OLD_STATUSES = ("partial", "complete")
NEW_STATUSES = ("partial", "complete", "importing")
STATUS_CHECK = "ck_response_response_status"


def _status_check(statuses):
    return "status IN (" + ", ".join(f"'{status}'" for status in statuses) + ")"


def upgrade():
    op.create_table(
        "import_batch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("actor_label", sa.String(length=254), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "queued",
                "running",
                "done",
                "failed",
                name="import_status",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("step", sa.String(length=200), nullable=False),
        sa.Column("progress", sa.Double(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("file_path", sa.String(length=500), nullable=True),
        sa.Column("added", sa.Integer(), nullable=True),
        sa.Column("already_present", sa.Integer(), nullable=True),
        sa.Column("new_by_campaign", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["user_account.id"],
            name=op.f("fk_import_batch_requested_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_batch")),
    )
    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.add_column(sa.Column("import_batch_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_response_import_batch_id"), ["import_batch_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_response_import_batch_id_import_batch"), "import_batch", ["import_batch_id"], ["id"]
        )
        batch_op.drop_constraint(op.f(STATUS_CHECK), type_="check")
        batch_op.create_check_constraint(op.f(STATUS_CHECK), _status_check(NEW_STATUSES))


def downgrade():
    response = sa.table("response", sa.column("id", sa.Integer), sa.column("status", sa.String))
    unpublished = sa.select(response.c.id).where(response.c.status == "importing")
    for name in ("answer", "asset_use"):  # explicitly: SQLite's cascade needs foreign keys switched on
        child = sa.table(name, sa.column("response_id", sa.Integer))
        op.get_bind().execute(child.delete().where(child.c.response_id.in_(unpublished)))
    op.get_bind().execute(response.delete().where(response.c.status == "importing"))
    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.drop_constraint(op.f(STATUS_CHECK), type_="check")
        batch_op.create_check_constraint(op.f(STATUS_CHECK), _status_check(OLD_STATUSES))
        batch_op.drop_constraint(batch_op.f("fk_response_import_batch_id_import_batch"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_response_import_batch_id"))
        batch_op.drop_column("import_batch_id")
    op.drop_table("import_batch")
