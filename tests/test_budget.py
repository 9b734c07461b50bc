"""The networking budget's rules, on the store: self-approval within the limit and the budget,
the manager's decision otherwise (once, and only theirs), and a new budget each year."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.signed_requests import SignedRequests
from db.engine import Database
from domain.money import Money
from services.budget import (
    BudgetDefaults,
    Decision,
    ExpenseRefusal,
    Requested,
    budget_status,
    decide_expense,
    request_expense,
)
from tests.review_steps import HOURS, agree_tour

DEFAULTS = BudgetDefaults(amount_minor=100000, limit_minor=25000, currency="EUR")  # 1,000 / 250
NOW = datetime(2031, 6, 1, 12, tzinfo=UTC)


def euros(amount: int) -> Money:
    return Money(amount * 100, "EUR")


def ask(database: Database, user: str, amount: Money, now: datetime = NOW) -> Requested:
    return request_expense(
        database,
        team_id="T0001",
        user_id=user,
        amount=amount,
        description="DevOpsDays ticket",
        event_date=date(2031, 6, 20),
        now=now,
        defaults=DEFAULTS,
    )


def test_within_the_limit_and_the_budget_it_is_approved_at_once(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    employee = agree_tour(slack, fake_slack, bot_database).pair.employee
    first = ask(bot_database, employee, euros(200))
    assert (first.status, first.approver_user_id, str(first.remaining)) == (
        "approved_auto",
        None,
        "800.00 EUR",
    )
    status = budget_status(
        bot_database, team_id="T0001", user_id=employee, now=NOW, defaults=DEFAULTS
    )
    assert (str(status.committed), str(status.remaining)) == ("200.00 EUR", "800.00 EUR")


def test_above_the_limit_or_beyond_the_budget_the_manager_decides_once(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    agreed = agree_tour(slack, fake_slack, bot_database)
    employee, manager = agreed.pair.employee, agreed.pair.manager
    big = ask(bot_database, employee, euros(300))
    assert (big.status, big.approver_user_id) == ("pending", manager)

    def decide(by: str, approve: bool) -> Decision:
        return decide_expense(
            bot_database,
            expense_id=big.expense_id,
            by_user_id=by,
            approve=approve,
            reason="" if approve else "no",
            now=NOW,
            hours=HOURS,
        )

    with pytest.raises(ExpenseRefusal):
        decide(employee, approve=True)
    first = decide(manager, approve=True)
    again = decide(manager, approve=False)
    assert (first.changed, again.changed) == (True, False)  # a double click counts once
    assert ask(bot_database, employee, euros(250)).status == "approved_auto"  # 550 committed
    assert ask(bot_database, employee, euros(250)).status == "approved_auto"  # 800 committed
    beyond = ask(bot_database, employee, euros(250))  # within the limit, beyond the 200 left
    assert (beyond.status, beyond.approver_user_id) == ("pending", manager)


def test_a_new_year_brings_a_new_budget_and_another_currency_is_refused(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    employee = agree_tour(slack, fake_slack, bot_database).pair.employee
    ask(bot_database, employee, euros(250))
    ask(bot_database, employee, euros(250))
    new_year = datetime(2032, 1, 2, 12, tzinfo=UTC)
    status = budget_status(
        bot_database, team_id="T0001", user_id=employee, now=new_year, defaults=DEFAULTS
    )
    assert (status.year, str(status.remaining)) == (2032, "1,000.00 EUR")
    with pytest.raises(ExpenseRefusal) as refused:
        ask(bot_database, employee, Money(10000, "USD"), now=new_year)
    assert "budget is in EUR" in refused.value.message
