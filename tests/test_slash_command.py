"""`/alliance` through the whole HTTP stack: signed requests in, replies and Web API calls out."""

from __future__ import annotations

import time

import pytest

from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.signed_requests import SignedRequests
from db.engine import Database
from domain.commands import SUBCOMMANDS
from tests.helpers import (
    answer_with,
    block_texts,
    eventually,
    new_user_id,
    settle,
    stored_person,
    stored_person_when,
    wait_for_call,
    wait_for_calls,
)

SLACK_DEADLINE_SECONDS = 3


def reply_text(response_json: dict) -> str:
    return block_texts(response_json["blocks"])


@pytest.mark.parametrize("text", ["help", "", "  HELP  "])
def test_help_is_answered_in_the_ack_with_every_subcommand(
    slack: SignedRequests, text: str
) -> None:
    started = time.monotonic()
    response = slack.slash_command(text)
    assert time.monotonic() - started < SLACK_DEADLINE_SECONDS
    assert response.status_code == 200
    body = response.json()
    assert body["text"].startswith("What I can do: help, tour, values,")  # the notification
    shown = reply_text(body)
    for subcommand in SUBCOMMANDS:
        assert f"/alliance {subcommand.usage}" in shown


def test_help_lists_every_subcommand_with_its_usage(slack: SignedRequests) -> None:
    shown = reply_text(slack.slash_command("help").json())
    assert "`/alliance report`\n" in shown
    assert "`/alliance help [subcommand]`\n" in shown
    assert "`/alliance tour [new @person | @person | export]`\n" in shown


def test_help_on_one_subcommand_gives_an_example(slack: SignedRequests) -> None:
    shown = reply_text(slack.slash_command("help expense").json())
    assert "Example: `/alliance expense 120 Conference ticket for DevOpsDays`" in shown


def test_unknown_subcommand_suggests_the_closest_one(slack: SignedRequests) -> None:
    body = slack.slash_command("tuor new <@U123>").json()
    assert "I don't know `/alliance tuor`. Did you mean `/alliance tour" in reply_text(body)
    assert any(block["type"] == "header" for block in body["blocks"])  # the guide follows


def test_unknown_subcommand_without_a_close_match_shows_the_guide(slack: SignedRequests) -> None:
    body = slack.slash_command("xyzzy").json()
    assert "I don't know `/alliance xyzzy`. Here is what I do:" in reply_text(body)


def test_typed_text_is_echoed_escaped_and_short(slack: SignedRequests) -> None:
    body = slack.slash_command("<!channel>&" + "x" * 200).json()
    first = body["blocks"][0]["text"]["text"]
    assert "<!channel>" not in first
    assert "&lt;!channel&gt;&amp;" in first
    assert len(first) < 200


