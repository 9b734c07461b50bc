"""Shared fixtures: the databases, the fake Slack, a running bot, and a guard on the network."""

from __future__ import annotations

import ipaddress
import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.signed_requests import SignedRequests
from db.engine import Database
from db.migrate import upgrade
from tests import clock
from tests.botprocess import (
    ALUMNI_CHANNEL,
    LEARNING_CHANNEL,
    SIGNING_SECRET,
    BotProcess,
    bot_environment,
)

POSTGRES_SKIP_REASON = (
    "PostgreSQL tests need TEST_DATABASE_URL, e.g. "
    "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)

_real_connect = socket.socket.connect


def pytest_report_header() -> str:
    return f"clock pinned at {clock.PINNED.isoformat()} (ALLIANCE_TEST_NOW sets it)"


def _loopback_only(self: socket.socket, address: Any) -> Any:
    """Fail any test that tries to reach beyond this machine."""
    if self.family in (socket.AF_INET, socket.AF_INET6):
        host = address[0]
        try:
            is_local = ipaddress.ip_address(host).is_loopback
        except ValueError:
            is_local = host == "localhost"
        if not is_local:
            raise RuntimeError(f"tests must not reach the network (tried {address})")
    return _real_connect(self, address)


@pytest.fixture(autouse=True, scope="session")
def no_network() -> Iterator[None]:
    socket.socket.connect = _loopback_only  # type: ignore[method-assign]
    yield
    socket.socket.connect = _real_connect  # type: ignore[method-assign]


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A fresh, empty database of each kind for the session (PostgreSQL only when configured)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'alliance.db'}"
        return
    yield from fresh_postgres_database()


def fresh_postgres_database() -> Iterator[str]:
    admin_url = os.environ.get("TEST_DATABASE_URL")
    if not admin_url:
        pytest.skip(POSTGRES_SKIP_REASON)
    name = f"alliance_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database of the test's own (skips when none is configured)."""
    yield from fresh_postgres_database()


@pytest.fixture(scope="session")
def migrated_database(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    upgrade(database)
    yield database
    database.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def own_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A migrated database of the test's own, which no running bot's jobs touch."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'own.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    database = Database(url)
    upgrade(database)
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def session_fake_slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


@pytest.fixture
def fake_slack(session_fake_slack: FakeSlack) -> Iterator[FakeSlack]:
    """The session's fake Slack, with calls and injected faults from earlier tests cleared."""
    session_fake_slack.clear()
    session_fake_slack.clear_faults()
    yield session_fake_slack


@pytest.fixture(scope="session")
def running_bot(
    database_url: str, session_fake_slack: FakeSlack, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[BotProcess]:
    """One `alliance run` per database kind, shared by the end-to-end tests."""
    env = bot_environment(
        session_fake_slack.url,
        database_url,
        ALLIANCE_ADMINS="UADMIN1",
        ALLIANCE_ALUMNI_CHANNEL=ALUMNI_CHANNEL,
        ALLIANCE_LEARNING_CHANNEL=LEARNING_CHANNEL,
    )
    bot = BotProcess(env, tmp_path_factory.mktemp("bot") / "bot.log").start()
    yield bot
    bot.stop()


@pytest.fixture
def slack(running_bot: BotProcess, fake_slack: FakeSlack) -> Iterator[SignedRequests]:
    """Sends signed requests to the running bot, as Slack would."""
    with SignedRequests(
        running_bot.url, SIGNING_SECRET, response_url_base=fake_slack.response_url_base
    ) as sender:
        yield sender


@pytest.fixture
def bot_database(running_bot: BotProcess, migrated_database: Database) -> Database:
    """The running bot's database, for assertions about what it stored."""
    return migrated_database


@pytest.fixture
def tmp_log(tmp_path: Path) -> Path:
    return tmp_path / "bot.log"
