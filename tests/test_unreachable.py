"""Someone Slack can no longer reach: their tours are flagged once, and someone who can act
hears of it."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.signed_requests import SignedRequests
from db.engine import Database
from db.models import Outbox, Tour
from services.reviews import plan_due_reviews
from services.unreachable import UNREACHABLE
from tests.helpers import block_texts, wait_until
from tests.review_steps import ADMIN, HOURS, PLAN_AT, agree_tour, deliver


def notes(database: Database, tour_id: int) -> list[Outbox]:
    with database.read() as session:
        return list(
            session.scalars(
                select(Outbox).where(
                    Outbox.purpose == UNREACHABLE, Outbox.subject.like(f"tour:{tour_id}:%")
                )
            )
        )


def flagged_at(database: Database, tour_id: int) -> object:
    with database.read() as session:
        tour = session.get(Tour, tour_id)
        assert tour is not None
        return tour.inactive_flagged_at


def note_to(fake: FakeSlack, user: str) -> str:
    [call] = wait_until(
        fake,
        "chat.postMessage",
        lambda c: c.args.get("channel") == user and "can't reach" in c.args.get("text", ""),
    )
    return block_texts(call.json("blocks"))


def test_an_employee_gone_from_slack_is_flagged_to_their_manager_once(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    agreed = agree_tour(slack, fake_slack, bot_database)
    plan_due_reviews(bot_database, now=PLAN_AT, hours=HOURS, limit=1000)
    fake_slack.fail_next("chat.postMessage", "account_inactive", channel=agreed.pair.employee)
    sent_at = PLAN_AT + timedelta(days=2)
    deliver(bot_database, fake_slack, sent_at)
    assert flagged_at(bot_database, agreed.tour_id) == sent_at
    [note] = notes(bot_database, agreed.tour_id)
    assert note.target == agreed.pair.manager

    deliver(bot_database, fake_slack, sent_at + timedelta(days=1))
    shown = note_to(fake_slack, agreed.pair.manager)
    assert "I can't reach *Dana Okafor* on Slack" in shown and "have stopped" in shown
    # Another failure later flags nothing new.
    fake_slack.fail_next("chat.postMessage", "account_inactive", channel=agreed.pair.employee)
    deliver(bot_database, fake_slack, sent_at + timedelta(days=2))
    assert len(notes(bot_database, agreed.tour_id)) == 1


def test_a_manager_gone_from_slack_is_flagged_to_the_admins(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    agreed = agree_tour(slack, fake_slack, bot_database)
    plan_due_reviews(bot_database, now=PLAN_AT, hours=HOURS, limit=1000)
    fake_slack.fail_next("chat.postMessage", "user_not_found", channel=agreed.pair.manager)
    sent_at = PLAN_AT + timedelta(days=2)
    deliver(bot_database, fake_slack, sent_at)
    [note] = notes(bot_database, agreed.tour_id)
    assert note.target == ADMIN
    deliver(bot_database, fake_slack, sent_at + timedelta(days=1))
    shown = note_to(fake_slack, ADMIN)
    assert "I can't reach *Sam Rivera*" in shown and "*Dana Okafor*'s tour of duty" in shown
