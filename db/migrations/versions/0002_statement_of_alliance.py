"""Statement of Alliance: workspaces, tours and their versions, values, conversations.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "conversations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column(
            "flow",
            sa.Enum(
                "values",
                "tour_success",
                "tour_guided",
                name="conversation_flow",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("step_index", sa.Integer(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=True),
        sa.Column("context", sa.JSON(), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_conversations_person_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversations")),
        sa.UniqueConstraint(
            "team_id", "person_id", "flow", name=op.f("uq_conversations_team_id_person_id_flow")
        ),
    )
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.create_index("ix_conversations_expires_at", ["expires_at"], unique=False)
        batch_op.create_index(
            "uq_conversations_one_live",
            ["team_id", "person_id"],
            unique=True,
            sqlite_where=sa.text("expires_at IS NOT NULL"),
            postgresql_where=sa.text("expires_at IS NOT NULL"),
        )

    op.create_table(
        "tours",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("manager_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "proposed",
                "agreed",
                "active",
                "ended",
                "withdrawn",
                name="tour_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "awaiting",
            sa.Enum(
                "employee",
                "manager",
                name="tour_awaiting",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("current_version_no", sa.Integer(), nullable=False),
        sa.Column("agreed_version_no", sa.Integer(), nullable=True),
        sa.Column(
            "tour_type",
            sa.Enum(
                "rotational",
                "transformational",
                "foundational",
                name="tour_type",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("cadence_weeks", sa.Integer(), nullable=False),
        sa.Column("previous_tour_id", sa.Integer(), nullable=True),
        sa.Column("agreed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("activated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("end_reason", sa.String(length=32), nullable=True),
        sa.Column("next_review_on", sa.Date(), nullable=True),
        sa.Column("next_end_prompt_on", sa.Date(), nullable=True),
        sa.Column("end_decision", sa.String(length=32), nullable=True),
        sa.Column("end_decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("end_decided_by_id", sa.Integer(), nullable=True),
        sa.Column("end_overdue_flagged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("inactive_flagged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("cadence_weeks IN (2, 4, 6, 12)", name=op.f("ck_tours_cadence_weeks")),
        sa.ForeignKeyConstraint(
            ["employee_id"], ["people.id"], name=op.f("fk_tours_employee_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["end_decided_by_id"], ["people.id"], name=op.f("fk_tours_end_decided_by_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["manager_id"], ["people.id"], name=op.f("fk_tours_manager_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["previous_tour_id"], ["tours.id"], name=op.f("fk_tours_previous_tour_id_tours")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tours")),
    )
    with op.batch_alter_table("tours", schema=None) as batch_op:
        batch_op.create_index("ix_tours_due_end", ["status", "next_end_prompt_on"], unique=False)
        batch_op.create_index("ix_tours_due_review", ["status", "next_review_on"], unique=False)
        batch_op.create_index(
            "ix_tours_employee", ["team_id", "employee_id", "status"], unique=False
        )
        batch_op.create_index("ix_tours_manager", ["team_id", "manager_id", "status"], unique=False)
        batch_op.create_index("ix_tours_status_end", ["status", "end_date"], unique=False)
        batch_op.create_index("ix_tours_status_start", ["status", "start_date"], unique=False)
        batch_op.create_index(
            "uq_tours_one_active",
            ["team_id", "employee_id"],
            unique=True,
            sqlite_where=sa.text("status = 'active'"),
            postgresql_where=sa.text("status = 'active'"),
        )
        batch_op.create_index(
            "uq_tours_one_open",
            ["team_id", "employee_id"],
            unique=True,
            sqlite_where=sa.text("status IN ('proposed', 'agreed')"),
            postgresql_where=sa.text("status IN ('proposed', 'agreed')"),
        )

    op.create_table(
        "value_shares",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("viewer_id", sa.Integer(), nullable=False),
        sa.Column("shared_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["people.id"], name=op.f("fk_value_shares_owner_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["viewer_id"], ["people.id"], name=op.f("fk_value_shares_viewer_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_value_shares")),
        sa.UniqueConstraint(
            "owner_id", "viewer_id", name=op.f("uq_value_shares_owner_id_viewer_id")
        ),
    )
    with op.batch_alter_table("value_shares", schema=None) as batch_op:
        batch_op.create_index("ix_value_shares_viewer", ["team_id", "viewer_id"], unique=False)

    op.create_table(
        "value_statements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("aspirations", sa.JSON(), nullable=True),
        sa.Column("core_values", sa.JSON(), nullable=True),
        sa.Column("note_for_manager", sa.Text(), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_value_statements_person_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_value_statements")),
        sa.UniqueConstraint(
            "team_id", "person_id", name=op.f("uq_value_statements_team_id_person_id")
        ),
    )
    op.create_table(
        "workspaces",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("enterprise_id", sa.String(length=32), nullable=True),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("company_values", sa.JSON(), nullable=False),
        sa.Column("company_aspirations", sa.JSON(), nullable=False),
        sa.Column("company_values_updated_by_id", sa.Integer(), nullable=True),
        sa.Column("company_values_updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_values_updated_by_id"],
            ["people.id"],
            name=op.f("fk_workspaces_company_values_updated_by_id_people"),
        ),
        sa.PrimaryKeyConstraint("team_id", name=op.f("pk_workspaces")),
    )
    op.create_table(
        "tour_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("tour_id", sa.Integer(), nullable=False),
        sa.Column("version_no", sa.Integer(), nullable=False),
        sa.Column("proposed_by_id", sa.Integer(), nullable=False),
        sa.Column(
            "source",
            sa.Enum(
                "form",
                "guided",
                "suggest",
                "success_chat",
                name="version_source",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "tour_type",
            sa.Enum(
                "rotational",
                "transformational",
                "foundational",
                name="version_tour_type",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("cadence_weeks", sa.Integer(), nullable=False),
        sa.Column("objective", sa.Text(), nullable=True),
        sa.Column("success_company", sa.Text(), nullable=True),
        sa.Column("success_employee", sa.Text(), nullable=True),
        sa.Column("employee_success", sa.JSON(), nullable=True),
        sa.Column("employee_accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("manager_accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("superseded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "cadence_weeks IN (2, 4, 6, 12)", name=op.f("ck_tour_versions_cadence_weeks")
        ),
        sa.ForeignKeyConstraint(
            ["proposed_by_id"], ["people.id"], name=op.f("fk_tour_versions_proposed_by_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["tour_id"],
            ["tours.id"],
            name=op.f("fk_tour_versions_tour_id_tours"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tour_versions")),
        sa.UniqueConstraint(
            "tour_id", "version_no", name=op.f("uq_tour_versions_tour_id_version_no")
        ),
    )


def downgrade() -> None:
    op.drop_table("tour_versions")
    op.drop_table("workspaces")
    op.drop_table("value_statements")
    with op.batch_alter_table("value_shares", schema=None) as batch_op:
        batch_op.drop_index("ix_value_shares_viewer")

    op.drop_table("value_shares")
    with op.batch_alter_table("tours", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_tours_one_open",
            sqlite_where=sa.text("status IN ('proposed', 'agreed')"),
            postgresql_where=sa.text("status IN ('proposed', 'agreed')"),
        )
        batch_op.drop_index(
            "uq_tours_one_active",
            sqlite_where=sa.text("status = 'active'"),
            postgresql_where=sa.text("status = 'active'"),
        )
        batch_op.drop_index("ix_tours_status_start")
        batch_op.drop_index("ix_tours_status_end")
        batch_op.drop_index("ix_tours_manager")
        batch_op.drop_index("ix_tours_employee")
        batch_op.drop_index("ix_tours_due_review")
        batch_op.drop_index("ix_tours_due_end")

    op.drop_table("tours")
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_conversations_one_live",
            sqlite_where=sa.text("expires_at IS NOT NULL"),
            postgresql_where=sa.text("expires_at IS NOT NULL"),
        )
        batch_op.drop_index("ix_conversations_expires_at")

    op.drop_table("conversations")
