"""The networking budget: a yearly budget per person, requests within the self-approval limit
approved at once, the rest decided by the manager, once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from db.engine import Database
from db.models import Expense, NetworkingBudget, Person
from db.upsert import insert_if_absent
from domain.money import COMMITTED, ExpenseStatus, Money, needs_approval
from domain.reviews import local_date
from domain.schedule import WorkingHours, next_delivery_time
from services.audit import record_audit
from services.outbox import enqueue
from services.people import display_name, get_person
from services.refusals import NOT_YOURS, Refusal
from services.tours import current_manager

DESCRIPTION_MAX = 500
DECISION = "expense_decision"  # the outbox message telling the employee what was decided


class ExpenseRefusal(Refusal):
    """An expense request or decision is not possible."""


@dataclass(frozen=True)
class BudgetDefaults:
    """What a new year's budget copies from the settings."""

    amount_minor: int
    limit_minor: int
    currency: str


# 1,000 a year, up to 250 a request without the manager.
DEFAULT_BUDGET = BudgetDefaults(amount_minor=100000, limit_minor=25000, currency="EUR")


@dataclass(frozen=True)
class BudgetStatus:
    year: int
    budget: Money
    committed: Money  # approved, or asked for and not decided yet
    limit: Money

    @property
    def remaining(self) -> Money:
        return Money(self.budget.minor - self.committed.minor, self.budget.currency)


def _person(session: Session, team_id: str, user_id: str) -> Person:
    person = get_person(session, team_id, user_id)
    if person is None:
        raise ExpenseRefusal("I don't know you yet: say hello in a DM first.")
    return person


def _budget(
    session: Session, person: Person, now: datetime, defaults: BudgetDefaults
) -> NetworkingBudget:
    """This calendar year's budget (in the person's time zone), created from the settings the
    first time a request needs it."""
    year = local_date(now, person.tz).year
    insert_if_absent(
        session,
        NetworkingBudget.__table__,  # type: ignore[arg-type]
        {
            "team_id": person.team_id,
            "person_id": person.id,
            "year": year,
            "amount_minor": defaults.amount_minor,
            "self_approval_limit_minor": defaults.limit_minor,
            "currency": defaults.currency,
            "created_at": now,
        },
    )
    budget = _year_budget(session, person, year)
    assert budget is not None
    return budget


def _year_budget(session: Session, person: Person, year: int) -> NetworkingBudget | None:
    return session.scalar(
        select(NetworkingBudget).where(
            NetworkingBudget.person_id == person.id, NetworkingBudget.year == year
        )
    )


def _read_status(
    session: Session, person: Person | None, now: datetime, defaults: BudgetDefaults
) -> tuple[BudgetStatus, NetworkingBudget | None]:
    """This year's budget as it stands, without creating it: before a first request (or
    before the bot has met the person) it is what the settings give, all of it left."""
    year = local_date(now, person.tz if person else None).year
    budget = None if person is None else _year_budget(session, person, year)
    if budget is not None:
        return _status(session, budget), budget
    currency = defaults.currency
    fresh = BudgetStatus(
        year=year,
        budget=Money(defaults.amount_minor, currency),
        committed=Money(0, currency),
        limit=Money(defaults.limit_minor, currency),
    )
    return fresh, None


def _status(session: Session, budget: NetworkingBudget) -> BudgetStatus:
    committed = session.scalar(
        select(func.coalesce(func.sum(Expense.amount_minor), 0)).where(
            Expense.budget_id == budget.id, Expense.status.in_(COMMITTED)
        )
    )
    currency = budget.currency
    return BudgetStatus(
        year=budget.year,
        budget=Money(budget.amount_minor, currency),
        committed=Money(int(committed or 0), currency),
        limit=Money(budget.self_approval_limit_minor, currency),
    )


def budget_status(
    database: Database, *, team_id: str, user_id: str, now: datetime, defaults: BudgetDefaults
) -> BudgetStatus:
    with database.read() as session:
        status, _ = _read_status(session, get_person(session, team_id, user_id), now, defaults)
        return status


@dataclass(frozen=True)
class Requested:
    expense_id: int
    status: ExpenseStatus
    amount: Money
    remaining: Money  # after this request
    approver_user_id: str | None
    approver_name: str | None
    event_date: date | None


def request_expense(
    database: Database,
    *,
    team_id: str,
    user_id: str,
    amount: Money,
    description: str,
    event_date: date | None,
    now: datetime,
    defaults: BudgetDefaults,
) -> Requested:
    """Within the self-approval limit and what is left, approved at once; otherwise it waits
    for the manager on the person's tour. Raises ExpenseRefusal."""
    what = description.strip()
    if not what:
        raise ExpenseRefusal("What is it for? Try `/alliance expense 120 DevOpsDays ticket`.")
    if len(what) > DESCRIPTION_MAX:
        raise ExpenseRefusal(f"Keep the description to {DESCRIPTION_MAX} characters.")
    with database.session() as session:
        person = _person(session, team_id, user_id)
        budget = _budget(session, person, now, defaults)
        if amount.currency != budget.currency:
            raise ExpenseRefusal(
                f"Your networking budget is in {budget.currency}; please give the amount in "
                f"{budget.currency}."
            )
        status = _status(session, budget)
        pending = needs_approval(
            amount.minor, limit=status.limit.minor, remaining=status.remaining.minor
        )
        approver = current_manager(session, person.id) if pending else None
        if pending and approver is None:
            raise ExpenseRefusal(
                f"{amount} needs your manager's approval, and you have no manager on a tour of "
                "duty yet."
            )
        expense = Expense(
            team_id=team_id,
            person_id=person.id,
            budget_id=budget.id,
            amount_minor=amount.minor,
            currency=amount.currency,
            description=what,
            event_date=event_date,
            status=ExpenseStatus.PENDING if pending else ExpenseStatus.APPROVED_AUTO,
            approver_id=approver.id if approver else None,
            followup_due_on=None if pending else _followup_day(event_date),
            updated_at=now,
            created_at=now,
        )
        session.add(expense)
        session.flush()
        record_audit(
            session,
            team_id=team_id,
            actor=user_id,
            action="expense.requested",
            subject=f"expense:{expense.id}",
            detail={"status": expense.status.value, "amount_minor": amount.minor},
            now=now,
        )
        return Requested(
            expense.id,
            expense.status,
            amount,
            Money(status.remaining.minor - amount.minor, amount.currency),
            approver.user_id if approver else None,
            display_name(approver) if approver else None,
            event_date,
        )


