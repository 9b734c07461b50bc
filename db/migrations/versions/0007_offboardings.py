"""Offboardings and alumni profiles: leaving in good standing, and the alumni directory.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def _choice(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def upgrade() -> None:
    op.create_table(
        "offboardings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("tour_id", sa.Integer(), nullable=True),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("good_standing", sa.Boolean(), nullable=False),
        sa.Column("personal_email", sa.String(length=254), nullable=True),
        sa.Column("directory_line", sa.Text(), nullable=True),
        sa.Column(
            "status",
            _choice(
                "offboarding_status",
                "scheduled",
                "invited",
                "joined",
                "declined",
                "not_invited",
                "cancelled",
            ),
            nullable=False,
        ),
        sa.Column("invited_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("responded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "join_method",
            _choice("join_method", "channel_invite", "slack_connect", "manual"),
            nullable=True,
        ),
        sa.Column("join_error", sa.String(length=64), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_offboardings_person_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["people.id"],
            name=op.f("fk_offboardings_requested_by_id_people"),
        ),
        sa.ForeignKeyConstraint(
            ["tour_id"], ["tours.id"], name=op.f("fk_offboardings_tour_id_tours")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offboardings")),
    )
    with op.batch_alter_table("offboardings", schema=None) as batch_op:
        batch_op.create_index(
            "ix_offboardings_status_last_day", ["status", "last_day"], unique=False
        )
        batch_op.create_index(
            "uq_offboardings_one_open",
            ["team_id", "person_id"],
            unique=True,
            sqlite_where=sa.text("status IN ('scheduled', 'invited')"),
            postgresql_where=sa.text("status IN ('scheduled', 'invited')"),
        )

    op.create_table(
        "alumni_profiles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("offboarding_id", sa.Integer(), nullable=True),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("listed", sa.Boolean(), nullable=False),
        sa.Column("current_role", sa.Text(), nullable=True),
        sa.Column("expertise", sa.Text(), nullable=True),
        sa.Column("directory_line", sa.Text(), nullable=True),
        sa.Column("open_to_consulting", sa.Boolean(), nullable=True),
        sa.Column("open_to_returning", sa.Boolean(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["offboarding_id"],
            ["offboardings.id"],
            name=op.f("fk_alumni_profiles_offboarding_id_offboardings"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_alumni_profiles_person_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alumni_profiles")),
        sa.UniqueConstraint(
            "team_id", "person_id", name=op.f("uq_alumni_profiles_team_id_person_id")
        ),
    )
    with op.batch_alter_table("alumni_profiles", schema=None) as batch_op:
        batch_op.create_index("ix_alumni_profiles_team_listed", ["team_id", "listed"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("alumni_profiles", schema=None) as batch_op:
        batch_op.drop_index("ix_alumni_profiles_team_listed")
    op.drop_table("alumni_profiles")
    with op.batch_alter_table("offboardings", schema=None) as batch_op:
        batch_op.drop_index("uq_offboardings_one_open")
        batch_op.drop_index("ix_offboardings_status_last_day")
    op.drop_table("offboardings")
