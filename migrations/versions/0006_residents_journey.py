"""residents' journey: per-asset question phrase, missing reasons for answers, and whatever the shorter survey needs

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 17:15:00

- `asset.question_phrase` ("go to", "take part in", "see"): filled from each asset's kind, then NOT NULL;
  `campaign_asset.question_phrase` keeps the phrase a campaign opened with (NULL for older campaigns).
- `asset_use.uses`: the answer to "Do you go to ...?" (asset_use version 2).
- `response.last_page`: where a resident last saved, for resuming; `response.contact_token_hash` and
  `contact_token_expires_at`: the one-time link of the thank-you page's contact form.
- `answer.missing_reason` gains "declined" ("Prefer not to say"). The downgrade turns declined answers
  into "blank" ones (the closest older reason), since the older check refuses the new word.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

PHRASES = {
    "place": "go to",
    "community_group": "take part in",
    "voluntary_org": "use",
    "individual": "see",
    "other": "use or go to",
}
OLD_REASONS = ("blank", "multiple")
NEW_REASONS = ("blank", "multiple", "declined")


def _reasons_check(reasons):
    return "missing_reason IN (" + ", ".join(f"'{reason}'" for reason in reasons) + ")"


def upgrade():
    with op.batch_alter_table("asset", schema=None) as batch_op:
        batch_op.add_column(sa.Column("question_phrase", sa.String(length=40), nullable=True))
    assets = sa.table("asset", sa.column("kind", sa.String), sa.column("question_phrase", sa.String))
    connection = op.get_bind()
    for kind, phrase in PHRASES.items():
        connection.execute(assets.update().where(assets.c.kind == kind).values(question_phrase=phrase))
    connection.execute(
        assets.update().where(assets.c.question_phrase.is_(None)).values(question_phrase=PHRASES["other"])
    )
    with op.batch_alter_table("asset", schema=None) as batch_op:
        batch_op.alter_column("question_phrase", existing_type=sa.String(length=40), nullable=False)

    with op.batch_alter_table("campaign_asset", schema=None) as batch_op:
        batch_op.add_column(sa.Column("question_phrase", sa.String(length=40), nullable=True))

    with op.batch_alter_table("asset_use", schema=None) as batch_op:
        batch_op.add_column(sa.Column("uses", sa.Boolean(), nullable=True))

    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_page", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("contact_token_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("contact_token_expires_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_response_contact_token_hash"), ["contact_token_hash"])

    with op.batch_alter_table("answer", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_answer_answer_missing_reason"), type_="check")
        batch_op.create_check_constraint(op.f("ck_answer_answer_missing_reason"), _reasons_check(NEW_REASONS))


def downgrade():
    answers = sa.table("answer", sa.column("missing_reason", sa.String))
    op.get_bind().execute(answers.update().where(answers.c.missing_reason == "declined").values(missing_reason="blank"))
    with op.batch_alter_table("answer", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_answer_answer_missing_reason"), type_="check")
        batch_op.create_check_constraint(op.f("ck_answer_answer_missing_reason"), _reasons_check(OLD_REASONS))

    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_response_contact_token_hash"), type_="unique")
        batch_op.drop_column("contact_token_expires_at")
        batch_op.drop_column("contact_token_hash")
        batch_op.drop_column("last_page")

    with op.batch_alter_table("asset_use", schema=None) as batch_op:
        batch_op.drop_column("uses")

    with op.batch_alter_table("campaign_asset", schema=None) as batch_op:
        batch_op.drop_column("question_phrase")

    with op.batch_alter_table("asset", schema=None) as batch_op:
        batch_op.drop_column("question_phrase")
