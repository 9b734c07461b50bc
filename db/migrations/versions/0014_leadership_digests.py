"""Leadership digests: the figures of each scheduled digest, for the next one's changes.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "leadership_digests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("period_key", sa.String(length=16), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("min_group_size", sa.Integer(), nullable=False),
        sa.Column("generated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_leadership_digests")),
        sa.UniqueConstraint(
            "team_id", "period_key", name=op.f("uq_leadership_digests_team_id_period_key")
        ),
    )
    with op.batch_alter_table("leadership_digests", schema=None) as batch_op:
        batch_op.create_index(
            "ix_leadership_digests_team_period_end", ["team_id", "period_end"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("leadership_digests", schema=None) as batch_op:
        batch_op.drop_index("ix_leadership_digests_team_period_end")
    op.drop_table("leadership_digests")
