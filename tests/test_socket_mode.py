"""Socket Mode: with SLACK_APP_TOKEN set, the bot connects out and answers over the WebSocket."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.sandbox.fake_slack import FakeSlack
from tests.botprocess import BotProcess, bot_environment
from tests.fakesocketmode import FakeSocketMode
from tests.helpers import new_user_id, wait_for_call

pytestmark = pytest.mark.dateless


@pytest.fixture
def socket_mode_bot(
    fake_slack: FakeSlack, tmp_path: Path
) -> Iterator[tuple[BotProcess, FakeSocketMode]]:
    with FakeSocketMode() as socket_mode:
        fake_slack.set_response("apps.connections.open", {"ok": True, "url": socket_mode.url})
        env = bot_environment(
            fake_slack.url,
            f"sqlite:///{tmp_path / 'socket.db'}",
            SLACK_APP_TOKEN="xapp-1-A0001-test",
        )
        del env["SLACK_SIGNING_SECRET"]
        bot = BotProcess(env, tmp_path / "bot.log").start()
        try:
            socket_mode.wait_connected()
            yield bot, socket_mode
        finally:
            bot.stop()
            fake_slack.set_response("apps.connections.open", None)


def test_slash_command_is_answered_in_the_envelope_ack(socket_mode_bot, fake_slack) -> None:
    _, socket_mode = socket_mode_bot
    connect = fake_slack.last("apps.connections.open")
    assert connect.headers["authorization"] == "Bearer xapp-1-A0001-test"
    ack = socket_mode.send(
        "slash_commands",
        {
            "token": "x",
            "team_id": "T0001",
            "team_domain": "fake",
            "channel_id": "C0001",
            "channel_name": "general",
            "user_id": "U0001",
            "user_name": "dana",
            "command": "/alliance",
            "text": "help",
            "api_app_id": "A0001",
            "is_enterprise_install": "false",
            "response_url": fake_slack.response_url(),
            "trigger_id": "1.2.3",
        },
    )
    assert ack["payload"]["text"].startswith("What I can do:")
    assert any(block["type"] == "header" for block in ack["payload"]["blocks"])


def test_event_over_socket_mode_publishes_the_home_tab(socket_mode_bot, fake_slack) -> None:
    _, socket_mode = socket_mode_bot
    user_id = new_user_id()
    fake_slack.add_user(user_id, name="sockets")
    socket_mode.send(
        "events_api",
        {
            "token": "x",
            "team_id": "T0001",
            "api_app_id": "A0001",
            "type": "event_callback",
            "event_id": f"Ev{user_id}",
            "event_time": 1700000000,
            "event": {"type": "app_home_opened", "user": user_id, "channel": "D0", "tab": "home"},
        },
    )
    wait_for_call(fake_slack, "views.publish", user_id=user_id)


def test_sigterm_closes_the_socket_mode_bot_cleanly(socket_mode_bot) -> None:
    bot, _ = socket_mode_bot
    code, seconds = bot.terminate()
    assert code == 0 and seconds < 10
