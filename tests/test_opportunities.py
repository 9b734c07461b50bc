"""Opportunities for the alumni, end to end: the form, the post in the alumni channel at a good
time, "I'm interested" (recorded once, the poster told), and the close with its summary."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

import requests
from sqlalchemy import func, select

from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.signed_requests import SignedRequests
from db.engine import Database
from db.models import Opportunity, OpportunityInterest, Outbox
from handlers.ids import (
    ACTION_OPPORTUNITY_INTERESTED,
    BLOCK_OPPORTUNITY_CLOSES,
    BLOCK_OPPORTUNITY_CONTACT,
    BLOCK_OPPORTUNITY_DESCRIPTION,
    BLOCK_OPPORTUNITY_KIND,
    BLOCK_OPPORTUNITY_LINK,
    BLOCK_OPPORTUNITY_TITLE,
)
from services.opportunities import INTEREST, POST, close_due, plan_posts
from tests.alumni_steps import alum
from tests.botprocess import ALUMNI_CHANNEL
from tests.helpers import (
    answer_with,
    block_texts,
    eventually,
    new_user_id,
    wait_for_call,
    wait_until,
)
from tests.review_steps import HOURS, deliver
from tests.tour_steps import TODAY, button, press

# A Monday at 10:00 UTC, a week or more ahead: inside the alumni channel's working hours.
MONDAY = TODAY + timedelta(days=7 + (7 - TODAY.weekday()) % 7)
POSTING = datetime.combine(MONDAY, time(10), tzinfo=UTC)
CLOSES = MONDAY + timedelta(days=14)


def opportunity_modal(slack: SignedRequests, fake: FakeSlack, user: str) -> dict[str, Any]:
    trigger = f"trigger-{new_user_id()}"
    response = slack.slash_command("opportunity", user_id=user, trigger_id=trigger)
    assert response.status_code == 200 and not response.content
    return dict(wait_for_call(fake, "views.open", trigger_id=trigger).json("view"))


def submit(
    slack: SignedRequests, modal: dict[str, Any], user: str, **fields: Any
) -> requests.Response:
    return slack.view_submission(filled(modal, **fields), user_id=user)


def filled(
    modal: dict[str, Any],
    *,
    title: str,
    kind: str = "consulting",
    link: str = "https://example.com/project",
    closes_on: date | None = CLOSES,
) -> dict[str, Any]:
    """The form as submitted with these answers."""

    def typed(value: str) -> dict[str, Any]:
        return {"type": "plain_text_input", "value": value or None}

    values = {
        BLOCK_OPPORTUNITY_KIND: {
            BLOCK_OPPORTUNITY_KIND: {
                "type": "static_select",
                "selected_option": {"text": {"type": "plain_text", "text": kind}, "value": kind},
            }
        },
        BLOCK_OPPORTUNITY_TITLE: {BLOCK_OPPORTUNITY_TITLE: typed(title)},
        BLOCK_OPPORTUNITY_DESCRIPTION: {
            BLOCK_OPPORTUNITY_DESCRIPTION: typed("Three months to rebuild our billing pipeline.")
        },
        BLOCK_OPPORTUNITY_LINK: {BLOCK_OPPORTUNITY_LINK: typed(link)},
        BLOCK_OPPORTUNITY_CONTACT: {BLOCK_OPPORTUNITY_CONTACT: typed("billing@example.com")},
        BLOCK_OPPORTUNITY_CLOSES: {
            BLOCK_OPPORTUNITY_CLOSES: {
                "type": "datepicker",
                "selected_date": closes_on.isoformat() if closes_on else None,
            }
        },
    }
    return {**modal, "state": {"values": values}}


def stored(database: Database, title: str) -> Opportunity | None:
    with database.read() as session:
        return session.scalars(select(Opportunity).where(Opportunity.title == title)).one_or_none()


def posted(slack: SignedRequests, fake: FakeSlack, database: Database) -> tuple[str, str, Any]:
    """An employee's opportunity, posted in the alumni channel: (poster, title, the post)."""
    poster = new_user_id()
    fake.add_user(poster, name="pat", real_name="Pat Lee", tz="Europe/London")
    title = f"Billing rebuild {new_user_id()}"
    assert submit(slack, opportunity_modal(slack, fake, poster), poster, title=title).content == b""
    assert eventually(lambda: stored(database, title))
    plan_posts(database, channel=ALUMNI_CHANNEL, now=POSTING, hours=HOURS)
    deliver(database, fake, POSTING + timedelta(minutes=1))
    [post] = wait_until(
        fake,
        "chat.postMessage",
        lambda c: c.args.get("channel") == ALUMNI_CHANNEL and title in c.args.get("text", ""),
    )
    return poster, title, post


