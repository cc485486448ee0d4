"""asset profiles: who runs an asset, stored analysis snapshots, profile pack jobs

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 22:40:00

- `asset.run_by`: who runs the asset (free text, optional; existing assets get "").
- `analysis_snapshot`: the per-asset figures of one analysis run per community (and campaign),
  read by the profile pages and the pack instead of running the models on every page view.
- `profile_pack_job`: a printable profile pack built on the job queue, with its progress.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

STATUSES = ("queued", "running", "done", "failed")


def _status(name: str) -> sa.Enum:
    return sa.Enum(*STATUSES, name=name, native_enum=False, create_constraint=True, length=20)


def upgrade():
    with op.batch_alter_table("asset", schema=None) as batch_op:
        batch_op.add_column(sa.Column("run_by", sa.String(length=200), server_default="", nullable=False))

    op.create_table(
        "analysis_snapshot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("campaign_slug", sa.String(length=60), nullable=True),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("status", _status("snapshot_status"), nullable=False),
        sa.Column("step", sa.String(length=200), nullable=False),
        sa.Column("progress", sa.Double(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("built_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("fingerprint", sa.String(length=64), nullable=True),
        sa.Column("responses", sa.Integer(), nullable=True),
        sa.Column("figures", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
            name=op.f("fk_analysis_snapshot_community_id_community"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["user_account.id"],
            name=op.f("fk_analysis_snapshot_requested_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analysis_snapshot")),
    )
    op.create_index("ix_analysis_snapshot_scope", "analysis_snapshot", ["community_id", "campaign_slug"])

    op.create_table(
        "profile_pack_job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("community_slug", sa.String(length=60), nullable=False),
        sa.Column("campaign_slug", sa.String(length=60), nullable=True),
        sa.Column("status", _status("pack_status"), nullable=False),
        sa.Column("step", sa.String(length=200), nullable=False),
        sa.Column("progress", sa.Double(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("file_path", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["user_account.id"],
            name=op.f("fk_profile_pack_job_requested_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_profile_pack_job")),
    )


def downgrade():
    op.drop_table("profile_pack_job")
    op.drop_index("ix_analysis_snapshot_scope", table_name="analysis_snapshot")
    op.drop_table("analysis_snapshot")
    with op.batch_alter_table("asset", schema=None) as batch_op:
        batch_op.drop_column("run_by")
