"""Learnings shared from one's network, and confirmations of the nonpublic-information guideline.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "learnings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("link", sa.String(length=2048), nullable=True),
        sa.Column("slack_channel", sa.String(length=32), nullable=True),
        sa.Column("slack_ts", sa.String(length=32), nullable=True),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_learnings_person_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learnings")),
    )
    with op.batch_alter_table("learnings", schema=None) as batch_op:
        batch_op.create_index(
            "ix_learnings_person_created", ["team_id", "person_id", "created_at"], unique=False
        )
    op.create_table(
        "guideline_acks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("guideline_hash", sa.String(length=64), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_guideline_acks_person_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guideline_acks")),
        sa.UniqueConstraint(
            "person_id", "guideline_hash", name=op.f("uq_guideline_acks_person_id_guideline_hash")
        ),
    )


def downgrade() -> None:
    op.drop_table("guideline_acks")
    with op.batch_alter_table("learnings", schema=None) as batch_op:
        batch_op.drop_index("ix_learnings_person_created")
    op.drop_table("learnings")