def test_the_form_explains_what_is_wrong(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    poster = new_user_id()
    fake_slack.add_user(poster, name="pat")
    modal = opportunity_modal(slack, fake_slack, poster)
    refused = submit(
        slack, modal, poster, title="", link="example.com", closes_on=TODAY - timedelta(days=1)
    )
    assert refused.json()["errors"] == {
        BLOCK_OPPORTUNITY_TITLE: "Give it a title.",
        BLOCK_OPPORTUNITY_LINK: "A link starts with https:// (or http://).",
        BLOCK_OPPORTUNITY_CLOSES: "It can't close in the past.",
    }


def test_a_replayed_submission_of_the_form_is_refused_and_saves_once(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    poster = new_user_id()
    fake_slack.add_user(poster, name="pat")
    title = f"Replayed {poster}"
    form = filled(opportunity_modal(slack, fake_slack, poster), title=title)
    body = urlencode({"payload": json.dumps(slack.view_submission_payload(form, user_id=poster))})
    headers = {**slack.signed_headers(body), "Content-Type": "application/x-www-form-urlencoded"}
    statuses = [
        requests.post(slack.url, data=body, headers=headers, timeout=10).status_code
        for _ in range(2)
    ]
    assert statuses == [200, 401]
    with bot_database.read() as session:
        saved = select(func.count()).where(Opportunity.title == title)
        assert session.scalar(saved) == 1


def test_an_opportunity_is_posted_to_the_alumni_in_working_hours(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    _, title, post = posted(slack, fake_slack, bot_database)
    shown = block_texts(post.json("blocks"))
    assert f"*Consulting project*: {title}" in shown
    assert "Three months to rebuild our billing pipeline." in shown
    assert "Posted by Pat Lee" in shown and "<https://example.com/project|Details>" in shown
    button(post, ACTION_OPPORTUNITY_INTERESTED)
    opportunity = stored(bot_database, title)
    assert opportunity is not None and opportunity.status == "posted"
    assert opportunity.posted_at == POSTING


def test_interest_is_recorded_once_and_the_poster_told(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    poster, title, post = posted(slack, fake_slack, bot_database)
    interested = alum(slack, fake_slack, bot_database).pair.employee
    press(slack, post, ACTION_OPPORTUNITY_INTERESTED, interested)
    answer_with(fake_slack, "I've told the person who posted it")
    press(slack, post, ACTION_OPPORTUNITY_INTERESTED, interested)
    answer_with(fake_slack, "You're already on their list")
    press(slack, post, ACTION_OPPORTUNITY_INTERESTED, new_user_id())  # unknown to Slack
    answer_with(fake_slack, "Slack wouldn't tell me who you are")
    opportunity = stored(bot_database, title)
    assert opportunity is not None
    with bot_database.read() as session:
        interests = session.scalar(
            select(func.count())
            .select_from(OpportunityInterest)
            .where(OpportunityInterest.opportunity_id == opportunity.id)
        )
        notices = session.scalar(
            select(func.count())
            .select_from(Outbox)
            .where(Outbox.purpose == INTEREST, Outbox.target == poster)
        )
    assert (interests, notices) == (1, 1)
    deliver(bot_database, fake_slack, POSTING + timedelta(hours=1))
    [note] = wait_until(
        fake_slack,
        "chat.postMessage",
        lambda c: c.args.get("channel") == poster and "is interested" in c.args.get("text", ""),
    )
    assert (
        f"<@{interested}> is interested in your consulting project “{title}”" in (note.args["text"])
    )


def test_when_it_closes_the_post_says_so_and_the_poster_gets_a_summary(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    poster, title, post = posted(slack, fake_slack, bot_database)
    interested = alum(slack, fake_slack, bot_database).pair.employee
    press(slack, post, ACTION_OPPORTUNITY_INTERESTED, interested)
    answer_with(fake_slack, "I've told the person who posted it")

    closing = datetime.combine(CLOSES + timedelta(days=1), time(12), tzinfo=UTC)
    close_due(bot_database, now=closing - timedelta(minutes=1), hours=HOURS)
    assert stored(bot_database, title).status == "posted"  # type: ignore[union-attr]
    close_due(bot_database, now=closing, hours=HOURS)
    assert stored(bot_database, title).status == "closed"  # type: ignore[union-attr]
    deliver(bot_database, fake_slack, closing + timedelta(days=1))

    [update] = wait_until(
        fake_slack,
        "chat.update",
        lambda c: c.args.get("channel") == ALUMNI_CHANNEL and title in c.args.get("text", ""),
    )
    opportunity = stored(bot_database, title)
    assert opportunity is not None
    with bot_database.read() as session:
        post_ts = session.scalar(
            select(Outbox.slack_ts).where(
                Outbox.purpose == POST, Outbox.subject == f"opportunity:{opportunity.id}"
            )
        )
    assert post_ts is not None and update.args["ts"] == post_ts  # the same post, rewritten
    closed_blocks = block_texts(update.json("blocks"))
    assert "closed" in closed_blocks
    assert "I'm interested" not in closed_blocks
    [summary] = wait_until(
        fake_slack,
        "chat.postMessage",
        lambda c: c.args.get("channel") == poster and "has closed" in c.args.get("text", ""),
    )
    assert f"1 person was interested: <@{interested}>" in summary.args["text"]

    press(slack, post, ACTION_OPPORTUNITY_INTERESTED, new_user_id())
    answer_with(fake_slack, "This opportunity has closed")


def test_alumni_answer_opportunities_rather_than_post_them(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    former = alum(slack, fake_slack, bot_database).pair.employee
    reply = slack.slash_command("opportunity", user_id=former).json()
    assert "As an alum, you have the alumni network" in reply["text"]
