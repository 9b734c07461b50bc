"""After an approved expense's event, the scheduler asks what the person learned there; the
button opens the learning form naming the event, and the learning is linked to the expense."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.signed_requests import SignedRequests
from db.engine import Database
from db.models import Expense, Learning, Outbox
from domain.reviews import start_of_local_day
from handlers.ids import (
    ACTION_EXPENSE_APPROVE,
    ACTION_EXPENSE_DECLINE,
    ACTION_EXPENSE_FOLLOWUP,
    ACTION_LEARNING_CONFIRM,
    BLOCK_EXPENSE_REASON,
    BLOCK_LEARNING_SOURCE,
    BLOCK_LEARNING_TEXT,
    VIEW_LEARNING,
)
from scheduler.jobs import expense_followups
from services.away import current_away
from services.deps import Deps
from services.expense_followups import FOLLOWUP
from tests import clock
from tests.helpers import answer_with, block_texts, eventually, new_user_id, wait_for_call
from tests.review_steps import agree_tour, deliver
from tests.test_expenses import (
    ask_with_trigger,
    decision_told,
    expenses_of,
    form_values,
    told,
)
from tests.test_learnings import posts
from tests.tour_steps import dm_with_button, press

TOKYO = "Asia/Tokyo"  # where agree_tour puts the employee


def request_with_date(
    slack: SignedRequests, fake: FakeSlack, database: Database, user: str, amount: str, event: date
) -> Expense:
    """`/alliance expense new`, filled in with the event's date; returns the stored request."""
    trigger = f"trigger-{new_user_id()}"
    ask_with_trigger(slack, user, "new", trigger)
    modal = wait_for_call(fake, "views.open", trigger_id=trigger).json("view")
    what = f"DevOpsDays Tokyo {new_user_id()}"
    filled = {**modal, "state": {"values": form_values(amount, what, event)}}
    assert slack.view_submission(filled, user_id=user).content == b""
    told(fake, user, what)
    [stored] = expenses_of(database, what)
    return stored


def plan_at(database: Database, now: datetime) -> None:
    """One pass of the scheduler's follow-up job at `now`."""
    expense_followups(Deps(database=database, clock=lambda: now), now)


def planned(database: Database, expense_id: int) -> list[Outbox]:
    with database.read() as session:
        return list(
            session.scalars(
                select(Outbox).where(
                    Outbox.purpose == FOLLOWUP, Outbox.subject == f"expense:{expense_id}"
                )
            )
        )


def event_day() -> date:
    return clock.now().date() + timedelta(days=10)


