"""valuation: assets' cost price year, the population's source, sampling method as a fixed list,
and the SROI adjustments a workshop agreed per campaign and asset

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 16:41:45.024904

`campaign.sampling_method` was free text; it becomes one of random, quota, convenience (the
valuation scales users to the population for random samples only). Existing text is mapped:
mentions "random" (but not "non-random" or "not random") -> random, else mentions "quota" -> quota,
other non-blank text -> convenience, blank -> NULL. The downgrade keeps the mapped words: the
original wording is not recoverable.
"""

import re

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

NOT_RANDOM = re.compile(r"\b(non|not)[\s-]*random", re.IGNORECASE)


def sampling_method_from_text(text):
    """The fixed sampling method for an old free-text description (None when blank)."""
    if text is None or not text.strip():
        return None
    lowered = text.lower()
    if "random" in lowered and not NOT_RANDOM.search(lowered):
        return "random"
    if "quota" in lowered:
        return "quota"
    return "convenience"


def upgrade():
    op.create_table(
        "valuation_adjustment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("deadweight", sa.Double(), nullable=False),
        sa.Column("displacement", sa.Double(), nullable=False),
        sa.Column("attribution", sa.Double(), nullable=False),
        sa.Column("drop_off", sa.Double(), nullable=False),
        sa.Column("years", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("agreed_by", sa.Text(), nullable=False),
        sa.Column("agreed_on", sa.Date(), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "attribution >= 0 AND attribution <= 1", name=op.f("ck_valuation_adjustment_attribution_fraction")
        ),
        sa.CheckConstraint(
            "deadweight >= 0 AND deadweight <= 1", name=op.f("ck_valuation_adjustment_deadweight_fraction")
        ),
        sa.CheckConstraint(
            "displacement >= 0 AND displacement <= 1", name=op.f("ck_valuation_adjustment_displacement_fraction")
        ),
        sa.CheckConstraint("drop_off >= 0 AND drop_off <= 1", name=op.f("ck_valuation_adjustment_drop_off_fraction")),
        sa.CheckConstraint("years >= 1", name=op.f("ck_valuation_adjustment_years_at_least_one")),
        sa.ForeignKeyConstraint(
            ["asset_id"], ["asset.id"], name=op.f("fk_valuation_adjustment_asset_id_asset"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaign.id"],
            name=op.f("fk_valuation_adjustment_campaign_id_campaign"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["user_account.id"],
            name=op.f("fk_valuation_adjustment_updated_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_valuation_adjustment")),
        sa.UniqueConstraint("campaign_id", "asset_id", name="uq_valuation_adjustment_campaign_asset"),
    )
    with op.batch_alter_table("valuation_adjustment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_valuation_adjustment_asset_id"), ["asset_id"], unique=False)

    with op.batch_alter_table("asset", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cost_year", sa.Integer(), nullable=True))
        batch_op.create_check_constraint(
            op.f("ck_asset_cost_year_range"), "cost_year IS NULL OR (cost_year BETWEEN 1900 AND 2100)"
        )

    # Old free text -> the fixed list, before the column is narrowed and checked.
    connection = op.get_bind()
    campaigns = sa.table("campaign", sa.column("id", sa.Integer), sa.column("sampling_method", sa.String))
    rows = connection.execute(
        sa.select(campaigns.c.id, campaigns.c.sampling_method).where(campaigns.c.sampling_method.isnot(None))
    ).all()
    for campaign_id, text in rows:
        connection.execute(
            campaigns.update()
            .where(campaigns.c.id == campaign_id)
            .values(sampling_method=sampling_method_from_text(text))
        )

    with op.batch_alter_table("campaign", schema=None) as batch_op:
        batch_op.add_column(sa.Column("population_source", sa.Text(), nullable=True))
        batch_op.alter_column(
            "sampling_method", existing_type=sa.VARCHAR(length=200), type_=sa.String(length=20), existing_nullable=True
        )
        batch_op.create_check_constraint(
            op.f("ck_campaign_sampling_method"),
            "sampling_method IN ('random', 'quota', 'convenience')",
        )


def downgrade():
    with op.batch_alter_table("campaign", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_campaign_sampling_method"), type_="check")
        batch_op.alter_column(
            "sampling_method", existing_type=sa.String(length=20), type_=sa.VARCHAR(length=200), existing_nullable=True
        )
        batch_op.drop_column("population_source")

    with op.batch_alter_table("asset", schema=None) as batch_op:
        # The CHECK constraint names the column: drop it first (SQLite copies constraints).
        batch_op.drop_constraint(op.f("ck_asset_cost_year_range"), type_="check")
        batch_op.drop_column("cost_year")

    with op.batch_alter_table("valuation_adjustment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_valuation_adjustment_asset_id"))

    op.drop_table("valuation_adjustment")
