"""paper batch issue token: a double-clicked Issue numbers one batch

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05 10:00:00

- `paper_batch.issue_token` (nullable, unique): the issuing form's one-time token. Sent twice, as
  a double click without JavaScript does, it finds the batch the first request numbered.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("paper_batch", sa.Column("issue_token", sa.String(length=64), nullable=True))
    op.create_index("ix_paper_batch_issue_token", "paper_batch", ["issue_token"], unique=True)


def downgrade():
    op.drop_index("ix_paper_batch_issue_token", table_name="paper_batch")
    op.drop_column("paper_batch", "issue_token")
