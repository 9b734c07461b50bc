"""Reminders, snooze, escalation and the closing of alignment reviews, with the clock in the
test's hands: planned from the database, delivered through the outbox to the fake Slack."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.signed_requests import SignedRequests
from db.engine import Database
from db.models import AlignmentReview, Outbox
from domain.reviews import Progress
from domain.schedule import ESCALATE_AFTER, REMINDER_AFTER, SnoozeChoice
from services.review_nudges import (
    ADMIN_DIGEST,
    ESCALATION,
    REMINDER,
    close_past_reviews,
    plan_due_nudges,
)
from services.reviews import record_answer, snooze
from tests.helpers import block_texts, new_user_id, wait_until
from tests.review_steps import (
    HOURS,
    deliver,
    outbox_rows,
    prompts_delivered,
    responses_of,
)

MINUTE = timedelta(minutes=1)


def nudge(database: Database, now: datetime, admins: frozenset[str] = frozenset()) -> None:
    """One planning pass of reminders and escalations at `now`."""
    plan_due_nudges(database, now=now, hours=HOURS, admins=admins, limit=1000)


def nudged(database: Database, response_id: int) -> tuple[int, int]:
    """How many reminders and escalations have been planned for one response."""
    return (
        len(outbox_rows(database, REMINDER, [response_id])),
        len(outbox_rows(database, ESCALATION, [response_id])),
    )


def texts_sent_to(fake: FakeSlack, channel: str, phrase: str) -> str:
    """The blocks of the first message to `channel` whose notification text has `phrase`."""
    [call] = wait_until(
        fake,
        "chat.postMessage",
        lambda c: c.args.get("channel") == channel and phrase in c.args.get("text", ""),
    )
    return block_texts(call.json("blocks"))


def test_a_reminder_follows_three_days_of_silence_once(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    agreed, review, _, _ = prompts_delivered(slack, fake_slack, bot_database)
    employee = responses_of(bot_database, review.id)["employee"]
    assert employee.prompted_at is not None
    reminder_due = employee.prompted_at + REMINDER_AFTER

    manager = responses_of(bot_database, review.id)["manager"]
    nudge(bot_database, reminder_due - MINUTE)
    assert nudged(bot_database, employee.id) == (0, 0)
    # Tokyo's reminder is due; New York's, thirteen hours later, is not yet.
    nudge(bot_database, reminder_due)
    nudge(bot_database, reminder_due)
    assert nudged(bot_database, employee.id) == (1, 0)
    assert nudged(bot_database, manager.id) == (0, 0)
    [row] = outbox_rows(bot_database, REMINDER, [employee.id])
    assert row.target == agreed.pair.employee

    deliver(bot_database, fake_slack, reminder_due + timedelta(hours=1))
    shown = texts_sent_to(fake_slack, agreed.pair.employee, "A gentle reminder")
    assert "How is your mission going?" in shown and "(Asia/Tokyo)" in shown
    nudge(bot_database, reminder_due + timedelta(days=2))
    assert nudged(bot_database, manager.id) == (1, 0)


def test_whoever_has_answered_hears_nothing_more(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    agreed, review, _, _ = prompts_delivered(slack, fake_slack, bot_database)
    responses = responses_of(bot_database, review.id)
    employee = responses["employee"]
    assert employee.prompted_at is not None
    record_answer(
        bot_database,
        response_id=employee.id,
        by_user_id=agreed.pair.employee,
        now=employee.prompted_at + timedelta(hours=2),
        hours=HOURS,
        progress=Progress.ON_TRACK,
        alignment=4,
    )
    week_later = employee.prompted_at + ESCALATE_AFTER + timedelta(days=1)
    nudge(bot_database, week_later - timedelta(days=3))
    nudge(bot_database, week_later)
    assert outbox_rows(bot_database, REMINDER, [employee.id]) == []
    assert outbox_rows(bot_database, ESCALATION, [employee.id]) == []
    assert len(outbox_rows(bot_database, REMINDER, [responses["manager"].id])) == 1


def test_a_late_answer_after_the_reminder_still_counts(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    agreed, review, _, _ = prompts_delivered(slack, fake_slack, bot_database)
    employee = responses_of(bot_database, review.id)["employee"]
    assert employee.prompted_at is not None
    reminded = employee.prompted_at + REMINDER_AFTER
    nudge(bot_database, reminded)
    record_answer(
        bot_database,
        response_id=employee.id,
        by_user_id=agreed.pair.employee,
        now=reminded + timedelta(days=2),
        hours=HOURS,
        progress=Progress.AT_RISK,
        alignment=3,
    )
    late = responses_of(bot_database, review.id)["employee"]
    assert late.answered_at == reminded + timedelta(days=2) and late.next_nudge_at is None
    nudge(bot_database, employee.prompted_at + ESCALATE_AFTER)
    assert nudged(bot_database, employee.id) == (1, 0)


def test_an_ignored_employee_review_is_mentioned_to_the_manager(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    agreed, review, _, _ = prompts_delivered(slack, fake_slack, bot_database)
    employee = responses_of(bot_database, review.id)["employee"]
    assert employee.prompted_at is not None
    nudge(bot_database, employee.prompted_at + REMINDER_AFTER)
    escalate_at = employee.prompted_at + ESCALATE_AFTER
    nudge(bot_database, escalate_at - MINUTE)
    assert nudged(bot_database, employee.id) == (1, 0)
    nudge(bot_database, escalate_at)
    assert nudged(bot_database, employee.id) == (1, 1)
    after = responses_of(bot_database, review.id)["employee"]
    assert after.escalated_at == escalate_at and after.next_nudge_at is None

    deliver(bot_database, fake_slack, escalate_at + timedelta(days=1))
    shown = texts_sent_to(fake_slack, agreed.pair.manager, "hasn't answered")
    assert "Dana Okafor" in shown and "after a prompt and a reminder" in shown


def test_ignored_manager_reviews_go_to_one_daily_admin_digest(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    admin = new_user_id()
    fake_slack.add_user(admin, name="hr", real_name="Harper Reyes")
    first = prompts_delivered(slack, fake_slack, bot_database)
    second = prompts_delivered(slack, fake_slack, bot_database)
    managers = [responses_of(bot_database, r.id)["manager"] for _, r, _, _ in (first, second)]
    prompted = max(m.prompted_at for m in managers if m.prompted_at is not None)
    nudge(bot_database, prompted + REMINDER_AFTER, frozenset({admin}))
    escalate_at = prompted + ESCALATE_AFTER
    nudge(bot_database, escalate_at, frozenset({admin}))
    assert all(responses_of(bot_database, m.review_id)["manager"].escalated_at for m in managers)
    with bot_database.read() as session:
        digests = list(
            session.scalars(
                select(Outbox).where(Outbox.purpose == ADMIN_DIGEST, Outbox.target == admin)
            )
        )
    assert len(digests) == 1  # however many were escalated that day

    deliver(bot_database, fake_slack, escalate_at + timedelta(days=1))
    shown = texts_sent_to(fake_slack, admin, "waiting on a manager")
    assert "Alignment reviews waiting on managers" in shown
    assert shown.count("*Sam Rivera* on *Dana Okafor*'s tour") >= 2


def test_snooze_puts_the_reminder_and_the_escalation_off(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    agreed, review, _, _ = prompts_delivered(slack, fake_slack, bot_database)
    employee = responses_of(bot_database, review.id)["employee"]
    assert employee.prompted_at is not None
    snoozed_at = employee.prompted_at + timedelta(days=1)
    next_due = snooze(
        bot_database,
        response_id=employee.id,
        by_user_id=agreed.pair.employee,
        choice=SnoozeChoice.WEEK,
        now=snoozed_at,
    )
    assert next_due == snoozed_at + timedelta(weeks=1) + REMINDER_AFTER
    nudge(bot_database, employee.prompted_at + ESCALATE_AFTER)
    nudge(bot_database, next_due - MINUTE)
    assert nudged(bot_database, employee.id) == (0, 0)
    nudge(bot_database, next_due)
    assert nudged(bot_database, employee.id) == (1, 0)
    # Escalation keeps its distance from the reminder the snooze put off.
    escalation_due = next_due + ESCALATE_AFTER - REMINDER_AFTER
    nudge(bot_database, escalation_due - MINUTE)
    assert nudged(bot_database, employee.id) == (1, 0)
    nudge(bot_database, escalation_due)
    assert nudged(bot_database, employee.id) == (1, 1)


def test_a_review_closes_once_its_last_day_has_ended_everywhere(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    _, review, _, _ = prompts_delivered(slack, fake_slack, bot_database)
    # At noon UTC the day after, it is still the closing day at UTC-12 (Baker Island).
    day_after = review.closes_on + timedelta(days=1)
    last_moment = datetime.combine(day_after, time(11, 59), tzinfo=UTC)
    close_past_reviews(bot_database, now=last_moment)
    with bot_database.read() as session:
        stored = session.get(AlignmentReview, review.id)
        assert stored is not None and stored.status == "open"
    assert close_past_reviews(bot_database, now=last_moment + MINUTE) >= 1
    with bot_database.read() as session:
        stored = session.get(AlignmentReview, review.id)
        assert stored is not None
        assert (stored.status, stored.closed_at) == ("closed", last_moment + MINUTE)
    responses = responses_of(bot_database, review.id).values()
    assert all(response.next_nudge_at is None for response in responses)
    nudge(bot_database, last_moment + timedelta(days=30))
    assert all(nudged(bot_database, response.id) == (0, 0) for response in responses)
