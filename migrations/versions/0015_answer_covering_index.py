"""answer covering index: the export reads (response, item, value) from the index alone

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 01:40:00

- `ix_answer_covering` on `answer (response_id, item_key, value)` (issue 14, point 5): the
  streamed export reads each chunk's answers by response; with the unique (response_id,
  item_key) index alone, every answer cost a table lookup for its value.
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_answer_covering", "answer", ["response_id", "item_key", "value"])


def downgrade():
    op.drop_index("ix_answer_covering", table_name="answer")
