"""Questions to the alumni, and the thread replies relayed to the asker.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alumni_asks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("asker_id", sa.Integer(), nullable=False),
        sa.Column("question", sa.Text(), nullable=True),
        sa.Column("slack_channel", sa.String(length=32), nullable=True),
        sa.Column("slack_ts", sa.String(length=32), nullable=True),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["asker_id"], ["people.id"], name=op.f("fk_alumni_asks_asker_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alumni_asks")),
        sa.UniqueConstraint(
            "team_id",
            "slack_channel",
            "slack_ts",
            name=op.f("uq_alumni_asks_team_id_slack_channel_slack_ts"),
        ),
    )
    op.create_table(
        "alumni_ask_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("ask_id", sa.Integer(), nullable=False),
        sa.Column("answerer_slack_id", sa.String(length=32), nullable=False),
        sa.Column("answerer_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("slack_ts", sa.String(length=32), nullable=False),
        sa.Column("relayed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["answerer_id"], ["people.id"], name=op.f("fk_alumni_ask_answers_answerer_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["ask_id"],
            ["alumni_asks.id"],
            name=op.f("fk_alumni_ask_answers_ask_id_alumni_asks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alumni_ask_answers")),
        sa.UniqueConstraint(
            "ask_id", "slack_ts", name=op.f("uq_alumni_ask_answers_ask_id_slack_ts")
        ),
    )


def downgrade() -> None:
    op.drop_table("alumni_ask_answers")
    op.drop_table("alumni_asks")
