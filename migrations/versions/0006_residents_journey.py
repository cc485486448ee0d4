"""residents' journey: per-asset question phrase, missing reasons for answers, and whatever the shorter survey needs

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 17:15:00
"""

# revision identifiers, used by Alembic.
revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
