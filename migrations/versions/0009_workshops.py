"""impact workshops: workshops, the assets they discuss, participants, ratings; adjustments' source

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 22:40:00

- `workshop`, `workshop_asset`, `workshop_participant`, `workshop_rating`: a workshop participants
  join without an account by its code, and their social and economic impact ratings (1-5) per asset.
- `valuation_adjustment.workshop_id`: the workshop that agreed an asset's adjustments (NULL when
  they were typed on the adjustments screen or uploaded), named in every report's provenance.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=20)


def upgrade():
    op.create_table(
        "workshop",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("status", _enum("workshop_status", "open", "closed"), nullable=False),
        sa.Column("opened_by_id", sa.Integer(), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaign.id"], name=op.f("fk_workshop_campaign_id_campaign"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(["community_id"], ["community.id"], name=op.f("fk_workshop_community_id_community")),
        sa.ForeignKeyConstraint(
            ["opened_by_id"],
            ["user_account.id"],
            name=op.f("fk_workshop_opened_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workshop")),
        sa.UniqueConstraint("code", name=op.f("uq_workshop_code")),
    )
    with op.batch_alter_table("workshop", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_workshop_community_id"), ["community_id"], unique=False)

    op.create_table(
        "workshop_asset",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["asset_id"], ["asset.id"], name=op.f("fk_workshop_asset_asset_id_asset"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["workshop_id"], ["workshop.id"], name=op.f("fk_workshop_asset_workshop_id_workshop"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workshop_asset")),
        sa.UniqueConstraint("workshop_id", "asset_id", name="uq_workshop_asset_asset"),
    )

    op.create_table(
        "workshop_participant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column(
            "participant_group",
            _enum("participant_group", "resident", "voluntary_group", "council", "health", "business", "other"),
            nullable=True,
        ),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workshop_id"],
            ["workshop.id"],
            name=op.f("fk_workshop_participant_workshop_id_workshop"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workshop_participant")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_workshop_participant_token_hash")),
        sa.UniqueConstraint("workshop_id", "number", name="uq_workshop_participant_number"),
    )
    with op.batch_alter_table("workshop_participant", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_workshop_participant_workshop_id"), ["workshop_id"], unique=False)

    op.create_table(
        "workshop_rating",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("social_impact", sa.Integer(), nullable=False),
        sa.Column("economic_impact", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("hidden", sa.Boolean(), nullable=False),
        sa.Column("rated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("economic_impact BETWEEN 1 AND 5", name=op.f("ck_workshop_rating_economic_impact_range")),
        sa.CheckConstraint("social_impact BETWEEN 1 AND 5", name=op.f("ck_workshop_rating_social_impact_range")),
        sa.ForeignKeyConstraint(
            ["asset_id"], ["asset.id"], name=op.f("fk_workshop_rating_asset_id_asset"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["workshop_participant.id"],
            name=op.f("fk_workshop_rating_participant_id_workshop_participant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workshop_rating")),
        sa.UniqueConstraint("participant_id", "asset_id", name="uq_workshop_rating_participant_asset"),
    )
    with op.batch_alter_table("workshop_rating", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_workshop_rating_asset_id"), ["asset_id"], unique=False)

    with op.batch_alter_table("valuation_adjustment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("workshop_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_valuation_adjustment_workshop_id_workshop"),
            "workshop",
            ["workshop_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade():
    with op.batch_alter_table("valuation_adjustment", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_valuation_adjustment_workshop_id_workshop"), type_="foreignkey")
        batch_op.drop_column("workshop_id")
    with op.batch_alter_table("workshop_rating", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workshop_rating_asset_id"))
    op.drop_table("workshop_rating")
    with op.batch_alter_table("workshop_participant", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workshop_participant_workshop_id"))
    op.drop_table("workshop_participant")
    op.drop_table("workshop_asset")
    with op.batch_alter_table("workshop", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workshop_community_id"))
    op.drop_table("workshop")
