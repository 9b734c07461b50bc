"""The outbox: planned once, delivered once, whatever Slack answers and whenever a process dies."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from slack_sdk import WebClient
from sqlalchemy import delete, func, select, update

import tests.clock as session_clock
from bot.app import build_delivery_client
from bot.config import Settings
from bot.sandbox.fake_slack import FakeSlack
from db.engine import Database
from db.locks import Presence
from db.migrate import upgrade
from db.models import Outbox, Person
from domain.conversations import EXPIRED_NOTE
from domain.delivery import MAX_ATTEMPTS, TOO_MANY_ATTEMPTS, FailureKind, OutboxStatus, Purpose
from domain.pacing import SendPacer
from handlers.delivery import (
    OUTBOX_EVENT_TYPE,
    RENDERERS,
    RenderedMessage,
    SlackSender,
    Upload,
)
from services.outbox import (
    DEFAULT_LEASE,
    ClaimedMessage,
    Delivered,
    DeliveryFailure,
    cancel_pending,
    claim_due,
    deliver_due,
    end_orphaned_claims,
    enqueue,
    list_pending,
)
from tests.botprocess import BOT_TOKEN, BotProcess, bot_environment, free_port

# Far beyond the real clock, so that the shared test bot's own delivery job never finds these
# rows due (it delivers whatever is due in the session's database).
NOW = datetime(2040, 1, 9, 10, 0, tzinfo=UTC)
WORKER = "test-host:1:this-worker"
LEASE = timedelta(minutes=2)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture(scope="module")
def own_fake() -> Iterator[FakeSlack]:
    """A fake Slack of this module's own: no other test's background work reaches it."""
    with FakeSlack() as fake:
        yield fake


@pytest.fixture
def clock(own_fake: FakeSlack) -> Iterator[Clock]:
    """The test's clock, which also stamps the fake's messages, as Slack's clock would."""
    clock = Clock(NOW)
    own_fake.set_clock(lambda: clock.now.timestamp())
    yield clock
    own_fake.set_clock(None)


@pytest.fixture
def fake(own_fake: FakeSlack, clock: Clock) -> FakeSlack:
    own_fake.clear()
    own_fake.clear_faults()
    return own_fake


@pytest.fixture
def database(migrated_database: Database) -> Database:
    with migrated_database.session() as session:
        session.execute(delete(Outbox))
    return migrated_database


def delivery_client(fake: FakeSlack) -> WebClient:
    settings = Settings(bot_token=BOT_TOKEN, signing_secret="unused", slack_api_url=fake.url)
    return build_delivery_client(settings)


@pytest.fixture
def sender(fake: FakeSlack) -> SlackSender:
    return SlackSender(delivery_client(fake), RENDERERS)


def plan(
    database: Database,
    count: int,
    *,
    targets: Sequence[str] = ("UOUTBOX1",),
    purpose: str = Purpose.CONVERSATION_EXPIRED,
    recipient_id: int | None = None,
    now: datetime = NOW,
    subject: str = "test",
) -> list[int]:
    """Plan `count` messages, spread over `targets`; returns their outbox ids."""
    with database.session() as session:
        for n in range(count):
            enqueue(
                session,
                team_id="T1",
                purpose=purpose,
                subject=f"{subject}:{n}",
                occurrence="1",
                target=targets[n % len(targets)],
                payload={"conversation_id": n},
                not_before=now,
                recipient_id=recipient_id,
                now=now,
            )
    with database.read() as session:
        return list(
            session.scalars(
                select(Outbox.id).where(Outbox.subject.like(f"{subject}:%")).order_by(Outbox.id)
            )
        )


def rows(database: Database) -> list[Outbox]:
    with database.read() as session:
        return list(session.scalars(select(Outbox).order_by(Outbox.id)))


def posted(fake: FakeSlack, *users: str) -> Counter[int]:
    """How often each outbox id was posted into these users' DMs, by the messages' metadata."""
    found: Counter[int] = Counter()
    for user in users:
        for message in fake.messages(fake.dm_channel(user)):
            metadata = message.get("metadata") or {}
            if metadata.get("event_type") == OUTBOX_EVENT_TYPE:
                found[metadata["event_payload"]["outbox_id"]] += 1
    return found


def next_due(database: Database) -> datetime | None:
    with database.read() as session:
        return session.scalar(
            select(func.min(Outbox.next_attempt_at)).where(
                Outbox.status.in_((OutboxStatus.PENDING, OutboxStatus.CLAIMED))
            )
        )


