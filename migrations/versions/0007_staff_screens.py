"""staff screens: quotas for the campaign dashboard, and the paper batch PDF made off the request

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 17:15:00

- `campaign_quota`: a campaign's fieldwork targets per community, age band and gender (complete
  responses wanted), edited by researchers and audited.
- `paper_batch.pdf_status`, `pdf_step`, `pdf_progress`, `pdf_error`: issuing a batch numbers its
  forms at once and renders the PDF in a background job; existing batches already have their PDF,
  so they start "done".
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "campaign_quota",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column(
            "dimension",
            sa.Enum(
                "community",
                "age_band",
                "gender",
                name="quota_dimension",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("category", sa.String(length=60), nullable=False),
        sa.Column("target", sa.Integer(), nullable=False),
        sa.CheckConstraint("target >= 1", name=op.f("ck_campaign_quota_target_at_least_one")),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaign.id"], name=op.f("fk_campaign_quota_campaign_id_campaign"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_quota")),
        sa.UniqueConstraint("campaign_id", "dimension", "category", name="uq_campaign_quota_category"),
    )
    with op.batch_alter_table("paper_batch", schema=None) as batch_op:
        # Plain text plus a named CHECK constraint (what the model's non-native Enum is), created
        # explicitly so that SQLite and PostgreSQL get the same constraint name.
        batch_op.add_column(sa.Column("pdf_status", sa.String(length=20), nullable=False, server_default="done"))
        batch_op.create_check_constraint(
            op.f("ck_paper_batch_paper_batch_pdf_status"),
            "pdf_status IN ('queued', 'running', 'done', 'failed')",
        )
        batch_op.add_column(sa.Column("pdf_step", sa.String(length=200), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("pdf_progress", sa.Double(), nullable=False, server_default="1"))
        batch_op.add_column(sa.Column("pdf_error", sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table("paper_batch", schema=None) as batch_op:
        # The status's CHECK constraint goes first: SQLite's copied table would still name the column.
        batch_op.drop_constraint(op.f("ck_paper_batch_paper_batch_pdf_status"), type_="check")
        batch_op.drop_column("pdf_error")
        batch_op.drop_column("pdf_progress")
        batch_op.drop_column("pdf_step")
        batch_op.drop_column("pdf_status")
    op.drop_table("campaign_quota")
