"""GET /metrics: Prometheus's text format, with figures that match what the bot did."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select

from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.signed_requests import SignedRequests
from db.engine import Database
from db.models import Outbox
from domain.delivery import OutboxStatus
from tests import clock
from tests.botprocess import SIGNING_SECRET, BotProcess, bot_environment
from tests.helpers import eventually, plan_message

pytestmark = pytest.mark.dateless

PLANNED = 5
NAMES = {
    "alliance_requests",
    "alliance_ack_seconds",
    "alliance_outbox_messages",
    "alliance_slack_rate_limited",
    "alliance_delivering",
    "alliance_outbox_due",
    "alliance_outbox_oldest_due_seconds",
}


def scraped(bot: BotProcess) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = requests.get(f"{bot.url}/metrics", timeout=5)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=")
    families = list(text_string_to_metric_families(response.text))
    assert {family.name for family in families} >= NAMES
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in families
        for sample in family.samples
    }


def sent_rows(url: str) -> int:
    database = Database(url)
    try:
        with database.read() as session:
            counted = select(func.count()).where(Outbox.status == OutboxStatus.SENT)
            return session.scalar(counted) or 0
    finally:
        database.dispose()


def test_the_figures_match_the_requests_and_the_outbox_table(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'metrics.db'}"
    with FakeSlack() as fake:
        fake.set_clock(clock.timestamp)
        env = bot_environment(fake.url, url, ALLIANCE_DELIVERY_INTERVAL_SECONDS="1")
        bot = BotProcess(env, tmp_path / "bot.log").start()
        try:
            before = scraped(bot)
            assert before[("alliance_outbox_messages_total", (("outcome", "sent"),))] == 0
            fake.add_user("UMETRICS1", name="metrics")
            with SignedRequests(bot.url, SIGNING_SECRET) as slack:
                for _ in range(2):
                    assert slack.slash_command("help", user_id="UMETRICS1").status_code == 200
            fake.rate_limit_next("chat.postMessage", retry_after=1)
            for n in range(PLANNED):
                plan_message(url, f"UMETRICS{n}", clock.now())
            eventually(lambda: sent_rows(url) == PLANNED, timeout=30)
            after = scraped(bot)
        finally:
            bot.stop()
    assert after[("alliance_requests_total", (("kind", "command help"), ("status", "200")))] == 2
    assert after[("alliance_ack_seconds_count", ())] >= 2
    assert after[("alliance_outbox_messages_total", (("outcome", "sent"),))] == sent_rows(url)
    assert after[("alliance_slack_rate_limited_total", ())] == 1
    assert after[("alliance_outbox_due", ())] == 0
    assert after[("alliance_outbox_oldest_due_seconds", ())] == 0


def test_two_workers_show_one_set_of_figures_and_one_of_them_delivering(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'workers.db'}"
    commands = 12
    with FakeSlack() as fake:
        fake.set_clock(clock.timestamp)
        fake.add_user("UWORKERS1", name="workers")
        env = bot_environment(fake.url, url, WEB_CONCURRENCY="2")
        bot = BotProcess(env, tmp_path / "bot.log").start()
        try:
            # Each request on a connection of its own, so that both workers get some.
            roles = set()
            eventually(
                lambda: (
                    roles.add(requests.get(f"{bot.url}/healthz", timeout=5).json()["role"])
                    or roles == {"delivering", "standby"}
                ),
                timeout=30,
            )
            for _ in range(commands):
                with SignedRequests(bot.url, SIGNING_SECRET) as slack:
                    assert slack.slash_command("help", user_id="UWORKERS1").status_code == 200
            scrapes = [scraped(bot) for _ in range(10)]
        finally:
            bot.stop()
    help_requests = ("alliance_requests_total", (("kind", "command help"), ("status", "200")))
    assert [each[help_requests] for each in scrapes] == [commands] * 10
    assert [each[("alliance_delivering", ())] for each in scrapes] == [1] * 10