def deliver(database: Database, sender: Any, now: datetime, **options: Any) -> Any:
    return deliver_due(database, sender, worker=WORKER, now=now, lease=LEASE, **options)


def add_person(database: Database, user_id: str) -> int:
    with database.session() as session:
        person = session.scalars(select(Person).where(Person.user_id == user_id)).one_or_none()
        if person is None:
            person = Person(
                team_id="T1",
                user_id=user_id,
                name=user_id.lower(),
                real_name="",
                tz=None,
                is_bot=False,
                deleted=False,
                first_seen_at=NOW,
                profile_refreshed_at=NOW,
            )
            session.add(person)
            session.flush()
        return person.id


# --- Planning ---------------------------------------------------------------------------------


def test_planning_twice_makes_one_row(database: Database) -> None:
    def once() -> bool:
        with database.session() as session:
            return enqueue(
                session,
                team_id="T1",
                purpose=Purpose.CONVERSATION_EXPIRED,
                subject="conversation:1",
                occurrence="2040-01-09T10:00:00+00:00",
                target="UOUTBOX1",
                payload={"conversation_id": 1},
                not_before=NOW,
                now=NOW,
            )

    assert [once(), once()] == [True, False]
    [row] = rows(database)
    assert (row.status, row.attempts, row.next_attempt_at) == (OutboxStatus.PENDING, 0, NOW)


@pytest.mark.parametrize(
    "payload",
    [{"note": "I would like to talk"}, {"n": 1.5}, {"ids": ["x" * 65]}],
    ids=["text", "float", "long"],
)
def test_a_payload_holds_ids_and_flags_never_free_text(
    database: Database, payload: dict[str, Any]
) -> None:
    with pytest.raises(ValueError, match="ids only"), database.session() as session:
        enqueue(
            session,
            team_id="T1",
            purpose="x",
            subject="s",
            occurrence="1",
            target="U1",
            payload=payload,
            not_before=NOW,
            now=NOW,
        )
    assert rows(database) == []


# --- Delivery ---------------------------------------------------------------------------------


def test_a_message_is_posted_once_with_its_id_and_where_it_landed_is_recorded(
    database: Database, fake: FakeSlack, sender: SlackSender
) -> None:
    [outbox_id] = plan(database, 1)

    report = deliver(database, sender, NOW)

    assert (report.claimed, report.sent) == (1, 1)
    [call] = fake.calls("chat.postMessage")
    assert call.args["channel"] == "UOUTBOX1"
    assert call.args["text"] == EXPIRED_NOTE
    assert call.json("metadata") == {
        "event_type": "alliance_outbox",
        "event_payload": {"outbox_id": outbox_id},
    }
    [message] = fake.messages(fake.dm_channel("UOUTBOX1"))
    [row] = rows(database)
    assert row.status == OutboxStatus.SENT
    assert (row.slack_channel, row.slack_ts) == (fake.dm_channel("UOUTBOX1"), message["ts"])
    assert (row.sent_at, row.next_attempt_at, row.claimed_until) == (NOW, None, None)
    assert row.attempts == 1 and row.claimed_by == WORKER

    later = deliver(database, sender, NOW + timedelta(days=1))
    assert later.claimed == 0
    assert len(fake.calls("chat.postMessage")) == 1
    assert fake.calls("conversations.history") == []  # a first attempt has nothing to look for


def test_nothing_is_sent_before_it_is_due(
    database: Database, fake: FakeSlack, sender: SlackSender
) -> None:
    plan(database, 1, now=NOW + timedelta(hours=1))
    assert deliver(database, sender, NOW).claimed == 0
    assert deliver(database, sender, NOW + timedelta(hours=1)).sent == 1


