"""The rollout campaign: campaigns (one running per workspace) and the reports put aside in one.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

RUNNING = "ended_at IS NULL"


def upgrade() -> None:
    op.create_table(
        "rollout_campaigns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("department", sa.String(length=200), nullable=True),
        sa.Column("started_by_id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "end_reason",
            sa.Enum(
                "covered",
                "stopped",
                name="campaign_end",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["started_by_id"], ["people.id"], name=op.f("fk_rollout_campaigns_started_by_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rollout_campaigns")),
    )
    with op.batch_alter_table("rollout_campaigns", schema=None) as batch_op:
        batch_op.create_index(
            "uq_rollout_campaigns_running",
            ["team_id"],
            unique=True,
            sqlite_where=sa.text(RUNNING),
            postgresql_where=sa.text(RUNNING),
        )
    op.create_table(
        "rollout_asides",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column(
            "reason",
            sa.Enum(
                "new_joiner",
                "leaving",
                "on_leave",
                name="aside_reason",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("set_by_id", sa.Integer(), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["rollout_campaigns.id"],
            name=op.f("fk_rollout_asides_campaign_id_rollout_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_rollout_asides_person_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["set_by_id"], ["people.id"], name=op.f("fk_rollout_asides_set_by_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rollout_asides")),
        sa.UniqueConstraint(
            "campaign_id", "person_id", name=op.f("uq_rollout_asides_campaign_id_person_id")
        ),
    )


def downgrade() -> None:
    op.drop_table("rollout_asides")
    with op.batch_alter_table("rollout_campaigns", schema=None) as batch_op:
        batch_op.drop_index("uq_rollout_campaigns_running")
    op.drop_table("rollout_campaigns")
