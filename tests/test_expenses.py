"""`/alliance expense` end to end: approved at once within the limit, the manager's decision
otherwise (only theirs, once), amounts as people type them, and the year's list."""

from __future__ import annotations

from typing import Any

from db.engine import Database
from handlers.ids import ACTION_EXPENSE_APPROVE, ACTION_EXPENSE_DECLINE, BLOCK_EXPENSE_REASON
from tests.fakeslack import FakeSlack
from tests.helpers import answer_with, block_texts, new_user_id, wait_for_call, wait_until
from tests.review_steps import agree_tour
from tests.slack_requests import SlackSender as SignedRequests
from tests.test_home import open_home
from tests.tour_steps import dm_with_button, press


def ask(slack: SignedRequests, user: str, text: str) -> str:
    response = slack.slash_command(f"expense {text}", user_id=user)
    return str(response.json()["text"]) if response.content else ""


def told(fake: FakeSlack, user: str, words: str) -> None:
    wait_until(
        fake,
        "chat.postMessage",
        lambda c: c.args.get("channel") == user and words in c.args.get("text", ""),
    )


def test_within_the_limit_it_is_approved_at_once_and_listed(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    employee = agree_tour(slack, fake_slack, bot_database).pair.employee
    assert ask(slack, employee, "€120 DevOpsDays ticket") == ""
    answer_with(fake_slack, "Approved: 120.00 EUR for DevOpsDays ticket. 880.00 EUR left")
    listing = slack.slash_command("expense", user_id=employee).json()["text"]
    assert "880.00 EUR left of 1,000.00 EUR" in listing
    assert "120.00 EUR, DevOpsDays ticket (approved)" in listing


def test_amounts_are_checked_with_an_example(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    user = new_user_id()
    fake_slack.add_user(user, name="x")
    assert "couldn't read 'lots' as an amount" in ask(slack, user, "lots of money")
    assert "positive amount" in ask(slack, user, "-5 coffee")
    assert "What is it for?" in ask(slack, user, "120")
    assert "/alliance expense 120 DevOpsDays ticket" in ask(slack, user, "0 nothing")


def test_above_the_limit_the_manager_decides_once_and_only_they_may(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    pair = agree_tour(slack, fake_slack, bot_database).pair
    ask(slack, pair.employee, "400 Conference trip")
    answer_with(fake_slack, "Sent to Sam Rivera for approval: 400.00 EUR for Conference trip")
    request = dm_with_button(fake_slack, pair.manager, ACTION_EXPENSE_APPROVE)

    stranger = new_user_id()
    fake_slack.add_user(stranger, name="nosy")
    press(slack, request, ACTION_EXPENSE_APPROVE, stranger)
    answer_with(fake_slack, "isn't something you can do")

    press(slack, request, ACTION_EXPENSE_APPROVE, pair.manager)
    answer_with(fake_slack, "You approved 400.00 EUR for Conference trip")
    told(fake_slack, pair.employee, "Your manager approved 400.00 EUR for Conference trip")
    press(slack, request, ACTION_EXPENSE_DECLINE, pair.manager)
    answer_with(fake_slack, "That request was decided already")
    listing = slack.slash_command("expense", user_id=pair.employee).json()["text"]
    assert "600.00 EUR left" in listing and "(approved by your manager)" in listing


def test_a_declined_request_is_told_and_frees_the_budget(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    pair = agree_tour(slack, fake_slack, bot_database).pair
    ask(slack, pair.employee, "1200 USD Flight to re:Invent")
    answer_with(fake_slack, "budget is in EUR")
    ask(slack, pair.employee, "900 Flight to re:Invent")
    request = dm_with_button(fake_slack, pair.manager, ACTION_EXPENSE_DECLINE)
    trigger = f"trigger-{new_user_id()}"
    press(slack, request, ACTION_EXPENSE_DECLINE, pair.manager, trigger_id=trigger)
    modal = wait_for_call(fake_slack, "views.open", trigger_id=trigger).json("view")

    def reason(text: str) -> dict[str, Any]:
        typed = {"type": "plain_text_input", "value": text or None}
        return {**modal, "state": {"values": {BLOCK_EXPENSE_REASON: {BLOCK_EXPENSE_REASON: typed}}}}

    empty = slack.view_submission(reason(""), user_id=pair.manager)
    assert empty.json()["errors"] == {BLOCK_EXPENSE_REASON: "Say why, in a few words."}
    assert (
        slack.view_submission(reason("Let's pick one closer to home"), user_id=pair.manager).content
        == b""
    )
    told(
        fake_slack,
        pair.employee,
        "Your manager declined 900.00 EUR for Flight to re:Invent: “Let's pick one closer to home”",
    )
    listing = slack.slash_command("expense", user_id=pair.employee).json()["text"]
    assert "1,000.00 EUR left" in listing and "(declined)" in listing


def test_without_a_manager_a_large_request_is_explained(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    user = new_user_id()
    fake_slack.add_user(user, name="solo")
    ask(slack, user, "400 Conference trip")
    answer_with(fake_slack, "needs your manager's approval, and you have no manager")


def test_the_budget_shows_on_home_for_the_person_and_their_manager(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    pair = agree_tour(slack, fake_slack, bot_database).pair
    ask(slack, pair.employee, "150 Meetup dinner")
    answer_with(fake_slack, "Approved: 150.00 EUR for Meetup dinner")
    mine = open_home(slack, fake_slack, pair.employee, showing="850.00 EUR* left")
    assert "850.00 EUR* left of 1,000.00 EUR" in block_texts(mine["blocks"])
    team = open_home(slack, fake_slack, pair.manager, showing="spent or asked for")
    assert "150.00 EUR spent or asked for, of 1,000.00 EUR" in block_texts(team["blocks"])
