"""After an approved expense's event: ask the person what they learned there."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from db.engine import Database
from db.models import Expense, Person
from domain.money import ExpenseStatus
from domain.reviews import start_of_local_day
from domain.schedule import WorkingHours, latest_local_date, next_delivery_time, shift_past_away
from services.away import away_days
from services.outbox import enqueue
from services.refusals import NOT_YOURS, Refusal

FOLLOWUP = "expense_followup"
APPROVED = (ExpenseStatus.APPROVED_AUTO, ExpenseStatus.APPROVED)


def plan_followups(
    database: Database, *, now: datetime, hours: WorkingHours, limit: int = 500
) -> int:
    """Plan the question for each approved expense whose follow-up day has come where the
    person is (or, when they are away then, the day they are back), in their working hours."""
    due = (
        select(Expense)
        .join(Person, Person.id == Expense.person_id)
        .where(
            Expense.followup_due_on <= latest_local_date(now),
            Expense.status.in_(APPROVED),
            Person.forgotten_at.is_(None),
        )
        .order_by(Expense.followup_due_on, Expense.id)
        .limit(limit)
        .with_for_update(of=Expense, skip_locked=True)
    )
    with database.session() as session:
        expenses = list(session.scalars(due).unique())
        earliest = min((e.followup_due_on for e in expenses if e.followup_due_on), default=None)
        away = away_days(session, {e.person_id for e in expenses}, earliest or date.min)
        for expense in expenses:
            assert expense.followup_due_on is not None
            person = expense.person
            day = shift_past_away(expense.followup_due_on, away[person.id])
            when = next_delivery_time(
                max(now, start_of_local_day(day, person.tz)), person.tz, hours
            )
            enqueue(
                session,
                team_id=expense.team_id,
                purpose=FOLLOWUP,
                subject=f"expense:{expense.id}",
                occurrence="followup",
                target=person.user_id,
                recipient_id=person.id,
                payload={"expense_id": expense.id},
                not_before=when,
                now=now,
            )
            expense.followup_due_on = None
            expense.followup_sent_at = when
            expense.updated_at = now
        return len(expenses)


@dataclass(frozen=True)
class Followup:
    """What the question names: the expense and its event's date."""

    expense_id: int
    user_id: str
    description: str
    event_date: date | None


def get_followup(database: Database, expense_id: int) -> Followup | None:
    with database.read() as session:
        expense = session.get(Expense, expense_id)
        if expense is None or expense.description is None:  # gone, or forgotten
            return None
        return Followup(expense.id, expense.person.user_id, expense.description, expense.event_date)


def own_followup(database: Database, *, expense_id: int, user_id: str) -> Followup:
    """The expense the person is sharing a learning from, if it is theirs; raises Refusal."""
    followup = get_followup(database, expense_id)
    if followup is None or followup.user_id != user_id:
        raise Refusal(NOT_YOURS)
    return followup
