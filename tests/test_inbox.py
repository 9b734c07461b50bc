"""An acknowledged command is never lost: a bot killed with commands still in its hands does
them after a restart (SQLite) or on the other process (PostgreSQL), each once."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.signed_requests import SignedRequests
from db.engine import Database
from db.models import Expense, Inbox
from tests import clock
from tests.botprocess import SIGNING_SECRET, BotProcess, bot_environment

pytestmark = pytest.mark.dateless

DONE_FIRST, IN_FLIGHT = 10, 30
THREADS = 4  # fewer threads than commands in flight: some wait in the pool, some have begun
HELP_IN_FLIGHT = 5  # help commands sent after them, each meeting a new person after its ack
STUCK_SECONDS = 20  # the profile look-up of the commands in flight, until the kill


def expense(slack: SignedRequests, fake: FakeSlack, n: int) -> None:
    user_id = f"UINBOX{n:04d}"
    fake.add_user(user_id, name=f"inbox{n}")
    reply_to = fake.response_url(f"commands/T0001/{n}/inbox")
    answer = slack.slash_command(f"expense 7 coffee {n}", user_id=user_id, response_url=reply_to)
    assert answer.status_code == 200, answer.text


def replies(fake: FakeSlack, n: int) -> int:
    return sum(call.path.endswith(f"/{n}/inbox") for call in fake.calls("response_url"))


def all_replied(fake: FakeSlack, commands: range) -> bool:
    return all(replies(fake, n) for n in commands)


def expenses(database: Database, n: int) -> int:
    with database.read() as session:
        counted = select(func.count()).where(Expense.description == f"coffee {n}")
        return session.scalar(counted) or 0


def wait_until(done: Callable[[], bool], bots: Sequence[BotProcess], within: float) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if done():
            return
        time.sleep(0.2)  # polling real processes, which run on real time
    logs = "\n".join(bot.log()[-3000:] for bot in bots)
    raise AssertionError(f"not everything was done in time:\n{logs}")


def killed_with_commands_in_flight(fake: FakeSlack, bot: BotProcess, database: Database) -> range:
    """Commands done, then commands acked and not done when the bot is SIGKILLed."""
    with SignedRequests(bot.url, SIGNING_SECRET, response_url_base=fake.response_url_base) as slack:
        for n in range(DONE_FIRST):
            expense(slack, fake, n)
        wait_until(lambda: all_replied(fake, range(DONE_FIRST)), [bot], within=30)
        fake.set_latency("users.info", STUCK_SECONDS)
        in_flight = range(DONE_FIRST, DONE_FIRST + IN_FLIGHT)
        for n in in_flight:
            expense(slack, fake, n)
        for n in range(HELP_IN_FLIGHT):  # answered whole in the ack: nothing is owed after it
            fake.add_user(f"UHELP{n:04d}", name=f"help{n}")
            answer = slack.slash_command("help", user_id=f"UHELP{n:04d}")
            assert answer.status_code == 200 and answer.json()["text"], answer.text
    bot.kill()  # each was written down before its ack: the sends above have returned
    fake.set_latency("users.info", 0)
    with database.read() as session:
        owed = session.scalar(select(func.count()).select_from(Inbox))
    assert owed == IN_FLIGHT, "the kill did not fall with every later command in flight"
    assert not any(expenses(database, n) for n in in_flight)
    return range(DONE_FIRST + IN_FLIGHT)


def assert_each_done_once(fake: FakeSlack, database: Database, commands: range) -> None:
    assert [n for n in commands if expenses(database, n) != 1] == []
    assert [n for n in commands if replies(fake, n) != 1] == []
    with database.read() as session:
        assert session.scalar(select(func.count()).select_from(Inbox)) == 0


def test_a_bot_killed_with_commands_in_flight_does_them_once_after_a_restart(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'inbox.db'}"
    with FakeSlack() as fake:
        fake.set_clock(clock.timestamp)
        env = bot_environment(fake.url, url, ALLIANCE_WEB_THREADS=str(THREADS))
        first = BotProcess(env, tmp_path / "first.log").start()
        database = Database(url)
        try:
            commands = killed_with_commands_in_flight(fake, first, database)
            second = BotProcess(env, tmp_path / "second.log").start()
            try:
                wait_until(lambda: all_replied(fake, commands), [first, second], within=60)
            finally:
                second.stop()
            assert_each_done_once(fake, database, commands)
            assert f"did the work of {IN_FLIGHT} requests" in second.log()
        finally:
            database.dispose()


def test_the_other_bot_does_the_commands_of_one_killed_in_flight(
    tmp_path: Path, postgres_url: str
) -> None:
    with FakeSlack() as fake:
        fake.set_clock(clock.timestamp)
        env = bot_environment(fake.url, postgres_url, ALLIANCE_WEB_THREADS=str(THREADS))
        killed = BotProcess(env, tmp_path / "killed.log").start()
        other = BotProcess(env, tmp_path / "other.log").start()
        database = Database(postgres_url)
        try:
            commands = killed_with_commands_in_flight(fake, killed, database)
            started = time.monotonic()
            wait_until(lambda: all_replied(fake, commands), [killed, other], within=60)
            took = time.monotonic() - started
            assert_each_done_once(fake, database, commands)
            assert took < 15, took
        finally:
            other.stop()
            database.dispose()