def test_429_and_503_for_a_while_then_everything_is_delivered_exactly_once(
    database: Database, fake: FakeSlack, sender: SlackSender, clock: Clock
) -> None:
    users = [f"UBUSY{n}" for n in range(5)]
    ids = plan(database, 10, targets=users)
    fake.rate_limit_next("chat.postMessage", retry_after=30, times=3)
    fake.server_error_next("chat.postMessage", status=503, times=4)

    passes: list[tuple[datetime, list[Any]]] = []
    for _ in range(20):
        seen = len(fake.calls("chat.postMessage"))
        deliver(database, sender, clock.now)
        passes.append((clock.now, fake.calls("chat.postMessage")[seen:]))
        due = next_due(database)
        if due is None:
            break
        clock.now = max(clock.now, due)

    assert posted(fake, *users) == {outbox_id: 1 for outbox_id in ids}
    assert {row.status for row in rows(database)} == {OutboxStatus.SENT}
    statuses = [call.status for _, calls in passes for call in calls]
    assert statuses.count(429) == 3 and statuses.count(503) == 4
    for index, (at, calls) in enumerate(passes):
        if any(call.status == 429 for call in calls):
            # The pass sent nothing more, and nothing went out before Retry-After was over.
            assert [call.status for call in calls] == [429]
            too_soon = [
                call
                for when, later in passes[index + 1 :]
                for call in later
                if when < at + timedelta(seconds=30)
            ]
            assert too_soon == []
    # Each message a 503 may have let through was looked for before it was sent again.
    assert len(fake.calls("conversations.history")) == 4


def test_a_rate_limited_attempt_does_not_count(
    database: Database, fake: FakeSlack, sender: SlackSender
) -> None:
    plan(database, 3, targets=("UPATIENT",))
    fake.rate_limit_next("chat.postMessage", retry_after=45)

    report = deliver(database, sender, NOW)

    assert (report.claimed, report.retried, report.postponed, report.sent) == (3, 1, 2, 0)
    assert len(fake.calls("chat.postMessage")) == 1
    for row in rows(database):
        assert (row.status, row.attempts, row.claimed_by) == (OutboxStatus.PENDING, 0, None)
        assert row.next_attempt_at == NOW + timedelta(seconds=45)


@pytest.mark.parametrize(
    ("error", "unreachable"),
    [("account_inactive", True), ("user_not_found", True), ("channel_not_found", False)],
)
def test_a_permanent_error_stops_retries_records_why_and_reports_the_recipient(
    database: Database, fake: FakeSlack, sender: SlackSender, error: str, unreachable: bool
) -> None:
    person_id = add_person(database, "UGONE1")
    [outbox_id] = plan(database, 1, targets=("UGONE1",), recipient_id=person_id)
    fake.fail_next("chat.postMessage", error, channel="UGONE1")

    report = deliver(database, sender, NOW)

    assert (report.failed, report.sent, report.retried) == (1, 0, 0)
    [failure] = report.failures
    assert (failure.outbox_id, failure.recipient_id, failure.error) == (outbox_id, person_id, error)
    assert report.unreachable_recipients == ({person_id} if unreachable else set())
    [row] = rows(database)
    assert (row.status, row.last_error, row.next_attempt_at) == (
        OutboxStatus.FAILED_PERMANENTLY,
        error,
        None,
    )
    assert deliver(database, sender, NOW + timedelta(days=30)).claimed == 0
    assert len(fake.calls("chat.postMessage")) == 1


def test_a_message_that_keeps_failing_gives_up_after_max_attempts(
    database: Database, fake: FakeSlack, sender: SlackSender, clock: Clock
) -> None:
    plan(database, 1, targets=("UFLAKY",))
    fake.server_error_next("chat.postMessage", status=500, times=MAX_ATTEMPTS + 3)

    deliver(database, sender, clock.now)
    [row] = rows(database)
    assert row.next_attempt_at == NOW + timedelta(seconds=30)  # backoff after a first failure
    assert row.last_error == "http_500"
    failures = []
    while (due := next_due(database)) is not None:
        failures += deliver(database, sender, due).failures

    [row] = rows(database)
    assert (row.status, row.last_error) == (OutboxStatus.FAILED_PERMANENTLY, TOO_MANY_ATTEMPTS)
    assert row.attempts == MAX_ATTEMPTS
    assert len(fake.calls("chat.postMessage")) == MAX_ATTEMPTS
    assert [failure.error for failure in failures] == [TOO_MANY_ATTEMPTS]


# --- Crashes ----------------------------------------------------------------------------------


class Crash(BaseException):
    """The process dying: nothing after it runs, no handler sees it."""


class CrashAfterPosting:
    """Slack accepts the message, then the process dies before recording it."""

    def __init__(self, inner: SlackSender) -> None:
        self.inner = inner

    def prepare(self, messages: Sequence[ClaimedMessage]) -> None:
        self.inner.prepare(messages)

    def send(self, message: ClaimedMessage, before_post: Callable[[], None]) -> Delivered:
        self.inner.send(message, before_post)
        raise Crash

    def already_sent(self, message: ClaimedMessage) -> Delivered | None:
        return self.inner.already_sent(message)


