"""Sharing what you learned from your network: the guideline confirmed once, the post in the
learning channel, the form, and the learnings on the Home tab and in reviews."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.signed_requests import SignedRequests
from db.engine import Database
from db.models import Learning
from handlers.ids import (
    ACTION_LEARNING_CONFIRM,
    BLOCK_LEARNING_LINK,
    BLOCK_LEARNING_SOURCE,
    BLOCK_LEARNING_TEXT,
)
from services.learnings import DEFAULT_GUIDELINE, acknowledge, has_acknowledged
from services.reviews import start_checkin
from tests import clock
from tests.botprocess import LEARNING_CHANNEL
from tests.helpers import (
    EphemeralMessage,
    answer_with,
    block_texts,
    eventually,
    new_user_id,
    stored_person_when,
    wait_for_call,
    wait_until,
)
from tests.review_steps import ON_TRACK, agree_tour, deliver
from tests.test_home import open_home
from tests.tour_steps import dm_with_button, press


def person(fake: FakeSlack) -> str:
    user = new_user_id()
    fake.add_user(user, name="pat", real_name="Pat Lee")
    return user


def posts(fake: FakeSlack, words: str) -> list[Any]:
    return wait_until(
        fake,
        "chat.postMessage",
        lambda c: c.args.get("channel") == LEARNING_CHANNEL and words in json.dumps(c.args),
    )


def learnings_of(database: Database, text: str) -> list[Learning]:
    with database.read() as session:
        return list(session.scalars(select(Learning).where(Learning.text == text)))


def confirm_first(slack: SignedRequests, fake: FakeSlack, user: str, text: str) -> None:
    """A person's first learning: the guideline, then the confirmation that shares it."""
    slack.slash_command(f"learned {text}", user_id=user)
    guideline = answer_with(fake, "Before your first learning goes out")
    assert DEFAULT_GUIDELINE in block_texts(guideline.json("blocks"))

    shown = EphemeralMessage.of(guideline.args["text"], guideline.json("blocks"), user)
    press(slack, shown, ACTION_LEARNING_CONFIRM, user)
    answer_with(fake, "Thank you. Shared in")


def test_the_guideline_comes_before_the_first_post_only(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    user = person(fake_slack)
    first = f"Blameless postmortems beat blame ({new_user_id()})"
    confirm_first(slack, fake_slack, user, first)
    [post] = posts(fake_slack, first)
    assert f"*Pat Lee* learned: {first}" in block_texts(post.json("blocks"))
    [stored] = learnings_of(bot_database, first)
    assert stored.posted_at is not None and stored.slack_channel == LEARNING_CHANNEL

    second = f"Feature flags need owners ({new_user_id()})"
    slack.slash_command(f"learned {second}", user_id=user)
    answer_with(fake_slack, "Shared in")
    posts(fake_slack, second)


def test_the_guideline_can_be_read_again_and_a_new_text_asks_again(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    user = person(fake_slack)
    reply = slack.slash_command("learned guideline", user_id=user).json()["text"]
    assert DEFAULT_GUIDELINE in reply
    assert stored_person_when(bot_database, user) is not None  # met by the command
    acknowledge(
        bot_database,
        team_id="T0001",
        user_id=user,
        guideline=DEFAULT_GUIDELINE,
        now=clock.now(),
    )
    assert has_acknowledged(
        bot_database, team_id="T0001", user_id=user, guideline=DEFAULT_GUIDELINE
    )
    assert not has_acknowledged(
        bot_database, team_id="T0001", user_id=user, guideline=DEFAULT_GUIDELINE + " Updated."
    )


def test_the_form_takes_where_it_came_from_and_a_link(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    user = person(fake_slack)
    trigger = f"trigger-{new_user_id()}"
    slack.slash_command("learned", user_id=user, trigger_id=trigger)
    modal = wait_for_call(fake_slack, "views.open", trigger_id=trigger).json("view")

    def filled(text: str, source: str, link: str) -> dict[str, Any]:
        typed = {"type": "plain_text_input"}
        return {
            BLOCK_LEARNING_TEXT: {BLOCK_LEARNING_TEXT: {**typed, "value": text}},
            BLOCK_LEARNING_SOURCE: {BLOCK_LEARNING_SOURCE: {**typed, "value": source}},
            BLOCK_LEARNING_LINK: {BLOCK_LEARNING_LINK: {**typed, "value": link}},
        }

    text = f"Staff engineers write more docs than code ({new_user_id()})"
    bad = slack.view_submission(
        {**modal, "state": {"values": filled(text, "", "no-link")}}, user_id=user
    )
    assert bad.json()["errors"] == {
        BLOCK_LEARNING_LINK: "A link starts with https:// (or http://)."
    }
    good = filled(text, "LeadDev London", "https://example.com/talk")
    assert slack.view_submission({**modal, "state": {"values": good}}, user_id=user).content == b""
    # Their first learning: the guideline comes by DM, and the confirmation shares it.
    note = dm_with_button(fake_slack, user, ACTION_LEARNING_CONFIRM)
    press(slack, note, ACTION_LEARNING_CONFIRM, user)
    [post] = posts(fake_slack, text)
    shown = block_texts(post.json("blocks"))
    assert "From LeadDev London" in shown and "<https://example.com/talk|Link>" in shown


def test_learnings_show_on_home_and_in_the_next_review(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    agreed = agree_tour(slack, fake_slack, bot_database)
    learned = f"Pairing speeds up onboarding ({new_user_id()})"
    confirm_first(slack, fake_slack, agreed.pair.employee, learned)
    assert eventually(lambda: learnings_of(bot_database, learned)[0].posted_at)
    home = open_home(slack, fake_slack, agreed.pair.employee, showing="What you learned lately")
    assert learned in block_texts(home["blocks"])

    start_checkin(bot_database, team_id="T0001", user_id=agreed.pair.employee, now=clock.now())
    deliver(bot_database, fake_slack, clock.now() + timedelta(minutes=1))
    prompt = dm_with_button(fake_slack, agreed.pair.employee, ON_TRACK)
    assert f"What you shared lately: {learned}" in block_texts(prompt.json("blocks"))
