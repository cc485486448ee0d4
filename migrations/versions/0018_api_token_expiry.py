"""api token expiry: every API token stops working at its expires_at

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05 16:30:00

- `api_token.expires_at` (not null). Tokens that exist at the upgrade are given 90 days from the
  upgrade (the default lifetime of a new token): scripts that use them keep working meanwhile, and
  their owners see the date on /account/tokens and have time to create new ones. A token made a year
  ago gets no shorter notice than one made yesterday, since nobody was told tokens would expire.
"""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

EXISTING_TOKENS_LIFETIME = timedelta(days=90)


def upgrade():
    with op.batch_alter_table("api_token") as batch:
        batch.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
    expires = datetime.now(UTC) + EXISTING_TOKENS_LIFETIME
    if op.get_bind().dialect.name == "sqlite":  # stored naive in UTC there (survey.database.UTCDateTime)
        expires = expires.replace(tzinfo=None)
    api_token = sa.table("api_token", sa.column("expires_at", sa.DateTime(timezone=True)))
    op.execute(api_token.update().values(expires_at=expires))
    with op.batch_alter_table("api_token") as batch:
        batch.alter_column("expires_at", existing_type=sa.DateTime(timezone=True), nullable=False)


def downgrade():
    with op.batch_alter_table("api_token") as batch:
        batch.drop_column("expires_at")