class CrashBeforePosting(CrashAfterPosting):
    def send(self, message: ClaimedMessage, before_post: Callable[[], None]) -> Delivered:
        raise Crash


def crashed_after_posting(database: Database, sender: SlackSender, target: str) -> int:
    """One message, posted to Slack by a process that died before recording it."""
    [outbox_id] = plan(database, 1, targets=(target,))
    with pytest.raises(Crash):
        deliver_due(database, CrashAfterPosting(sender), worker="dead", now=NOW, lease=LEASE)
    return outbox_id


def test_a_crash_between_slack_accepting_and_our_commit_is_recognised_not_posted_twice(
    database: Database, fake: FakeSlack, sender: SlackSender, clock: Clock
) -> None:
    outbox_id = crashed_after_posting(database, sender, "UCRASH1")
    assert posted(fake, "UCRASH1") == {outbox_id: 1}
    assert rows(database)[0].status == OutboxStatus.CLAIMED

    assert deliver(database, sender, clock.advance(minutes=1)).claimed == 0  # lease still held
    clock.now = NOW + LEASE
    report = deliver(database, sender, clock.now)

    assert (report.recognised_as_sent, report.sent) == (1, 0)
    assert posted(fake, "UCRASH1") == {outbox_id: 1}
    [message] = fake.messages(fake.dm_channel("UCRASH1"))
    [row] = rows(database)
    assert (row.status, row.slack_ts, row.attempts) == (OutboxStatus.SENT, message["ts"], 2)
    [history] = fake.calls("conversations.history")
    assert history.args["channel"] == fake.dm_channel("UCRASH1")
    assert history.args["include_all_metadata"] in ("1", "true", True)


def test_the_new_holder_of_the_delivery_lease_takes_over_a_dead_processs_claim_at_once(
    database: Database, fake: FakeSlack, sender: SlackSender, clock: Clock
) -> None:
    outbox_id = crashed_after_posting(database, sender, "UCRASH3")
    assert deliver(database, sender, clock.advance(seconds=1)).claimed == 0

    assert end_orphaned_claims(database, clock.now) == 1
    report = deliver(database, sender, clock.now)

    # Recognised in Slack, not posted again, a second after the crash instead of two minutes.
    assert (report.recognised_as_sent, report.sent) == (1, 0)
    assert posted(fake, "UCRASH3") == {outbox_id: 1}
    assert rows(database)[0].status == OutboxStatus.SENT


def test_a_live_processs_claims_are_left_to_it_until_it_is_gone(
    database: Database, fake: FakeSlack, sender: SlackSender, clock: Clock
) -> None:
    """A process that lost the lease but still runs may be sending what it claimed."""
    presence = Presence(database, "alive")
    presence.start()
    try:
        [outbox_id] = plan(database, 1, targets=("UALIVE1",))
        with pytest.raises(Crash):
            deliver_due(database, CrashAfterPosting(sender), worker="alive", now=NOW, lease=LEASE)
        assert end_orphaned_claims(database, clock.advance(seconds=1)) == 0
        assert deliver(database, sender, clock.now).claimed == 0
    finally:
        presence.stop()

    assert end_orphaned_claims(database, clock.now) == 1
    assert deliver(database, sender, clock.now).recognised_as_sent == 1
    assert posted(fake, "UALIVE1") == {outbox_id: 1}


def test_a_crash_before_posting_loses_nothing(
    database: Database, fake: FakeSlack, sender: SlackSender, clock: Clock
) -> None:
    [outbox_id] = plan(database, 1, targets=("UCRASH2",))
    with pytest.raises(Crash):
        deliver_due(database, CrashBeforePosting(sender), worker="dead", now=NOW, lease=LEASE)

    report = deliver(database, sender, clock.advance(seconds=LEASE.total_seconds()))

    assert (report.recognised_as_sent, report.sent) == (0, 1)
    assert posted(fake, "UCRASH2") == {outbox_id: 1}
    assert len(fake.calls("conversations.history")) == 1  # it looked first


