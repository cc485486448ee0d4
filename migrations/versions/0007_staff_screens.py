"""staff screens: quotas for the campaign dashboard, and whatever interviews and paper batches need

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 17:15:00
"""

# revision identifiers, used by Alembic.
revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
