"""The `alliance` command line, run as a person would run it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from db.engine import Database
from db.migrate import current_revision, head_revision
from db.models import ProcessedEvent
from tests import clock
from tests.botprocess import bot_environment
from tests.helpers import plan_message, wait_for_call

ALLIANCE = str(Path(sys.executable).with_name("alliance"))


def run_cli(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [ALLIANCE, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=60, check=False
    )


def bare_env(**values: str) -> dict[str, str]:
    env = {"PATH": "/usr/bin:/bin", "ALLIANCE_ENV_FILE": "/dev/null"}
    env.update(values)
    return env


@pytest.mark.dateless
def test_missing_bot_token_is_one_clear_message_and_exit_code_2(tmp_path: Path) -> None:
    result = run_cli("run", env=bare_env(PORT="not-a-port", LOG_LEVEL="chatty"), cwd=tmp_path)
    assert result.returncode == 2
    assert "SLACK_BOT_TOKEN is not set." in result.stderr
    assert "SLACK_SIGNING_SECRET is not set." in result.stderr
    assert "PORT must be a whole number from 1 to 65535 (found 'not-a-port')." in result.stderr
    assert "LOG_LEVEL must be one of" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "alliance.db").exists()


@pytest.mark.dateless
def test_dotenv_file_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("SLACK_BOT_TOKEN=not-a-bot-token\n")
    result = run_cli("run", env={"PATH": "/usr/bin:/bin"}, cwd=tmp_path)
    assert result.returncode == 2
    assert "SLACK_BOT_TOKEN must start with 'xoxb-'" in result.stderr


def test_db_upgrade_creates_the_schema_and_is_repeatable(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    for _ in range(2):
        result = run_cli("db", "upgrade", env=bare_env(DATABASE_URL=url), cwd=tmp_path)
        assert result.returncode == 0, result.stderr
    database = Database(url)
    try:
        assert current_revision(database) == head_revision(database)
        assert f"is at revision {head_revision(database)}." in result.stdout
    finally:
        database.dispose()


def test_scheduler_tick_runs_the_due_work_once(tmp_path: Path, session_fake_slack) -> None:
    url = f"sqlite:///{tmp_path / 'tick.db'}"
    env = bot_environment(session_fake_slack.url, url)
    assert run_cli("db", "upgrade", env=env, cwd=tmp_path).returncode == 0
    database = Database(url)
    try:
        with database.engine.begin() as connection:
            connection.execute(
                ProcessedEvent.__table__.insert(),
                [
                    {
                        "event_id": "EvOLD",
                        "team_id": "T1",
                        "event_type": "x",
                        "received_at": datetime(2020, 1, 1, tzinfo=UTC),
                    },
                ],
            )
        result = run_cli("scheduler", "tick", env=env, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        with database.session() as session:
            assert session.scalars(select(ProcessedEvent.event_id)).all() == []
    finally:
        database.dispose()


@pytest.mark.dateless
def test_version_and_help(tmp_path: Path) -> None:
    assert run_cli("version", env=bare_env(), cwd=tmp_path).stdout.startswith("alliance 0.")
    usage = run_cli("--help", env=bare_env(), cwd=tmp_path).stdout
    for command in ("run", "db", "scheduler", "version"):
        assert command in usage


def test_scheduler_run_delivers_what_is_due_until_stopped(
    tmp_path: Path, session_fake_slack
) -> None:
    url = f"sqlite:///{tmp_path / 'scheduler.db'}"
    env = bot_environment(session_fake_slack.url, url, ALLIANCE_DELIVERY_INTERVAL_SECONDS="1")
    assert run_cli("db", "upgrade", env=env, cwd=tmp_path).returncode == 0
    target = f"USCHED{os.getpid()}"
    plan_message(url, target, clock.now())
    process = subprocess.Popen(
        [ALLIANCE, "scheduler", "run"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_for_call(session_fake_slack, "chat.postMessage", timeout=30, channel=target)
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=15)
    assert process.returncode == 0, output
    assert "Alliance scheduler is running" in output


def test_schedule_previews_the_coming_days_as_a_table(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'preview.db'}"
    env = bot_environment("http://127.0.0.1:9/api/", url)
    assert run_cli("db", "upgrade", env=env, cwd=tmp_path).returncode == 0
    empty = run_cli("schedule", env=env, cwd=tmp_path)
    assert empty.returncode == 0 and "Nothing is planned in the next 7 days." in empty.stdout

    soon = clock.now() + timedelta(days=2)
    plan_message(url, "USOON", soon)
    plan_message(url, "ULATER", soon + timedelta(days=20))
    shown = run_cli("schedule", "--days", "7", env=env, cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    header, rule, row, *_ = shown.stdout.splitlines()
    assert header.split() == ["when", "(UTC)", "what", "who", "detail"]
    assert set(rule) <= {"-", " "}
    assert f"{soon:%Y-%m-%d %H:%M}" in row and "send conversation_expired" in row
    assert "USOON" in row and "ULATER" not in shown.stdout
    assert "1 item in the next 7 days." in shown.stdout

    refused = run_cli("schedule", "--days", "0", env=env, cwd=tmp_path)
    assert refused.returncode == 2 and "days must be a whole number from 1 to 366" in refused.stderr


UNUSABLE_DATABASES = {
    "missing folder": ("sqlite:////nonexistent-dir/a.db", "unable to open database file"),
    "parent is a file": ("sqlite:///{file}/a.db", "unable to open database file"),
    "server refuses": ("postgresql://postgres@127.0.0.1:1/test", "Connection refused"),
}
COMMANDS = {
    "run": ("run",),
    "scheduler run": ("scheduler", "run"),
    "scheduler tick": ("scheduler", "tick"),
    "db upgrade": ("db", "upgrade"),
    "export": ("export", "out.db"),
    "schedule": ("schedule",),
}


@pytest.mark.dateless
@pytest.mark.parametrize("database", UNUSABLE_DATABASES, ids=list(UNUSABLE_DATABASES))
@pytest.mark.parametrize("command", COMMANDS, ids=list(COMMANDS))
def test_an_unusable_database_url_is_one_line_and_exit_2(
    tmp_path: Path, command: str, database: str
) -> None:
    (tmp_path / "a-file").write_text("")
    url, reason = UNUSABLE_DATABASES[database]
    url = url.format(file=tmp_path / "a-file")
    env = bare_env(DATABASE_URL=url, SLACK_BOT_TOKEN="xoxb-unused", SLACK_SIGNING_SECRET="unused")
    result = run_cli(*COMMANDS[command], env=env, cwd=tmp_path)
    assert result.returncode == 2 and result.stdout == ""
    [line] = result.stderr.splitlines()
    shown = make_url(url).render_as_string(hide_password=True)  # as the bot writes a URL
    assert line.startswith(f"Alliance cannot use DATABASE_URL ({shown}): ") and reason in line


@pytest.mark.dateless
@pytest.mark.parametrize("command", ["schedule", "scheduler tick", "export"])
def test_a_command_on_a_database_without_tables_says_to_upgrade_and_creates_nothing(
    tmp_path: Path, command: str
) -> None:
    env = bare_env(SLACK_BOT_TOKEN="xoxb-unused", SLACK_SIGNING_SECRET="unused")
    result = run_cli(*COMMANDS[command], env=env, cwd=tmp_path)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == (
        "The database at DATABASE_URL (sqlite:///alliance.db) has no tables yet: "
        "run `alliance db upgrade` first.\n"
    )
    assert list(tmp_path.iterdir()) == []


@pytest.mark.dateless
def test_dash_dash_version(tmp_path: Path) -> None:
    result = run_cli("--version", env=bare_env(), cwd=tmp_path)
    assert (result.returncode, result.stdout) == (0, "alliance 0.1.0\n")


def slack_env(tmp_path: Path, api_url: str, **extra: str) -> dict[str, str]:
    return bare_env(
        SLACK_BOT_TOKEN="xoxb-test-token",
        SLACK_SIGNING_SECRET="unused",
        SLACK_API_URL=api_url,
        DATABASE_URL=f"sqlite:///{tmp_path / 'bot.db'}",
        **extra,
    )


@pytest.mark.dateless
@pytest.mark.parametrize("command", [("run",), ("scheduler", "run")], ids=" ".join)
def test_slack_out_of_reach_at_start_is_one_line_and_exit_2(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    result = run_cli(*command, env=slack_env(tmp_path, "http://127.0.0.1:9/api/"), cwd=tmp_path)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == (
        "Alliance cannot reach Slack at SLACK_API_URL (http://127.0.0.1:9/api/): "
        "[Errno 111] Connection refused.\n"
    )


@pytest.mark.dateless
def test_a_token_slack_refuses_is_one_line_and_exit_2(tmp_path: Path, session_fake_slack) -> None:
    session_fake_slack.fail_next("auth.test", error="invalid_auth")
    result = run_cli("run", env=slack_env(tmp_path, session_fake_slack.url), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("Slack refused SLACK_BOT_TOKEN (invalid_auth): ")
    assert len(result.stderr.splitlines()) == 1


@pytest.mark.dateless
def test_a_busy_port_is_one_line_and_exit_2(tmp_path: Path, session_fake_slack) -> None:
    with socket.socket() as taken:
        taken.bind(("0.0.0.0", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = slack_env(tmp_path, session_fake_slack.url, PORT=str(port))
        result = run_cli("run", env=env, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == f"PORT {port} is in use by another program; set PORT to a free one.\n"