def test_a_send_that_timed_out_after_slack_posted_is_recognised(
    database: Database, fake: FakeSlack, clock: Clock
) -> None:
    [outbox_id] = plan(database, 1, targets=("USLOW1",))
    impatient = SlackSender(WebClient(base_url=fake.url, timeout=1, retry_handlers=[]), RENDERERS)
    fake.set_latency("chat.postMessage", 1.5)  # it is posted, but the answer comes too late

    first = deliver(database, impatient, NOW)
    fake.set_latency("chat.postMessage", 0)
    [row] = rows(database)
    assert (first.retried, row.last_error) == (1, "timeout")

    second = deliver(database, impatient, row.next_attempt_at)
    assert (second.recognised_as_sent, second.sent) == (1, 0)
    assert posted(fake, "USLOW1") == {outbox_id: 1}


def test_a_lease_that_keeps_running_out_gives_up_without_posting_again(
    database: Database, fake: FakeSlack, sender: SlackSender
) -> None:
    plan(database, 1, targets=("UDOOMED",))
    with database.session() as session:
        session.execute(
            update(Outbox).values(
                status=OutboxStatus.CLAIMED, claimed_by="dead", attempts=MAX_ATTEMPTS
            )
        )

    report = deliver(database, sender, NOW)

    assert report.failures[0].error == TOO_MANY_ATTEMPTS
    assert fake.calls("chat.postMessage") == []
    assert len(fake.calls("conversations.history")) == 1


def test_one_faulty_message_does_not_hold_up_the_others(
    database: Database, fake: FakeSlack
) -> None:
    def broken(payload: dict[str, Any]) -> RenderedMessage:
        raise RuntimeError("a bug in a renderer")

    sender = SlackSender(delivery_client(fake), {**RENDERERS, "broken": broken})
    plan(database, 1, purpose="broken", subject="broken")
    plan(database, 2, targets=("UFINE1", "UFINE2"))

    report = deliver(database, sender, NOW)

    assert (report.sent, report.retried) == (2, 1)
    broken_row = next(row for row in rows(database) if row.purpose == "broken")
    assert (broken_row.status, broken_row.last_error) == (OutboxStatus.PENDING, "internal_error")


def test_stopping_hands_back_what_was_not_sent(
    database: Database, fake: FakeSlack, sender: SlackSender
) -> None:
    plan(database, 3)

    report = deliver(database, sender, NOW, stopping=lambda: True)

    assert (report.claimed, report.postponed, report.sent) == (3, 3, 0)
    assert fake.calls("chat.postMessage") == []
    for row in rows(database):
        assert (row.status, row.attempts, row.next_attempt_at) == (OutboxStatus.PENDING, 0, NOW)


