"""api token issue token: a double-clicked Create token makes one token

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05 17:30:00

- `api_token.issue_token` (nullable, unique): the creating form's one-time token. Sent twice, as a
  double click does, it finds the token the first request made instead of making a second one whose
  page the browser shows while the first token is never seen. Existing tokens have none.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("api_token", sa.Column("issue_token", sa.String(length=64), nullable=True))
    op.create_index("ix_api_token_issue_token", "api_token", ["issue_token"], unique=True)


def downgrade():
    op.drop_index("ix_api_token_issue_token", table_name="api_token")
    with op.batch_alter_table("api_token") as batch:
        batch.drop_column("issue_token")
