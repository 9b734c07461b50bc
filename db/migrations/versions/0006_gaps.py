"""Gaps: topics to talk about, kept from review to review until resolved.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "gaps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("tour_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "values",
                "progress",
                "alignment",
                "named",
                name="gap_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("label", sa.Text(), nullable=True),
        sa.Column("raised_in_review_id", sa.Integer(), nullable=True),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["raised_in_review_id"],
            ["alignment_reviews.id"],
            name=op.f("fk_gaps_raised_in_review_id_alignment_reviews"),
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"], ["people.id"], name=op.f("fk_gaps_resolved_by_id_people")
        ),
        sa.ForeignKeyConstraint(["tour_id"], ["tours.id"], name=op.f("fk_gaps_tour_id_tours")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gaps")),
        sa.UniqueConstraint(
            "raised_in_review_id", "kind", name=op.f("uq_gaps_raised_in_review_id_kind")
        ),
    )
    with op.batch_alter_table("gaps", schema=None) as batch_op:
        batch_op.create_index("ix_gaps_tour_resolved", ["tour_id", "resolved_at"], unique=False)
        batch_op.create_index(
            "ix_gaps_team_kind_resolved", ["team_id", "kind", "resolved_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("gaps", schema=None) as batch_op:
        batch_op.drop_index("ix_gaps_team_kind_resolved")
        batch_op.drop_index("ix_gaps_tour_resolved")
    op.drop_table("gaps")
