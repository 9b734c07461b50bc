"""Serving behaviour: acks never wait on slow work, and SIGTERM stops the bot cleanly."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.signed_requests import SignedRequests
from db.engine import Database
from tests.botprocess import SIGNING_SECRET, BotProcess, bot_environment
from tests.helpers import new_user_id, stored_person

SHUTDOWN_DEADLINE_SECONDS = 10
ACK_BUDGET_SECONDS = 1


def test_slow_background_work_never_delays_other_acks(
    slack: SignedRequests, fake_slack: FakeSlack
) -> None:
    fake_slack.set_latency("users.info", 2.0)  # every newcomer's profile lookup is slow
    slowest = 0.0
    for _ in range(60):  # more newcomers than background threads
        user_id = new_user_id()
        fake_slack.add_user(user_id, name="newcomer")
        started = time.monotonic()
        response = slack.slash_command("help", user_id=user_id)
        slowest = max(slowest, time.monotonic() - started)
        assert response.status_code == 200
    assert slowest < ACK_BUDGET_SECONDS
    assert len(fake_slack.calls("users.info")) > 0


@pytest.mark.dateless
def test_sigterm_finishes_work_in_flight_and_exits_within_10_seconds(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    fake = fake_slack
    url = f"sqlite:///{tmp_path / 'shutdown.db'}"
    bot = BotProcess(bot_environment(fake.url, url), tmp_path / "bot.log").start()
    try:
        user_id = new_user_id()
        fake.add_user(user_id, name="inflight", tz="Asia/Kolkata")
        fake.set_latency("users.info", 3.0)
        with SignedRequests(bot.url, SIGNING_SECRET, response_url_base=fake.response_url_base) as s:
            assert s.slash_command("help", user_id=user_id).status_code == 200
        fake.wait_for("users.info")  # the lookup is now in flight inside the bot
        code, seconds = bot.terminate()
    finally:
        fake.clear_faults()
        bot.stop()
    assert code == 0
    assert seconds < SHUTDOWN_DEADLINE_SECONDS
    assert "stopped: the scheduler's and the listeners' work in flight is done" in bot.log()
    database = Database(url)
    try:
        person = stored_person(database, user_id)
    finally:
        database.dispose()
    assert person is not None and person.tz == "Asia/Kolkata"
