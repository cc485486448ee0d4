"""longer response ids: other tools' UUIDs import as they are

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05 17:00:00

- `response.public_id` and `contact_detail.response_public_id`: 32 -> 64 characters. Online
  responses keep their 32 hex digits; an imported KoBoToolbox `_uuid` (36 characters) or ODK
  `instanceID` (`uuid:` and 36 more, 41) no longer has to be rewritten before import.

The downgrade refuses while any id is longer than 32 characters (it would be cut, and the same
file imported again would then add its responses twice).
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

COLUMNS = (("response", "public_id", False), ("contact_detail", "response_public_id", True))


def upgrade():
    for table, column, nullable in COLUMNS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                column, existing_type=sa.String(length=32), type_=sa.String(length=64), existing_nullable=nullable
            )


def downgrade():
    longest = op.get_bind().execute(sa.text("SELECT MAX(LENGTH(public_id)) FROM response")).scalar()
    if longest and longest > 32:
        raise RuntimeError(
            f"a response id is {longest} characters long; the schema before 0017 holds 32. "
            "Delete or re-key those responses first"
        )
    for table, column, nullable in COLUMNS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                column, existing_type=sa.String(length=64), type_=sa.String(length=32), existing_nullable=nullable
            )
