"""Indexes for the leadership digest's reads of a large workspace's reviews: those answered in
the week, those still open, those closed in each of the chart's weeks, and whether a side of
each was escalated.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-14
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

ESCALATED = "escalated_at IS NOT NULL"


def upgrade() -> None:
    with op.batch_alter_table("alignment_reviews", schema=None) as batch_op:
        batch_op.create_index(
            "ix_alignment_reviews_team_answered_at", ["team_id", "answered_at"], unique=False
        )
        batch_op.create_index(
            "ix_alignment_reviews_team_closed_at", ["team_id", "closed_at"], unique=False
        )
        batch_op.create_index(
            "ix_alignment_reviews_team_status", ["team_id", "status"], unique=False
        )
    with op.batch_alter_table("review_responses", schema=None) as batch_op:
        batch_op.create_index(
            "ix_review_responses_escalated",
            ["review_id"],
            unique=False,
            sqlite_where=sa.text(ESCALATED),
            postgresql_where=sa.text(ESCALATED),
        )


def downgrade() -> None:
    with op.batch_alter_table("review_responses", schema=None) as batch_op:
        batch_op.drop_index("ix_review_responses_escalated")
    with op.batch_alter_table("alignment_reviews", schema=None) as batch_op:
        batch_op.drop_index("ix_alignment_reviews_team_status")
        batch_op.drop_index("ix_alignment_reviews_team_closed_at")
        batch_op.drop_index("ix_alignment_reviews_team_answered_at")