# --- Claims -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("threads", "count"), [(2, 200), (16, 1000)])
def test_concurrent_claims_from_two_engines_never_overlap(
    database: Database, threads: int, count: int
) -> None:
    ids = plan(database, count)
    engines = [Database(database.url) for _ in range(2)]
    start = threading.Barrier(threads)
    claimed: list[list[int]] = [[] for _ in range(threads)]
    errors: list[BaseException] = []

    def claim(n: int) -> None:
        try:
            start.wait()
            while batch := claim_due(
                engines[n % 2], worker=f"worker-{n}", now=NOW, limit=7, lease=LEASE
            ):
                claimed[n] += [message.id for message in batch]
        except Exception as error:
            errors.append(error)

    workers = [threading.Thread(target=claim, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    for engine in engines:
        engine.dispose()

    assert errors == []
    every_claim = [outbox_id for batch in claimed for outbox_id in batch]
    assert len(every_claim) == len(set(every_claim)), "a row was claimed twice"
    assert sorted(every_claim) == ids
    owners = {row.id: row.claimed_by for row in rows(database)}
    for n, batch in enumerate(claimed):
        assert {owners[outbox_id] for outbox_id in batch} <= {f"worker-{n}"}


def test_claims_take_the_oldest_first_and_an_expired_lease_only(database: Database) -> None:
    later = plan(database, 2, now=NOW - timedelta(minutes=1), subject="later")
    earlier = plan(database, 2, now=NOW - timedelta(minutes=5), subject="earlier")

    first = claim_due(database, worker="a", now=NOW, limit=2, lease=LEASE)
    assert [message.id for message in first] == earlier
    assert [message.attempts for message in first] == [1, 1]
    assert [m.id for m in claim_due(database, worker="b", now=NOW, limit=5, lease=LEASE)] == later
    assert claim_due(database, worker="c", now=NOW + LEASE / 2, limit=5, lease=LEASE) == []
    again = claim_due(database, worker="c", now=NOW + LEASE, limit=5, lease=LEASE)
    assert sorted(message.id for message in again) == sorted(earlier + later)
    assert {message.attempts for message in again} == {2}


# --- Previews and cancelling ------------------------------------------------------------------


def test_pending_messages_can_be_listed_and_cancelled(
    database: Database, fake: FakeSlack, sender: SlackSender
) -> None:
    person_id = add_person(database, "UAWAY1")
    soon = plan(database, 1, targets=("UAWAY1",), recipient_id=person_id, subject="soon")
    later = plan(
        database, 1, targets=("UAWAY1",), recipient_id=person_id, now=NOW + timedelta(days=2)
    )
    other = plan(database, 1, targets=("UOTHER1",), subject="other")

    assert [m.id for m in list_pending(database, until=NOW + timedelta(days=1))] == soon + other
    assert [m.id for m in list_pending(database, until=NOW + timedelta(days=3))] == (
        soon + other + later
    )
    with database.session() as session:
        assert cancel_pending(session, recipient_id=person_id, now=NOW) == 2

    assert deliver(database, sender, NOW + timedelta(days=3)).sent == 1
    assert posted(fake, "UAWAY1") == Counter()
    statuses = {row.id: row.status for row in rows(database)}
    assert statuses == {
        soon[0]: OutboxStatus.CANCELLED,
        later[0]: OutboxStatus.CANCELLED,
        other[0]: OutboxStatus.SENT,
    }


# --- The Slack sender -------------------------------------------------------------------------


def claimed_message(target: str = "UOUTBOX1", purpose: str = Purpose.CONVERSATION_EXPIRED) -> Any:
    return ClaimedMessage(
        id=1,
        team_id="T1",
        purpose=purpose,
        target=target,
        recipient_id=None,
        payload={},
        attempts=1,
        last_attempt_at=None,
        created_at=NOW,
    )


def test_the_delivery_client_leaves_retrying_to_the_outbox(fake: FakeSlack) -> None:
    assert delivery_client(fake).retry_handlers == []
    fake.server_error_next("chat.postMessage", status=503)
    with pytest.raises(DeliveryFailure) as failure:
        SlackSender(delivery_client(fake), RENDERERS).send(claimed_message(), lambda: None)
    assert (failure.value.kind, failure.value.code) == (FailureKind.TRANSIENT, "http_503")
    assert len(fake.calls("chat.postMessage")) == 1


def test_a_rate_limit_carries_its_retry_after(fake: FakeSlack, sender: SlackSender) -> None:
    fake.rate_limit_next("chat.postMessage", retry_after=17)
    with pytest.raises(DeliveryFailure) as failure:
        sender.send(claimed_message(), lambda: None)
    assert failure.value.kind == FailureKind.RATE_LIMITED
    assert failure.value.retry_after == timedelta(seconds=17)


def test_an_unreachable_slack_is_a_transient_failure() -> None:
    client = WebClient(base_url=f"http://127.0.0.1:{free_port()}/api/", retry_handlers=[])
    with pytest.raises(DeliveryFailure) as failure:
        SlackSender(client, RENDERERS).send(claimed_message(), lambda: None)
    assert (failure.value.kind, failure.value.code) == (FailureKind.TRANSIENT, "connection_error")


def test_an_unknown_purpose_waits_for_a_bot_that_knows_it(sender: SlackSender) -> None:
    with pytest.raises(DeliveryFailure) as failure:
        sender.send(claimed_message(purpose="from_the_future"), lambda: None)
    assert (failure.value.kind, failure.value.code) == (FailureKind.TRANSIENT, "unknown_purpose")


def test_history_is_read_page_by_page_in_the_dm_with_the_user(
    fake: FakeSlack, sender: SlackSender
) -> None:
    message = claimed_message(target="UCHATTY")
    sender.send(message, lambda: None)
    client = delivery_client(fake)
    for n in range(450):  # later messages, more than two pages of them
        client.chat_postMessage(channel="UCHATTY", text=str(n))

    found = sender.already_sent(message)

    assert found is not None and found.channel == fake.dm_channel("UCHATTY")
    assert len(fake.calls("conversations.history")) == 3
    assert len(fake.calls("conversations.open")) == 1
    assert sender.already_sent(claimed_message(target="UCHATTY", purpose="x")) is not None
    assert len(fake.calls("conversations.open")) == 1  # the DM channel is remembered


def test_a_message_with_a_file_is_shared_once_and_recognised_after_a_crash(
    fake: FakeSlack, clock: Clock
) -> None:
    """A file goes with files upload v2, the text as its comment; its name carries the outbox
    id, so a retry after Slack accepted it finds it in the channel instead of sharing again."""
    png = b"\x89PNG\r\n\x1a\n" + bytes(64)

    def chart(payload: dict[str, Any]) -> RenderedMessage:
        return RenderedMessage("*Weekly digest*", upload=Upload("chart.png", "Chart", "Lines", png))

    sender = SlackSender(delivery_client(fake), {"digest": chart})
    message = claimed_message(target="UCHART1", purpose="digest")
    where = sender.send(message, lambda: None)

    assert where == Delivered(channel=fake.dm_channel("UCHART1"), ts=None)
    [uploaded] = fake.calls("file_upload")
    assert uploaded.body == png
    [shared] = fake.calls("files.completeUploadExternal")
    assert shared.args["channel_id"] == fake.dm_channel("UCHART1")
    assert shared.args["initial_comment"] == "*Weekly digest*"
    found = sender.already_sent(message)
    assert found is not None and found.channel == fake.dm_channel("UCHART1")
    assert sender.already_sent(replace(message, id=2)) is None  # another message's file


# --- Real processes ---------------------------------------------------------------------------


def plan_batch(url: str, count: int, users: int) -> list[int]:
    database = Database(url)
    try:
        upgrade(database)
        now = session_clock.now()
        return plan(
            database,
            count,
            targets=[f"UBATCH{n:03d}" for n in range(users)],
            now=now - timedelta(seconds=1),
            subject="batch",
        )
    finally:
        database.dispose()


def wait_until_delivered(
    url: str, count: int, bots: Sequence[BotProcess], within: float = 90
) -> list[Outbox]:
    database = Database(url)
    try:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            found = rows(database)
            if sum(row.status == OutboxStatus.SENT for row in found) == count:
                return found
            time.sleep(0.2)  # polling real processes, which run on real time
        logs = "\n".join(bot.log()[-3000:] for bot in bots)
        raise AssertionError(f"not everything was delivered in time:\n{logs}")
    finally:
        database.dispose()


def assert_each_posted_once(
    fake: FakeSlack, ids: list[int], users: int, found: list[Outbox]
) -> None:
    channels = {fake.dm_channel(f"UBATCH{n:03d}") for n in range(users)}
    stamps: dict[int, list[str]] = {}
    for channel in channels:
        for message in fake.messages(channel):
            outbox_id = message["metadata"]["event_payload"]["outbox_id"]
            stamps.setdefault(outbox_id, []).append(message["ts"])
    duplicates = {outbox_id: ts for outbox_id, ts in stamps.items() if len(ts) > 1}
    assert duplicates == {}, f"posted more than once: {duplicates}"
    assert sorted(stamps) == ids, "some messages were lost"
    assert {row.id: row.slack_ts for row in found} == {i: ts[0] for i, ts in stamps.items()}


BATCH, BATCH_USERS = 300, 30
DELIVERS = "this process delivers the outbox now"
LEASE_SECONDS = DEFAULT_LEASE.total_seconds()


@pytest.mark.dateless
def test_a_bot_killed_mid_batch_and_restarted_delivers_every_message_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'batch.db'}"
    ids = plan_batch(url, BATCH, BATCH_USERS)
    with FakeSlack() as fake:
        fake.set_clock(session_clock.timestamp)
        fake.set_latency("chat.postMessage", 0.02)
        env = bot_environment(fake.url, url, ALLIANCE_DELIVERY_INTERVAL_SECONDS="1")
        first = BotProcess(env, tmp_path / "first.log")
        first.start()
        fake.wait_for("chat.postMessage", count=BATCH // 4, timeout=60)
        first.kill()
        posted_before = sum(
            len(fake.messages(fake.dm_channel(f"UBATCH{n:03d}"))) for n in range(BATCH_USERS)
        )
        assert 0 < posted_before < BATCH, "the kill did not fall in the middle of the batch"

        # The dead process's claims (two minutes each) are taken over at the next start.
        second = BotProcess(env, tmp_path / "second.log").start()
        try:
            found = wait_until_delivered(url, BATCH, [first, second], within=LEASE_SECONDS / 4)
        finally:
            second.stop()
        assert_each_posted_once(fake, ids, BATCH_USERS, found)


@contextmanager
def two_bots(
    url: str, tmp_path: Path, latency: float
) -> Iterator[tuple[FakeSlack, list[BotProcess]]]:
    """Two bots on one database, each sending to a fake Slack that answers after `latency`."""
    with FakeSlack() as fake:
        fake.set_clock(session_clock.timestamp)
        fake.set_latency("chat.postMessage", latency)
        env = bot_environment(fake.url, url, ALLIANCE_DELIVERY_INTERVAL_SECONDS="1")
        bots = [BotProcess(env, tmp_path / f"bot{n}.log") for n in range(2)]
        try:
            for bot in bots:
                bot.start()
            yield fake, bots
        finally:
            for bot in bots:
                bot.stop()


def test_two_bots_sharing_postgresql_deliver_a_batch_once(
    tmp_path: Path, postgres_url: str
) -> None:
    ids = plan_batch(postgres_url, BATCH, BATCH_USERS)
    with two_bots(postgres_url, tmp_path, latency=0.01) as (fake, bots):
        found = wait_until_delivered(postgres_url, BATCH, bots)
        assert_each_posted_once(fake, ids, BATCH_USERS, found)
        assert len({row.claimed_by for row in found}) == 1  # one process delivers
        roles = sorted(requests.get(f"{bot.url}/healthz", timeout=5).json()["role"] for bot in bots)
        assert roles == ["delivering", "standby"]


def test_when_the_delivering_bot_is_killed_the_other_resumes_within_seconds(
    tmp_path: Path, postgres_url: str
) -> None:
    ids = plan_batch(postgres_url, BATCH, BATCH_USERS)
    with two_bots(postgres_url, tmp_path, latency=0.02) as (fake, bots):
        fake.wait_for("chat.postMessage", count=BATCH // 4, timeout=60)
        [delivering] = [bot for bot in bots if DELIVERS in bot.log()]
        [other] = [bot for bot in bots if bot is not delivering]
        delivering.kill()
        killed = time.monotonic()
        posted_before = len(fake.calls("chat.postMessage"))
        assert posted_before < BATCH, "the kill did not fall in the middle of the batch"
        # Rows it had claimed were claimed for two minutes: the other bot takes them over at
        # once, looking in Slack for each first (the dead one may have posted it), and goes on
        # with the rest. (Killed between two batches, it has none claimed.)
        fake.wait_for("chat.postMessage", count=posted_before + 1, timeout=10)
        resumed = time.monotonic() - killed
        found = wait_until_delivered(postgres_url, BATCH, bots, within=LEASE_SECONDS / 4)
        assert resumed < 10
        assert DELIVERS in other.log()
        assert_each_posted_once(fake, ids, BATCH_USERS, found)


# --- Pace -------------------------------------------------------------------------------------


def test_a_channel_gets_one_message_a_pass_and_the_rest_a_second_apart(
    database: Database, fake: FakeSlack, sender: SlackSender
) -> None:
    ids = plan(database, 3, targets=("UCHATTY",))
    report = deliver(database, sender, NOW)
    assert (report.sent, report.postponed) == (1, 2)
    waiting = {row.id: row.next_attempt_at for row in rows(database) if row.sent_at is None}
    assert waiting == {ids[1]: NOW + timedelta(seconds=1), ids[2]: NOW + timedelta(seconds=2)}
    deliver(database, sender, NOW + timedelta(seconds=1))
    deliver(database, sender, NOW + timedelta(seconds=2))
    assert posted(fake, "UCHATTY") == {outbox_id: 1 for outbox_id in ids}
    assert [call.status for call in fake.calls("chat.postMessage")] == [200, 200, 200]


def test_concurrent_sends_learn_slacks_rate_and_deliver_everything_once(
    database: Database, fake: FakeSlack, sender: SlackSender
) -> None:
    users = [f"UPACED{n:02d}" for n in range(40)]
    ids = plan(database, len(users), targets=users)
    fake.limit_rate("chat.postMessage", per_second=20)
    fake.set_latency("chat.postMessage", 0.02)
    pacer = SendPacer()

    report = deliver(database, sender, NOW, concurrency=8, pacer=pacer)

    # Slack's refusals were waited out within the pass, and the pace learned from the first.
    assert (report.sent, report.retried, report.postponed) == (len(users), 0, 0)
    assert posted(fake, *users) == {outbox_id: 1 for outbox_id in ids}
    statuses = [call.status for call in fake.calls("chat.postMessage")]
    assert statuses.count(200) == len(users) and 429 in statuses
    assert pacer.rate is not None and pacer.rate <= 20
    assert {row.status for row in rows(database)} == {OutboxStatus.SENT}