def test_after_the_event_they_are_asked_once_and_share_what_they_learned(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    employee = agree_tour(slack, fake_slack, bot_database).pair.employee
    event = event_day()
    expense = request_with_date(slack, fake_slack, bot_database, employee, "120", event)

    day_after = event + timedelta(days=1)
    # Before the day after has begun anywhere on Earth, nothing is due.
    plan_at(
        bot_database, start_of_local_day(day_after, "Pacific/Kiritimati") - timedelta(minutes=1)
    )
    assert planned(bot_database, expense.id) == []
    plan_at(bot_database, start_of_local_day(day_after, TOKYO) - timedelta(minutes=1))
    plan_at(bot_database, start_of_local_day(day_after, TOKYO) + timedelta(hours=2))  # no second
    [message] = planned(bot_database, expense.id)
    assert message.target == employee
    local = message.next_attempt_at.astimezone(ZoneInfo(TOKYO))  # in their working hours
    assert local.date() >= day_after and time(9) <= local.time() < time(17) and local.weekday() < 5

    deliver(bot_database, fake_slack, message.next_attempt_at)
    question = dm_with_button(fake_slack, employee, ACTION_EXPENSE_FOLLOWUP)
    assert f"How was *{expense.description}* on {event:%-d %b}?" in block_texts(
        question.json("blocks")
    )

    stranger = new_user_id()
    fake_slack.add_user(stranger, name="nosy")
    press(slack, question, ACTION_EXPENSE_FOLLOWUP, stranger)
    answer_with(fake_slack, "isn't something you can do")

    trigger = f"trigger-{new_user_id()}"
    press(slack, question, ACTION_EXPENSE_FOLLOWUP, employee, trigger_id=trigger)
    modal = wait_for_call(fake_slack, "views.open", trigger_id=trigger).json("view")
    assert modal["callback_id"] == VIEW_LEARNING
    assert modal["private_metadata"] == str(expense.id)
    source = next(b for b in modal["blocks"] if b["block_id"] == BLOCK_LEARNING_SOURCE)
    assert source["element"]["initial_value"] == expense.description

    text = f"Platform teams need product managers ({new_user_id()})"
    typed = {"type": "plain_text_input"}
    values = {
        BLOCK_LEARNING_TEXT: {BLOCK_LEARNING_TEXT: {**typed, "value": text}},
        BLOCK_LEARNING_SOURCE: {BLOCK_LEARNING_SOURCE: {**typed, "value": expense.description}},
    }
    submitted = slack.view_submission({**modal, "state": {"values": values}}, user_id=employee)
    assert submitted.content == b""
    press(
        slack,
        dm_with_button(fake_slack, employee, ACTION_LEARNING_CONFIRM),
        ACTION_LEARNING_CONFIRM,
        employee,
    )
    [post] = posts(fake_slack, text)
    assert f"From {expense.description}" in block_texts(post.json("blocks"))
    with bot_database.read() as session:
        [learning] = session.scalars(select(Learning).where(Learning.text == text))
        assert learning.expense_id == expense.id


def test_a_learning_cannot_be_linked_to_someone_elses_expense(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    employee = agree_tour(slack, fake_slack, bot_database).pair.employee
    expense = request_with_date(slack, fake_slack, bot_database, employee, "80", event_day())
    other = new_user_id()
    fake_slack.add_user(other, name="other")
    trigger = f"trigger-{new_user_id()}"
    slack.slash_command("learned", user_id=other, trigger_id=trigger)
    modal = wait_for_call(fake_slack, "views.open", trigger_id=trigger).json("view")
    forged = {
        **modal,
        "private_metadata": str(expense.id),
        "state": {
            "values": {
                BLOCK_LEARNING_TEXT: {
                    BLOCK_LEARNING_TEXT: {"type": "plain_text_input", "value": "Borrowed"}
                }
            }
        },
    }
    refused = slack.view_submission(forged, user_id=other).json()
    assert "isn't something you can do" in refused["errors"][BLOCK_LEARNING_TEXT]


def test_a_manager_approved_expense_is_followed_up_and_a_declined_one_is_not(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    pair = agree_tour(slack, fake_slack, bot_database).pair
    event = event_day()
    approved = request_with_date(slack, fake_slack, bot_database, pair.employee, "400", event)
    declined = request_with_date(slack, fake_slack, bot_database, pair.employee, "300", event)
    press(
        slack,
        dm_with_button(fake_slack, pair.manager, ACTION_EXPENSE_APPROVE, 1),
        ACTION_EXPENSE_APPROVE,
        pair.manager,
    )
    second = dm_with_button(fake_slack, pair.manager, ACTION_EXPENSE_DECLINE, 2)
    trigger = f"trigger-{new_user_id()}"
    press(slack, second, ACTION_EXPENSE_DECLINE, pair.manager, trigger_id=trigger)
    modal = wait_for_call(fake_slack, "views.open", trigger_id=trigger).json("view")
    reason = {"type": "plain_text_input", "value": "One trip a quarter"}
    values = {BLOCK_EXPENSE_REASON: {BLOCK_EXPENSE_REASON: reason}}
    slack.view_submission({**modal, "state": {"values": values}}, user_id=pair.manager)
    decision_told(bot_database, fake_slack, pair.employee, "Your manager declined 300.00 EUR")

    plan_at(bot_database, start_of_local_day(event + timedelta(days=2), TOKYO))
    assert len(planned(bot_database, approved.id)) == 1
    assert planned(bot_database, declined.id) == []


def test_someone_away_on_the_day_after_is_asked_when_back(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    employee = agree_tour(slack, fake_slack, bot_database).pair.employee
    event = event_day()
    expense = request_with_date(slack, fake_slack, bot_database, employee, "60", event)
    back = event + timedelta(days=6)
    last_day_away = back - timedelta(days=1)
    reply = slack.slash_command(f"away until {last_day_away:%Y-%m-%d}", user_id=employee)
    assert "marked away until" in reply.json()["text"]
    now = clock.now()
    assert eventually(
        lambda: current_away(bot_database, team_id="T0001", user_id=employee, now=now)
    )

    plan_at(bot_database, start_of_local_day(event + timedelta(days=1), TOKYO))
    [message] = planned(bot_database, expense.id)
    assert message.next_attempt_at >= start_of_local_day(back, TOKYO)