def test_first_meeting_stores_the_person_with_their_time_zone(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    user_id = new_user_id()
    fake_slack.add_user(user_id, name="kiri", real_name="Kiri Te", tz="Pacific/Kiritimati")
    slack.slash_command("help", user_id=user_id)
    wait_for_call(fake_slack, "users.info", user=user_id)
    person = stored_person_when(bot_database, user_id)
    assert person is not None
    assert (person.name, person.real_name, person.tz) == ("kiri", "Kiri Te", "Pacific/Kiritimati")
    assert not person.is_bot and not person.deleted


def test_known_person_is_not_looked_up_again(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    user_id = new_user_id()
    fake_slack.add_user(user_id, name="once")
    slack.slash_command("help", user_id=user_id)
    wait_for_call(fake_slack, "users.info", user=user_id)
    assert stored_person_when(bot_database, user_id) is not None
    slack.slash_command("help", user_id=user_id)
    settle(slack, fake_slack)
    assert len([c for c in fake_slack.calls("users.info") if c.args["user"] == user_id]) == 1


def test_failure_after_the_ack_tells_the_person_and_the_bot_lives_on(
    slack: SignedRequests, fake_slack: FakeSlack, running_bot, bot_database: Database
) -> None:
    user_id = new_user_id()
    fake_slack.add_user(user_id, name="unlucky")
    trigger = f"trigger-{user_id}"
    fake_slack.fail_next("views.open", error="internal_error", trigger_id=trigger)
    response = slack.slash_command("expense new", user_id=user_id, trigger_id=trigger)
    assert response.status_code == 200
    apology = answer_with(fake_slack, "Sorry, something went wrong on my side")
    assert apology.args["response_type"] == "ephemeral"
    reference = apology.args["text"].split("reference `")[1].split("`")[0]
    log = running_bot.log()
    assert f"request {reference} failed (command /alliance from {user_id})" in log
    assert "Traceback (most recent call last)" in log
    assert slack.slash_command("help").status_code == 200


@pytest.mark.parametrize("fault", ["user_not_found", "server_error"])
def test_a_failed_look_up_of_the_person_typing_does_not_fail_the_command(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database, fault: str
) -> None:
    user_id = new_user_id()
    if fault == "server_error":  # every retry too
        fake_slack.add_user(user_id, name="unlucky", tz="Asia/Tokyo")
        fake_slack.server_error_next("users.info", status=503, times=3, user=user_id)
    listing = slack.slash_command("expense", user_id=user_id).json()["text"]
    assert "Your networking budget for" in listing and "No requests yet" in listing
    person = stored_person_when(bot_database, user_id)
    assert person is not None
    # Known now, the next request refreshes the profile it could not fetch.
    fake_slack.add_user(user_id, name="found", tz="Asia/Tokyo")
    slack.slash_command("help", user_id=user_id)
    assert eventually(lambda: (p := stored_person(bot_database, user_id)) and p.tz == "Asia/Tokyo")
    assert not [c for c in fake_slack.calls("response_url") if "went wrong" in str(c.args)]


@pytest.mark.parametrize("fault", ["rate_limited", "server_error"])
def test_web_api_429_and_5xx_are_retried_after_the_ack(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database, fault: str
) -> None:
    user_id = new_user_id()
    fake_slack.add_user(user_id, name="patient", tz="Europe/Paris")
    if fault == "rate_limited":
        fake_slack.rate_limit_next("users.info", retry_after=1, user=user_id)
    else:
        fake_slack.server_error_next("users.info", status=503, user=user_id)
    assert slack.slash_command("help", user_id=user_id).status_code == 200
    calls = wait_for_calls(fake_slack, "users.info", 2, user=user_id)
    assert [call.status for call in calls] == [429 if fault == "rate_limited" else 503, 200]
    person = stored_person_when(bot_database, user_id)
    assert person is not None and person.tz == "Europe/Paris"


@pytest.mark.parametrize("typed", ["tour new <@UDOESNOTEXIST>", "offboard <@U123NOONE|x>"])
def test_someone_slack_does_not_know_is_said_in_words(
    slack: SignedRequests, fake_slack: FakeSlack, typed: str
) -> None:
    manager = new_user_id()
    fake_slack.add_user(manager, name="sam")
    assert slack.slash_command(typed, user_id=manager).status_code == 200
    missing = typed.split("<@")[1].split("|")[0].rstrip(">")
    told = answer_with(fake_slack, f"I can't find <@{missing}> in this workspace")
    assert told.args["response_type"] == "ephemeral" and "went wrong" not in told.args["text"]


def test_each_reply_has_a_notification_of_its_own(slack: SignedRequests) -> None:
    """What a notification or a screen reader shows says what the reply is, not only "help"."""
    texts = {
        typed: slack.slash_command(typed).json()["text"]
        for typed in ("help", "help tour", "tourz", "tour", "values nonsense", "ask")
    }
    assert len(set(texts.values())) == len(texts), texts
    assert texts["help tour"].startswith("`/alliance tour")
    assert texts["tourz"].startswith("I don't know `/alliance tourz`")
    assert texts["tour"] == "Your tours of duty"
