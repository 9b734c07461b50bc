"""An agreed tour and its alignment review, as the review tests need them."""

from __future__ import annotations

import json
import time as time_module
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from bot.app import build_delivery_client, outbox_sender
from bot.config import Settings
from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.signed_requests import SignedRequests
from db.engine import Database
from db.locks import Presence
from db.models import AlignmentReview, Outbox, ReviewResponse, Tour
from domain.schedule import WorkingHours
from handlers.ids import (
    ACTION_REVIEW_ALIGNMENT,
    ACTION_REVIEW_PROGRESS,
    ACTION_TOUR_ACCEPT,
)
from scheduler.jobs import deliver_outbox
from services.deps import Deps
from services.reviews import (
    plan_due_reviews,
)
from tests.botprocess import BOT_TOKEN
from tests.helpers import new_user_id, wait_until
from tests.tour_steps import (
    TODAY,
    Pair,
    dm_with_button,
    form,
    open_statement_modal,
    press,
    submit,
)

HOURS = WorkingHours()  # Mon-Fri 09:00-17:00
# A Monday at least a week ahead: the review date the tests put on the tour's cursor.
DUE = TODAY + timedelta(days=7 + (7 - TODAY.weekday()) % 7)
# Planning runs the day before, at noon UTC: the due date has begun in Tokyo, not in New York.
PLAN_AT = datetime.combine(DUE - timedelta(days=1), time(12), tzinfo=UTC)
ON_TRACK = ACTION_REVIEW_PROGRESS["on_track"]
OFF_TRACK = ACTION_REVIEW_PROGRESS["off_track"]
AT_RISK = ACTION_REVIEW_PROGRESS["at_risk"]


@dataclass
class Agreed:
    pair: Pair
    tour_id: int


def agree_tour(
    slack: SignedRequests,
    fake: FakeSlack,
    database: Database,
    *,
    employee_tz: str = "Asia/Tokyo",
    manager_tz: str = "America/New_York",
) -> Agreed:
    """A manager proposes, the employee accepts: an active tour, due for review on DUE."""
    pair = Pair(new_user_id(), new_user_id())
    fake.add_user(pair.manager, name="sam", real_name="Sam Rivera", tz=manager_tz)
    fake.add_user(pair.employee, name="dana", real_name="Dana Okafor", tz=employee_tz)
    modal = open_statement_modal(slack, fake, pair.manager, f"tour new <@{pair.employee}|dana>")
    submit(slack, modal, pair.manager, form(), pair.employee)
    press(
        slack,
        dm_with_button(fake, pair.employee, ACTION_TOUR_ACCEPT),
        ACTION_TOUR_ACCEPT,
        pair.employee,
    )
    wait_until(
        fake,
        "chat.postMessage",
        lambda c: (
            ":handshake:" in c.args.get("text", "")
            and c.args.get("channel") in (pair.employee, pair.manager)
        ),
        2,
    )
    with database.session() as session:
        tour = (
            session.scalars(select(Tour).where(Tour.employee.has(user_id=pair.employee)))
            .unique()
            .one()
        )
        assert tour.status == "active"
        tour.next_review_on = DUE
        return Agreed(pair, tour.id)


def reviews_of(database: Database, tour_id: int) -> list[AlignmentReview]:
    with database.read() as session:
        return list(
            session.scalars(
                select(AlignmentReview)
                .where(AlignmentReview.tour_id == tour_id)
                .order_by(AlignmentReview.occurrence)
            ).unique()
        )


def responses_of(database: Database, review_id: int) -> dict[str, ReviewResponse]:
    with database.read() as session:
        rows = session.scalars(
            select(ReviewResponse).where(ReviewResponse.review_id == review_id)
        ).unique()
        return {row.side: row for row in rows}


def outbox_rows(database: Database, purpose: str, response_ids: list[int]) -> list[Outbox]:
    subjects = [f"review_response:{rid}" for rid in response_ids]
    with database.read() as session:
        return list(
            session.scalars(
                select(Outbox)
                .where(Outbox.purpose == purpose, Outbox.subject.in_(subjects))
                .order_by(Outbox.subject)
            )
        )


ADMIN = "UADMIN0001"
DELIVERY_SECONDS = 4


def deliver(database: Database, fake: FakeSlack, now: datetime) -> None:
    """The bot's delivery job over the few seconds from `now`, sending the due outbox to the
    fake Slack (a person's second message goes a second after the first)."""
    settings = Settings(bot_token=BOT_TOKEN, signing_secret="unused", slack_api_url=fake.url)
    sender = outbox_sender(build_delivery_client(settings), database)
    worker_id = f"test-{new_user_id()}"
    deps = Deps(
        database=database,
        admins=frozenset({ADMIN}),
        clock=lambda: now,
        outbox_sender=sender,
        worker_id=worker_id,
    )
    presence = Presence(database, worker_id)  # a bot beside it leaves these claims alone
    presence.start()
    try:
        for second in range(DELIVERY_SECONDS):
            deliver_outbox(deps, now + timedelta(seconds=second))
    finally:
        presence.stop()


def prompts_delivered(
    slack: SignedRequests, fake: FakeSlack, database: Database
) -> tuple[Agreed, AlignmentReview, Any, Any]:
    """A tour planned for review and both prompts delivered: (tour, review, employee's DM,
    manager's DM)."""
    agreed = agree_tour(slack, fake, database)
    plan_due_reviews(database, now=PLAN_AT, hours=HOURS, limit=1000)
    [review] = reviews_of(database, agreed.tour_id)
    deliver(database, fake, PLAN_AT + timedelta(days=2))
    return (
        agreed,
        review,
        dm_with_button(fake, agreed.pair.employee, ON_TRACK),
        dm_with_button(fake, agreed.pair.manager, ON_TRACK),
    )


def updated(fake: FakeSlack, channel: str, count: int = 1) -> Any:
    """The `count`th redraw of a review prompt in `channel`."""

    def is_prompt(call: Any) -> bool:
        return call.args["channel"] == channel and ON_TRACK in json.dumps(call.json("blocks"))

    return wait_until(fake, "chat.update", is_prompt, count)[-1]


def chosen(blocks: list[dict[str, Any]]) -> set[str]:
    """The action ids of the buttons shown as chosen."""
    return {
        element["action_id"]
        for block in blocks
        if block["type"] == "actions"
        for element in block["elements"]
        if element.get("style") == "primary"
    }


def answer(slack: SignedRequests, prompt: Any, user: str, progress: str, score: int) -> None:
    press(slack, prompt, progress, user)
    press(slack, prompt, ACTION_REVIEW_ALIGNMENT[score], user)


def wait_for_status(database: Database, review_id: int, status: str) -> AlignmentReview:
    for _ in range(100):
        with database.read() as session:
            review = session.get(AlignmentReview, review_id)
            assert review is not None
            if review.status == status:
                return review
        time_module.sleep(0.05)
    raise AssertionError(f"review {review_id} never became {status}")
