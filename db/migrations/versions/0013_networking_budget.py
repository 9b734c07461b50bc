"""The networking budget: a yearly budget per person, expense requests against it, and the
learning an expense's follow-up prompted.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "networking_budgets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("self_approval_limit_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_networking_budgets_amount_positive")),
        sa.CheckConstraint(
            "self_approval_limit_minor >= 0",
            name=op.f("ck_networking_budgets_limit_not_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_networking_budgets_person_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_networking_budgets")),
        sa.UniqueConstraint("person_id", "year", name=op.f("uq_networking_budgets_person_id_year")),
    )
    op.create_table(
        "expenses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("budget_id", sa.Integer(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("event_date", sa.Date(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "approved_auto",
                "pending",
                "approved",
                "declined",
                "cancelled",
                name="expense_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("approver_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decline_reason", sa.Text(), nullable=True),
        sa.Column("followup_due_on", sa.Date(), nullable=True),
        sa.Column("followup_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_expenses_amount_positive")),
        sa.ForeignKeyConstraint(
            ["approver_id"], ["people.id"], name=op.f("fk_expenses_approver_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["budget_id"],
            ["networking_budgets.id"],
            name=op.f("fk_expenses_budget_id_networking_budgets"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_expenses_person_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_expenses")),
    )
    with op.batch_alter_table("expenses", schema=None) as batch_op:
        batch_op.create_index("ix_expenses_budget_status", ["budget_id", "status"], unique=False)
        batch_op.create_index(
            "ix_expenses_team_approver_status", ["team_id", "approver_id", "status"], unique=False
        )
        batch_op.create_index("ix_expenses_followup_due_on", ["followup_due_on"], unique=False)
    with op.batch_alter_table("learnings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expense_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_learnings_expense_id_expenses"), "expenses", ["expense_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("learnings", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_learnings_expense_id_expenses"), type_="foreignkey")
        batch_op.drop_column("expense_id")
    with op.batch_alter_table("expenses", schema=None) as batch_op:
        batch_op.drop_index("ix_expenses_followup_due_on")
        batch_op.drop_index("ix_expenses_team_approver_status")
        batch_op.drop_index("ix_expenses_budget_status")
    op.drop_table("expenses")
    op.drop_table("networking_budgets")
