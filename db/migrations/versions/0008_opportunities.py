"""Opportunities offered to the alumni, and who was interested.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def _choice(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def upgrade() -> None:
    op.create_table(
        "opportunities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("posted_by_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            _choice("opportunity_kind", "consulting", "position", "event", "help"),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=150), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("link", sa.String(length=2048), nullable=True),
        sa.Column("contact", sa.String(length=255), nullable=True),
        sa.Column("closes_on", sa.Date(), nullable=True),
        sa.Column(
            "status",
            _choice("opportunity_status", "queued", "posted", "closed", "withdrawn"),
            nullable=False,
        ),
        sa.Column("slack_channel", sa.String(length=32), nullable=True),
        sa.Column("slack_ts", sa.String(length=32), nullable=True),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["posted_by_id"], ["people.id"], name=op.f("fk_opportunities_posted_by_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opportunities")),
    )
    with op.batch_alter_table("opportunities", schema=None) as batch_op:
        batch_op.create_index(
            "ix_opportunities_status_closes_on", ["status", "closes_on"], unique=False
        )
        batch_op.create_index(
            "ix_opportunities_team_poster", ["team_id", "posted_by_id"], unique=False
        )

    op.create_table(
        "opportunity_interests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("opportunity_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["opportunity_id"],
            ["opportunities.id"],
            name=op.f("fk_opportunity_interests_opportunity_id_opportunities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_opportunity_interests_person_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opportunity_interests")),
        sa.UniqueConstraint(
            "opportunity_id",
            "person_id",
            name=op.f("uq_opportunity_interests_opportunity_id_person_id"),
        ),
    )


def downgrade() -> None:
    op.drop_table("opportunity_interests")
    with op.batch_alter_table("opportunities", schema=None) as batch_op:
        batch_op.drop_index("ix_opportunities_team_poster")
        batch_op.drop_index("ix_opportunities_status_closes_on")
    op.drop_table("opportunities")
