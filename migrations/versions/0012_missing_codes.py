"""export options: missing-data codes and value labels in CSV and xlsx downloads (issue 13)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 23:00:00

A background export (xlsx) remembers the two new choices of the export form: a missing answer as
a blank cell or as its missing-data code (`missing`), and coded answers as codes or as their labels
(`labels`). Existing jobs keep what they were: blanks and codes. The missing-data codes themselves
need no new column: an answer's `missing_reason` and the campaign's instruments and assets give them.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("export_job") as batch:
        batch.add_column(
            sa.Column(
                "missing",
                sa.Enum("blank", "codes", name="export_missing", native_enum=False, create_constraint=True, length=20),
                nullable=False,
                server_default="blank",
            )
        )
        batch.add_column(
            sa.Column(
                "labels",
                sa.Enum("codes", "labels", name="export_labels", native_enum=False, create_constraint=True, length=20),
                nullable=False,
                server_default="codes",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("export_job") as batch:
        # The CHECK constraints name the columns: they go first (SQLite rebuilds the table); the naming
        # convention makes "export_labels" ck_export_job_export_labels.
        batch.drop_constraint("export_labels", type_="check")
        batch.drop_constraint("export_missing", type_="check")
        batch.drop_column("labels")
        batch.drop_column("missing")
