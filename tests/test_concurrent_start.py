"""Several `alliance run` started together on one fresh database, as a deploy or a restart after
an outage does: each migration is applied once, and every process serves."""

from __future__ import annotations

import re
import threading
from collections import Counter
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from bot.sandbox.fake_slack import FakeSlack
from db.engine import Database
from db.migrate import alembic_config, current_revision, head_revision, upgrade
from tests.botprocess import BotProcess, bot_environment

pytestmark = pytest.mark.dateless

PROCESSES = 3
APPLIED = re.compile(r"Running upgrade (\w*) -> (\w+)")


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'fresh.db'}"
    return str(request.getfixturevalue("postgres_url"))


def every_revision(database: Database) -> list[str]:
    script = ScriptDirectory.from_config(alembic_config(database))
    return sorted(revision.revision for revision in script.walk_revisions())


def test_three_processes_started_at_once_migrate_once_and_all_serve(
    fresh_url: str, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    env = bot_environment(fake_slack.url, fresh_url)
    bots = [BotProcess(env, tmp_path / f"bot{n}.log") for n in range(PROCESSES)]
    try:
        for bot in bots:
            bot.launch()
        for bot in bots:
            bot.wait_healthy(timeout=60)
        logs = [bot.log() for bot in bots]
    finally:
        for bot in bots:
            bot.stop()
    applied = Counter(match.group(2) for log in logs for match in APPLIED.finditer(log))
    database = Database(fresh_url)
    try:
        assert sorted(applied) == every_revision(database)
        assert set(applied.values()) == {1}, applied
        assert current_revision(database) == head_revision(database)
    finally:
        database.dispose()
    for log in logs:
        assert " ERROR " not in log and "Traceback" not in log, log


def test_upgrades_in_threads_of_one_process_take_turns_too(fresh_url: str) -> None:
    databases = [Database(fresh_url) for _ in range(PROCESSES)]
    failures: list[BaseException] = []

    def migrate(database: Database) -> None:
        try:
            upgrade(database)
        except BaseException as failure:  # reported below, with the others
            failures.append(failure)

    threads = [threading.Thread(target=migrate, args=(database,)) for database in databases]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert failures == []
        assert current_revision(databases[0]) == head_revision(databases[0])
    finally:
        for database in databases:
            database.dispose()
