"""paradata: campaign waves, pages saved and resuming, staff pseudonyms, partial responses in exports

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 22:45:00

- `campaign.wave`: the round of a repeat survey of one community (1 for every existing campaign).
- `response.pages_saved`, `response.resumed`: paradata of the online and interview flow; NULL for
  existing rows (not recorded then) and for paper forms.
- `user_account.staff_code`: the random pseudonym exports use for an interviewer or keyer; existing
  accounts get one here.
- `export_job.include_partial`: whether a background export includes unsubmitted responses.
"""

import secrets

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# As survey.models.people.STAFF_CODE_ALPHABET (a migration never imports the app's models).
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def _codes(count: int) -> list[str]:
    codes: set[str] = set()
    while len(codes) < count:
        codes.add("S" + "".join(secrets.choice(_ALPHABET) for _ in range(5)))
    return sorted(codes)


def upgrade():
    with op.batch_alter_table("campaign", schema=None) as batch_op:
        batch_op.add_column(sa.Column("wave", sa.Integer(), nullable=False, server_default="1"))
    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pages_saved", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("resumed", sa.Boolean(), nullable=True))
    with op.batch_alter_table("export_job", schema=None) as batch_op:
        batch_op.add_column(sa.Column("include_partial", sa.Boolean(), nullable=False, server_default=sa.false()))

    # The code column is filled for existing accounts before it becomes NOT NULL and unique.
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("staff_code", sa.String(length=8), nullable=True))
    connection = op.get_bind()
    ids = [row[0] for row in connection.execute(sa.text("SELECT id FROM user_account ORDER BY id"))]
    for user_id, code in zip(ids, _codes(len(ids)), strict=True):
        connection.execute(
            sa.text("UPDATE user_account SET staff_code = :code WHERE id = :id"), {"code": code, "id": user_id}
        )
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.alter_column("staff_code", existing_type=sa.String(length=8), nullable=False)
        batch_op.create_unique_constraint(op.f("uq_user_account_staff_code"), ["staff_code"])


def downgrade():
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("uq_user_account_staff_code"), type_="unique")
        batch_op.drop_column("staff_code")
    with op.batch_alter_table("export_job", schema=None) as batch_op:
        batch_op.drop_column("include_partial")
    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.drop_column("resumed")
        batch_op.drop_column("pages_saved")
    with op.batch_alter_table("campaign", schema=None) as batch_op:
        batch_op.drop_column("wave")
