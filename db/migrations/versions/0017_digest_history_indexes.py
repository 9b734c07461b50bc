"""Indexes for the leadership chart's twelve weeks: the reviews closed in them carry what is
counted (tour, answered) in the index, so they are not read one by one from the table, and the
tours ending near the weeks are found by end date within the workspace.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("alignment_reviews", schema=None) as batch_op:
        batch_op.drop_index("ix_alignment_reviews_team_closed_at")
        batch_op.create_index(
            "ix_alignment_reviews_team_closed_at",
            ["team_id", "closed_at", "tour_id", "answered_at"],
            unique=False,
        )
    with op.batch_alter_table("tours", schema=None) as batch_op:
        batch_op.create_index("ix_tours_team_end", ["team_id", "end_date"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("tours", schema=None) as batch_op:
        batch_op.drop_index("ix_tours_team_end")
    with op.batch_alter_table("alignment_reviews", schema=None) as batch_op:
        batch_op.drop_index("ix_alignment_reviews_team_closed_at")
        batch_op.create_index(
            "ix_alignment_reviews_team_closed_at", ["team_id", "closed_at"], unique=False
        )
