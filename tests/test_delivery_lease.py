"""The outbox's delivery lease: one process at a time holds it, and it is free again as soon as
its holder releases it or dies."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from slack_sdk import WebClient
from sqlalchemy import text

from db.engine import Database
from db.locks import DeliveryLease
from db.migrate import upgrade
from domain.pacing import WINDOW, SendPacer
from handlers.delivery import SlackSender
from scheduler.jobs import deliver_outbox
from services.deps import Deps
from tests.test_domain_pacing import ManualClock

HOLD_AND_WAIT = """
import sys, time
from db.engine import Database
from db.locks import DeliveryLease
lease = DeliveryLease(Database(sys.argv[1]))
with lease.delivering() as turn:
    print("held" if turn.holds else "not held", flush=True)
time.sleep(600)
"""


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path) -> str:  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'lease.db'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def databases(url: str) -> Iterator[tuple[Database, Database]]:
    """Two engines on one database, as two processes have."""
    first, second = Database(url), Database(url)
    yield first, second
    first.dispose()
    second.dispose()


def holds(lease: DeliveryLease) -> bool:
    with lease.delivering() as turn:
        return turn.holds


def test_one_holder_at_a_time_and_the_next_takes_it_once_released(
    databases: tuple[Database, Database],
) -> None:
    first, second = DeliveryLease(databases[0]), DeliveryLease(databases[1])
    assert holds(first) and holds(first)
    assert not holds(second)
    first.release()
    assert holds(second)
    assert not holds(first)
    second.release()


def test_the_lease_is_free_within_a_second_of_its_holder_being_killed(
    url: str, databases: tuple[Database, Database]
) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_AND_WAIT, url], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        lease = DeliveryLease(databases[0])
        assert not holds(lease)
        holder.kill()
        holder.wait(timeout=10)
        killed = time.monotonic()
        while not holds(lease) and time.monotonic() - killed < 5:
            time.sleep(0.05)  # PostgreSQL ends the dead connection's session on its own time
        assert lease.held
        assert time.monotonic() - killed < 1
        lease.release()
    finally:
        holder.kill()
        holder.wait(timeout=10)


def test_released_lease_leaves_no_lock_on_a_pooled_connection(postgres_url: str) -> None:
    database = Database(postgres_url)
    try:
        lease = DeliveryLease(database)
        assert holds(lease)
        lease.release()
        with database.engine.connect() as connection:
            advisory = connection.scalar(
                text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
                    " AND database = (SELECT oid FROM pg_database"
                    " WHERE datname = current_database())"
                )
            )
        assert advisory == 0
    finally:
        database.dispose()


def test_a_holder_whose_connection_was_cut_loses_the_lease_and_can_take_it_again(
    postgres_url: str,
) -> None:
    database, other = Database(postgres_url), Database(postgres_url)
    try:
        lease, rival = DeliveryLease(database), DeliveryLease(other)
        assert holds(lease)
        with other.engine.connect() as connection:
            connection.execute(
                text(
                    # Waits up to 10 s for the backend to end (PostgreSQL 14+), so that
                    # its lock is free when the rival tries, however busy the machine.
                    "SELECT pg_terminate_backend(pid, 10000) FROM pg_locks"
                    " WHERE locktype = 'advisory' AND granted AND database ="
                    " (SELECT oid FROM pg_database WHERE datname = current_database())"
                )
            )
        assert holds(rival)
        assert not holds(lease)
        rival.release()
        assert holds(lease)
        lease.release()
    finally:
        database.dispose()
        other.dispose()


def test_a_pass_knows_when_it_has_just_taken_the_lease(
    databases: tuple[Database, Database],
) -> None:
    first, second = DeliveryLease(databases[0]), DeliveryLease(databases[1])
    turns = []
    for lease in (first, first, second, first, second):
        if lease is second and len(turns) == 4:
            first.release()
        with lease.delivering() as turn:
            turns.append(tuple(turn))
    assert turns == [(True, True), (True, False), (False, False), (True, False), (True, True)]
    second.release()


def test_taking_the_lease_holds_a_new_pacer_for_a_window(tmp_path: Path) -> None:
    """Slack still counts the last deliverer's sends: a process that has not learned the rate
    yet waits them out, so that its first refusal does not teach it half the rate."""
    database = Database(f"sqlite:///{tmp_path / 'held.db'}")
    upgrade(database)
    clock = ManualClock()
    learned = SendPacer(clock=clock, sleep=clock.sleep)
    learned.refused(retry_after=0.0)  # a rate known from an earlier turn
    try:
        for pacer, held in ((SendPacer(clock=clock, sleep=clock.sleep), True), (learned, False)):
            lease = DeliveryLease(database)
            deps = Deps(
                database=database,
                clock=lambda: datetime.now(UTC),
                outbox_sender=SlackSender(WebClient(), {}),
                delivery_lease=lease,
                pacer=pacer,
            )
            deliver_outbox(deps, datetime.now(UTC))
            assert pacer.wait_turn(deadline=clock.now + WINDOW / 2) is not held
            lease.release()
    finally:
        database.dispose()
