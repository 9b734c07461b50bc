"""Requests Slack did not sign, or signed too long ago, are refused before anything happens."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import pytest
import requests
from sqlalchemy import func, select

from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.signed_requests import SignedRequests
from db.engine import Database
from db.models import Expense, Person
from tests.helpers import eventually, new_user_id, row_counts, settle

STALE_SECONDS = 5 * 60 + 30

# Each gives the signing options at the moment of sending, so the clock offsets stay exact.
BAD_SIGNATURES: dict[str, Callable[[], dict[str, Any]]] = {
    "unsigned": lambda: {"signed": False},
    "wrong signature": lambda: {"signature": "v0=" + "0" * 64},
    "stale by more than 5 minutes": lambda: {"timestamp": int(time.time()) - STALE_SECONDS},
    "from more than 5 minutes ahead": lambda: {"timestamp": int(time.time()) + STALE_SECONDS},
}

Send = Callable[[SignedRequests, str, dict[str, Any]], requests.Response]

SURFACES: dict[str, Send] = {
    "slash command": lambda slack, user, opts: slack.slash_command("help", user_id=user, **opts),
    "event": lambda slack, user, opts: slack.event(
        {"type": "app_home_opened", "user": user, "channel": "D0", "tab": "home"}, **opts
    ),
    "block action": lambda slack, user, opts: slack.block_actions(
        [{"action_id": "home_open_guide", "type": "button", "value": "x"}], user_id=user, **opts
    ),
}


@pytest.mark.parametrize("surface", SURFACES)
@pytest.mark.parametrize("bad", BAD_SIGNATURES)
def test_badly_signed_request_gets_401_and_changes_nothing(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database, surface: str, bad: str
) -> None:
    user_id = new_user_id()
    fake_slack.add_user(user_id, name="intruder")
    settle(slack, fake_slack)  # earlier tests' background work is done before counting
    before = row_counts(bot_database)

    response = SURFACES[surface](slack, user_id, BAD_SIGNATURES[bad]())

    assert response.status_code == 401
    settle(slack, fake_slack)
    assert not [call for call in fake_slack.calls() if user_id in str(call.args)]
    after = row_counts(bot_database)
    assert after["audit_log"] == before["audit_log"]
    # The intruder is not remembered (earlier tests' people may still be arriving: their
    # profiles are stored after the ack), and only settle()'s two barrier events are recorded.
    with bot_database.read() as session:
        assert session.scalar(select(Person).where(Person.user_id == user_id)) is None
    assert after["processed_events"] == before["processed_events"] + 2


def test_url_verification_echoes_the_challenge(slack: SignedRequests) -> None:
    response = slack.url_verification("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P")
    assert response.status_code == 200
    assert response.json() == {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}


def test_a_replayed_slash_command_is_refused_and_acts_once(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    user_id = new_user_id()
    fake_slack.add_user(user_id, name="replayer")
    what = f"coffee {user_id}"
    body = urlencode(slack.slash_command_fields(f"expense 7 {what}", user_id=user_id))
    headers = {
        **slack.signed_headers(body),
        "Content-Type": "application/x-www-form-urlencoded",
    }
    statuses = [
        requests.post(slack.url, data=body, headers=headers, timeout=10).status_code
        for _ in range(3)
    ]
    assert statuses == [200, 401, 401]

    def made() -> int:
        with bot_database.read() as session:
            return session.scalar(select(func.count()).where(Expense.description == what)) or 0

    eventually(made, timeout=30)  # the first-time user's profile is looked up first
    settle(slack, fake_slack)
    assert made() == 1
    # A fresh signature over the same text is a new request, and goes through.
    assert slack.slash_command("help", user_id=user_id).status_code == 200


def test_a_replayed_button_press_is_refused(slack: SignedRequests) -> None:
    payload = slack.block_actions_payload(
        [{"action_id": "home_open_guide", "type": "button", "value": "x"}], user_id=new_user_id()
    )
    body = urlencode({"payload": json.dumps(payload)})
    headers = {
        **slack.signed_headers(body),
        "Content-Type": "application/x-www-form-urlencoded",
    }
    first, again = (
        requests.post(slack.url, data=body, headers=headers, timeout=10) for _ in range(2)
    )
    assert (first.status_code, again.status_code) == (200, 401)


FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
UNSIGNED: dict[str, tuple[bytes, str, dict[str, Any]]] = {
    "unsigned form with payload=notjson": (b"payload=notjson", FORM, {"signed": False}),
    "unsigned JSON that is a form": (b"x=1", JSON, {"signed": False}),
    "timestamp abc": (b"x=1", FORM, {"timestamp": "abc", "signature": "v0=" + "0" * 64}),
    "timestamp 123.5": (b"x=1", FORM, {"timestamp": "123.5", "signature": "v0=" + "0" * 64}),
    "empty timestamp": (b"x=1", FORM, {"timestamp": "", "signature": "v0=" + "0" * 64}),
}
SIGNED_BUT_MALFORMED: dict[str, tuple[bytes, str]] = {
    "payload=[]": (b"payload=%5B%5D", FORM),
    "payload=null": (b"payload=null", FORM),
    "payload={": (b"payload=%7B", FORM),
    "invalid UTF-8": (b"payload=\xff\xfe", FORM),
    "block_actions without actions": (
        b"payload="
        + urlencode({"p": json.dumps({"type": "block_actions", "actions": []})})[2:].encode(),
        FORM,
    ),
    "view_submission without a view's fields": (
        b"payload="
        + urlencode({"p": json.dumps({"type": "view_submission", "view": {}})})[2:].encode(),
        FORM,
    ),
    "JSON body that is a form": (b"x=1", JSON),
}


@pytest.mark.parametrize("case", UNSIGNED, ids=list(UNSIGNED))
def test_anything_unverified_is_401_with_no_traceback(
    slack: SignedRequests, running_bot: Any, case: str
) -> None:
    body, content_type, sign_opts = UNSIGNED[case]
    tracebacks = running_bot.log().count("Traceback")
    assert slack.post_raw(body, content_type, **sign_opts).status_code == 401
    assert slack.slash_command("help").status_code == 200  # and the bot serves on
    assert running_bot.log().count("Traceback") == tracebacks


@pytest.mark.parametrize("case", SIGNED_BUT_MALFORMED, ids=list(SIGNED_BUT_MALFORMED))
def test_a_signed_body_that_is_not_what_slack_sends_is_400_with_no_traceback(
    slack: SignedRequests, running_bot: Any, case: str
) -> None:
    body, content_type = SIGNED_BUT_MALFORMED[case]
    tracebacks = running_bot.log().count("Traceback")
    assert slack.post_raw(body, content_type).status_code == 400
    assert slack.slash_command("help").status_code == 200
    assert running_bot.log().count("Traceback") == tracebacks
    assert "refused a signed request that is not what Slack sends (400)" in running_bot.log()
