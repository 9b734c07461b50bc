"""Reporting lines: each person's manager, department, title, location and start date from an
imported org chart, with their history.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

CURRENT = "valid_to IS NULL"


def upgrade() -> None:
    op.create_table(
        "reporting_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("manager_id", sa.Integer(), nullable=True),
        sa.Column("department", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column("location", sa.String(length=200), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_to", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["manager_id"], ["people.id"], name=op.f("fk_reporting_lines_manager_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_reporting_lines_person_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reporting_lines")),
    )
    with op.batch_alter_table("reporting_lines", schema=None) as batch_op:
        batch_op.create_index(
            "uq_reporting_lines_current",
            ["team_id", "person_id"],
            unique=True,
            sqlite_where=sa.text(CURRENT),
            postgresql_where=sa.text(CURRENT),
        )
        batch_op.create_index(
            "ix_reporting_lines_current_manager",
            ["team_id", "manager_id"],
            unique=False,
            sqlite_where=sa.text(CURRENT),
            postgresql_where=sa.text(CURRENT),
        )


def downgrade() -> None:
    with op.batch_alter_table("reporting_lines", schema=None) as batch_op:
        batch_op.drop_index("ix_reporting_lines_current_manager")
        batch_op.drop_index("uq_reporting_lines_current")
    op.drop_table("reporting_lines")