def _followup_day(event_date: date | None) -> date | None:
    """The day after the event, when the person is asked what they learned there."""
    return None if event_date is None else event_date + timedelta(days=1)


@dataclass(frozen=True)
class Decision:
    expense_id: int
    approved: bool
    changed: bool  # False: it had been decided already (a double click)
    employee_user_id: str
    amount: Money
    description: str
    reason: str


def _approvers_expense(session: Session, expense_id: int, by_user_id: str) -> Expense:
    """The expense, if `by_user_id` is its designated approver; raises ExpenseRefusal."""
    expense = session.get(Expense, expense_id)
    approver = (
        None
        if expense is None or expense.approver_id is None
        else session.get(Person, expense.approver_id)
    )
    if expense is None or approver is None or approver.user_id != by_user_id:
        raise ExpenseRefusal(NOT_YOURS)
    return expense


def decide_expense(
    database: Database,
    *,
    expense_id: int,
    by_user_id: str,
    approve: bool,
    reason: str,
    now: datetime,
    hours: WorkingHours,
) -> Decision:
    """The designated approver approves or declines, once; the outbox tells the employee, in
    their working hours. Raises ExpenseRefusal."""
    with database.session() as session:
        expense = _approvers_expense(session, expense_id, by_user_id)
        decided = session.execute(
            update(Expense)
            .where(Expense.id == expense_id, Expense.status == ExpenseStatus.PENDING)
            .values(
                status=ExpenseStatus.APPROVED if approve else ExpenseStatus.DECLINED,
                decided_at=now,
                decline_reason=None if approve else (reason.strip() or None),
                followup_due_on=_followup_day(expense.event_date) if approve else None,
                updated_at=now,
            )
        )
        changed = decided.rowcount == 1  # type: ignore[attr-defined]
        if changed:
            employee = expense.person
            enqueue(
                session,
                team_id=expense.team_id,
                purpose=DECISION,
                subject=f"expense:{expense.id}",
                occurrence="decision",
                target=employee.user_id,
                recipient_id=employee.id,
                payload={"expense_id": expense.id},
                not_before=next_delivery_time(now, employee.tz, hours),
                now=now,
            )
            record_audit(
                session,
                team_id=expense.team_id,
                actor=by_user_id,
                action="expense.approved" if approve else "expense.declined",
                subject=f"expense:{expense.id}",
                now=now,
            )
        session.refresh(expense)
        return _decision(expense, changed)


def _decision(expense: Expense, changed: bool) -> Decision:
    return Decision(
        expense.id,
        expense.status is ExpenseStatus.APPROVED,
        changed,
        expense.person.user_id,
        Money(expense.amount_minor, expense.currency),
        expense.description or "",
        expense.decline_reason or "",
    )


def get_decision(database: Database, expense_id: int) -> Decision | None:
    """What was decided on a request, for the message telling the employee; None when it is
    gone, undecided, or its text forgotten."""
    with database.read() as session:
        expense = session.get(Expense, expense_id)
        if expense is None or expense.description is None:
            return None
        if expense.status not in (ExpenseStatus.APPROVED, ExpenseStatus.DECLINED):
            return None
        return _decision(expense, True)


@dataclass(frozen=True)
class YearRequest:
    amount: Money
    description: str
    status: ExpenseStatus
    asked_on: date


def year_requests(
    database: Database, *, team_id: str, user_id: str, now: datetime, defaults: BudgetDefaults
) -> tuple[BudgetStatus, list[YearRequest]]:
    """This year's budget and the requests against it, newest first."""
    with database.read() as session:
        person = get_person(session, team_id, user_id)
        status, budget = _read_status(session, person, now, defaults)
        if budget is None:
            return status, []
        requests = [
            YearRequest(
                Money(expense.amount_minor, expense.currency),
                expense.description or "",
                expense.status,
                expense.created_at.date(),
            )
            for expense in session.scalars(
                select(Expense)
                .where(Expense.budget_id == budget.id)
                .order_by(Expense.created_at.desc(), Expense.id.desc())
            ).unique()
        ]
        return status, requests


def check_decidable(database: Database, *, expense_id: int, by_user_id: str) -> bool:
    """Whether the expense waits for this approver's decision; raises ExpenseRefusal when
    they are not its approver."""
    with database.read() as session:
        expense = _approvers_expense(session, expense_id, by_user_id)
        return expense.status is ExpenseStatus.PENDING
