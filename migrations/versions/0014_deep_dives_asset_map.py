"""deep-dive interviews coded by theme, and the asset map

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 01:00:00

- `deep_dive`: a qualitative interview (pseudonymous participant code, community, optional
  campaign, date, interviewer, three consents, the transcript as text).
- `theme`: a campaign's codebook of the project's own themes.
- `excerpt` and `excerpt_code`: a coded span of a transcript and its codes (a six ways
  dimension, an asset, or a theme: exactly one per row).
- `asset.latitude`, `asset.longitude` (both or neither, in range) and `asset.postcode`.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

SIXWAYS = ("connect", "be_active", "keep_learning", "take_notice", "give", "care")
ASSET_CHECKS = {
    "latitude_range": "latitude IS NULL OR (latitude BETWEEN -90 AND 90)",
    "longitude_range": "longitude IS NULL OR (longitude BETWEEN -180 AND 180)",
    "latitude_with_longitude": "(latitude IS NULL) = (longitude IS NULL)",
}


def _user_fk(table: str, column: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], ["user_account.id"], name=op.f(f"fk_{table}_{column}_user_account"), ondelete="SET NULL"
    )


def upgrade():
    op.create_table(
        "deep_dive",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=True),
        sa.Column("participant_code", sa.String(length=40), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("interviewer_id", sa.Integer(), nullable=True),
        sa.Column("consent_recording", sa.Boolean(), nullable=False),
        sa.Column("consent_quotation", sa.Boolean(), nullable=False),
        sa.Column("consent_sharing", sa.Boolean(), nullable=False),
        sa.Column("transcript", sa.Text(), nullable=False),
        sa.Column("source_filename", sa.String(length=255), nullable=False),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaign.id"], name=op.f("fk_deep_dive_campaign_id_campaign"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(["community_id"], ["community.id"], name=op.f("fk_deep_dive_community_id_community")),
        _user_fk("deep_dive", "created_by_id"),
        _user_fk("deep_dive", "interviewer_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deep_dive")),
    )
    op.create_index(op.f("ix_deep_dive_community_id"), "deep_dive", ["community_id"])
    op.create_index(op.f("ix_deep_dive_participant_code"), "deep_dive", ["participant_code"])

    op.create_table(
        "theme",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaign.id"], name=op.f("fk_theme_campaign_id_campaign"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_theme")),
        sa.UniqueConstraint("campaign_id", "key", name="uq_theme_campaign_key"),
    )
    op.create_index(op.f("ix_theme_campaign_id"), "theme", ["campaign_id"])

    op.create_table(
        "excerpt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("deep_dive_id", sa.Integer(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('"end" > start', name=op.f("ck_excerpt_end_after_start")),
        sa.CheckConstraint("start >= 0", name=op.f("ck_excerpt_start_not_negative")),
        _user_fk("excerpt", "created_by_id"),
        sa.ForeignKeyConstraint(
            ["deep_dive_id"], ["deep_dive.id"], name=op.f("fk_excerpt_deep_dive_id_deep_dive"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_excerpt")),
    )
    op.create_index(op.f("ix_excerpt_deep_dive_id"), "excerpt", ["deep_dive_id"])

    op.create_table(
        "excerpt_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("excerpt_id", sa.Integer(), nullable=False),
        sa.Column(
            "sixways",
            sa.Enum(*SIXWAYS, name="excerpt_sixways", native_enum=False, create_constraint=True, length=20),
            nullable=True,
        ),
        sa.Column("asset_id", sa.Integer(), nullable=True),
        sa.Column("theme_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(CASE WHEN sixways IS NULL THEN 0 ELSE 1 END) + (CASE WHEN asset_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN theme_id IS NULL THEN 0 ELSE 1 END) = 1",
            name=op.f("ck_excerpt_code_exactly_one_code"),
        ),
        sa.ForeignKeyConstraint(
            ["asset_id"], ["asset.id"], name=op.f("fk_excerpt_code_asset_id_asset"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["excerpt_id"], ["excerpt.id"], name=op.f("fk_excerpt_code_excerpt_id_excerpt"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["theme_id"], ["theme.id"], name=op.f("fk_excerpt_code_theme_id_theme"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_excerpt_code")),
        sa.UniqueConstraint("excerpt_id", "asset_id", name="uq_excerpt_code_asset"),
        sa.UniqueConstraint("excerpt_id", "sixways", name="uq_excerpt_code_sixways"),
        sa.UniqueConstraint("excerpt_id", "theme_id", name="uq_excerpt_code_theme"),
    )
    for column in ("asset_id", "excerpt_id", "theme_id"):
        op.create_index(op.f(f"ix_excerpt_code_{column}"), "excerpt_code", [column])

    with op.batch_alter_table("asset", schema=None) as batch_op:
        batch_op.add_column(sa.Column("latitude", sa.Double(), nullable=True))
        batch_op.add_column(sa.Column("longitude", sa.Double(), nullable=True))
        batch_op.add_column(sa.Column("postcode", sa.String(length=10), server_default="", nullable=False))
        for name, condition in ASSET_CHECKS.items():
            batch_op.create_check_constraint(name, condition)


def downgrade():
    with op.batch_alter_table("asset", schema=None) as batch_op:
        for name in ASSET_CHECKS:
            batch_op.drop_constraint(op.f(f"ck_asset_{name}"), type_="check")
        batch_op.drop_column("postcode")
        batch_op.drop_column("longitude")
        batch_op.drop_column("latitude")
    for table in ("excerpt_code", "excerpt", "theme", "deep_dive"):
        op.drop_table(table)
