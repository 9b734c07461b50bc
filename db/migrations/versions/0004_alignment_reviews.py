"""Alignment reviews: one review per tour and occurrence, and each side's answers.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _choice(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def upgrade() -> None:
    op.create_table(
        "alignment_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("tour_id", sa.Integer(), nullable=False),
        sa.Column("occurrence", sa.Integer(), nullable=False),
        sa.Column("kind", _choice("review_kind", "scheduled", "checkin"), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("closes_on", sa.Date(), nullable=False),
        sa.Column("status", _choice("review_status", "open", "answered", "closed"), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("progress_gap", sa.Boolean(), nullable=False),
        sa.Column("alignment_gap", sa.Boolean(), nullable=False),
        sa.Column("gap_flagged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tour_id"], ["tours.id"], name=op.f("fk_alignment_reviews_tour_id_tours")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alignment_reviews")),
        sa.UniqueConstraint(
            "tour_id", "occurrence", name=op.f("uq_alignment_reviews_tour_id_occurrence")
        ),
    )
    with op.batch_alter_table("alignment_reviews", schema=None) as batch_op:
        batch_op.create_index(
            "ix_alignment_reviews_status_closes_on", ["status", "closes_on"], unique=False
        )
        batch_op.create_index(
            "ix_alignment_reviews_team_due_on", ["team_id", "due_on"], unique=False
        )

    op.create_table(
        "review_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("side", _choice("review_side", "employee", "manager"), nullable=False),
        sa.Column("respondent_id", sa.Integer(), nullable=False),
        sa.Column(
            "progress",
            _choice("review_progress", "on_track", "at_risk", "off_track"),
            nullable=True,
        ),
        sa.Column("alignment", sa.Integer(), nullable=True),
        sa.Column("to_address", sa.Text(), nullable=True),
        sa.Column("learned", sa.Text(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("prompted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("snoozed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("next_nudge_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("alignment BETWEEN 1 AND 5", name=op.f("ck_review_responses_alignment")),
        sa.ForeignKeyConstraint(
            ["respondent_id"], ["people.id"], name=op.f("fk_review_responses_respondent_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["alignment_reviews.id"],
            name=op.f("fk_review_responses_review_id_alignment_reviews"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_responses")),
        sa.UniqueConstraint("review_id", "side", name=op.f("uq_review_responses_review_id_side")),
    )
    with op.batch_alter_table("review_responses", schema=None) as batch_op:
        batch_op.create_index("ix_review_responses_next_nudge_at", ["next_nudge_at"], unique=False)
        batch_op.create_index(
            "ix_review_responses_respondent_answered",
            ["respondent_id", "answered_at"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("review_responses", schema=None) as batch_op:
        batch_op.drop_index("ix_review_responses_respondent_answered")
        batch_op.drop_index("ix_review_responses_next_nudge_at")
    op.drop_table("review_responses")

    with op.batch_alter_table("alignment_reviews", schema=None) as batch_op:
        batch_op.drop_index("ix_alignment_reviews_team_due_on")
        batch_op.drop_index("ix_alignment_reviews_status_closes_on")
    op.drop_table("alignment_reviews")
