"""What `alliance run` writes to its log: one format for every line, gunicorn's included; a
start-up summary without secrets; one line per request with no text in it; and no line per
scheduler job below DEBUG."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.config import load_settings
from bot.logs import startup_summary
from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.signed_requests import SignedRequests
from tests import clock
from tests.botprocess import SIGNING_SECRET, BotProcess, bot_environment
from tests.helpers import eventually, plan_message, wait_for_call

pytestmark = pytest.mark.dateless

LINE = re.compile(
    r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (DEBUG|INFO|WARNING|ERROR|CRITICAL) [\w.-]+ \S"
)
SECRET_WORDS = "our unannounced Lisbon office"
USER = "ULOGS0001"


def test_one_format_a_summary_and_a_line_per_request_without_text(
    session_fake_slack: FakeSlack, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'logs.db'}"
    env = bot_environment(
        session_fake_slack.url,
        url,
        ALLIANCE_ADMINS="UADMIN1,UADMIN2",
        ALLIANCE_ALUMNI_CHANNEL="C0ALUMNI",
        ALLIANCE_DELIVERY_INTERVAL_SECONDS="1",
    )
    bot = BotProcess(env, tmp_path / "bot.log").start()
    try:
        session_fake_slack.add_user(USER, name="logs", real_name="Lou Logs")
        with SignedRequests(
            bot.url, SIGNING_SECRET, response_url_base=session_fake_slack.response_url_base
        ) as slack:
            assert slack.slash_command("help", user_id=USER).status_code == 200
            slack.slash_command(f"learned {SECRET_WORDS}", user_id=USER)
            slack.slash_command(f"{SECRET_WORDS}", user_id=USER)
        plan_message(url, USER, clock.now())  # the delivery job has run once it is sent
        wait_for_call(session_fake_slack, "chat.postMessage", timeout=30, channel=USER)
        eventually(lambda: bot.log().count(f"user={USER}") >= 3)
    finally:
        code, _ = bot.terminate()
    log = bot.log()
    lines = log.splitlines()
    assert code == 0
    assert [line for line in lines if not LINE.match(line)] == []
    assert any(" gunicorn.error Booting worker" in line for line in lines)
    [summary] = [line for line in lines if "Alliance 0." in line and "starting:" in line]
    assert "HTTP on port" in summary and "1 worker of 32 threads" in summary
    assert "2 admins" in summary and "alumni channel C0ALUMNI" in summary
    assert "learning channel not set" in summary and f"database {url}" in summary
    assert re.search(rf"command help user={USER} \d+ms 200", log)
    assert re.search(rf"command learned user={USER} \d+ms 200", log)
    assert re.search(rf"command \(other\) user={USER} \d+ms 200", log)
    assert SECRET_WORDS not in log
    assert " apscheduler" not in log  # two lines a job run at INFO before


def test_the_summary_hides_the_database_password_and_says_where_the_digest_goes() -> None:
    settings = load_settings(
        {
            "SLACK_BOT_TOKEN": "xoxb-1",
            "SLACK_SIGNING_SECRET": "s3cret",
            "DATABASE_URL": "postgresql://alliance:hunter2@db.internal:5432/alliance",
            "ALLIANCE_ADMINS": "U0ADA",
            "ALLIANCE_LEADERSHIP_DIGEST": "Fri 16:30 Europe/Paris",
        }
    )
    summary = startup_summary(settings, serving="Socket Mode", with_scheduler=False)
    assert "hunter2" not in summary and "alliance:***@db.internal" in summary
    assert "xoxb-1" not in summary and "s3cret" not in summary
    assert "Socket Mode; scheduler elsewhere" in summary and "1 admin;" in summary
    assert "leadership channel not set (digest by DM)" in summary
    assert "leadership digest Fri 16:30 Europe/Paris" in summary


def test_the_summary_shows_a_path_as_written() -> None:
    settings = load_settings(
        {
            "SLACK_BOT_TOKEN": "xoxb-1",
            "SLACK_SIGNING_SECRET": "s3cret",
            "DATABASE_URL": "sqlite:////srv/run-2027-03-28T01:30:00Z/alliance.db",
        }
    )
    summary = startup_summary(settings, serving="Socket Mode", with_scheduler=True)
    assert "database sqlite:////srv/run-2027-03-28T01:30:00Z/alliance.db;" in summary
