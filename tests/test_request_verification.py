"""Requests Slack did not sign, or signed too long ago, are refused before anything happens."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
import requests

from db.engine import Database
from tests.fakeslack import FakeSlack
from tests.helpers import new_user_id, row_counts, settle
from tests.slack_requests import SlackSender

STALE_SECONDS = 5 * 60 + 30

# Each gives the signing options at the moment of sending, so the clock offsets stay exact.
BAD_SIGNATURES: dict[str, Callable[[], dict[str, Any]]] = {
    "unsigned": lambda: {"signed": False},
    "wrong signature": lambda: {"signature": "v0=" + "0" * 64},
    "stale by more than 5 minutes": lambda: {"timestamp": int(time.time()) - STALE_SECONDS},
    "from more than 5 minutes ahead": lambda: {"timestamp": int(time.time()) + STALE_SECONDS},
}

Send = Callable[[SlackSender, str, dict[str, Any]], requests.Response]

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
    slack: SlackSender, fake_slack: FakeSlack, bot_database: Database, surface: str, bad: str
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
    # settle() itself stores its two barrier users and their events, nothing else may change.
    assert after["people"] == before["people"] + 2
    assert after["processed_events"] == before["processed_events"] + 2


def test_url_verification_echoes_the_challenge(slack: SlackSender) -> None:
    response = slack.url_verification("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P")
    assert response.status_code == 200
    assert response.json() == {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}
