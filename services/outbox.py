"""The outbox: messages the bot sends on its own, planned once and delivered exactly once.

Planning inserts one row per (purpose, subject, occurrence), so planning twice is harmless.
Delivery claims due rows for a lease, sends each through a `Sender` and records where it
landed, each outcome in its own short transaction. A process that dies mid-send leaves its
rows claimed; when the lease runs out another pass claims them again, and because every message
carries its row's id, the sender can recognise one an earlier attempt already posted.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Collection, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import CursorResult, bindparam, func, or_, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from db.engine import Database
from db.locks import is_gone
from db.models import Outbox
from db.upsert import insert_if_absent, insert_many_if_absent
from domain.delivery import (
    MAX_ATTEMPTS,
    TOO_MANY_ATTEMPTS,
    UNREACHABLE_ERRORS,
    FailureKind,
    OutboxStatus,
    backoff,
)
from domain.pacing import SendPacer

logger = logging.getLogger(__name__)

DELIVERY_INTERVAL = timedelta(seconds=10)
DELIVERY_CONCURRENCY = 32
DEFAULT_BATCH = 100
# Rows claimed per sending thread: enough that a batch's last sends (which hold up the next
# claim) are a small share of its time.
BATCH_PER_SENDER = 40
DEFAULT_LEASE = timedelta(minutes=2)
# A pass stops starting sends once this share of the lease has gone by in real time, so that a
# slow pass never sends a row whose lease ran out and which another process may have claimed.
LEASE_SHARE_FOR_SENDING = 0.5
LIVE = (OutboxStatus.PENDING, OutboxStatus.CLAIMED)
# Slack takes about one message per second per channel: in a pass a channel gets one message,
# and the rest of its messages are handed back to go a second apart.
CHANNEL_SPACING = timedelta(seconds=1)
# Sent rows are recorded this many at a time (and at the end of each pass).
SENT_RECORD_BATCH = 50
# A Retry-After up to this long is waited out within the pass (with a pacer).
IN_PASS_WAIT = timedelta(seconds=10)
_WORKER_ID_LENGTH = 64  # outbox.claimed_by
_FREE_TEXT_LIMIT = 64


def new_worker_id() -> str:
    """`host:pid:uuid4`, naming one delivering process in `outbox.claimed_by`."""
    tail = f":{os.getpid()}:{uuid.uuid4().hex}"
    return socket.gethostname()[: _WORKER_ID_LENGTH - len(tail)] + tail


@dataclass(frozen=True)
class PlannedMessage:
    """A message to plan: `payload` holds ids and flags only, as it is rendered when sent."""

    team_id: str
    purpose: str
    subject: str
    occurrence: str
    target: str
    payload: dict[str, Any]
    not_before: datetime
    recipient_id: int | None = None

    def row(self, now: datetime) -> dict[str, Any]:
        _check_payload(self.payload, "payload")
        return {
            "team_id": self.team_id,
            "purpose": self.purpose,
            "subject": self.subject,
            "occurrence": self.occurrence,
            "recipient_id": self.recipient_id,
            "target": self.target,
            "payload": self.payload,
            "status": OutboxStatus.PENDING.value,
            "attempts": 0,
            "next_attempt_at": self.not_before,
            "created_at": now,
            "updated_at": now,
        }


def enqueue(
    session: Session,
    *,
    team_id: str,
    purpose: str,
    subject: str,
    occurrence: str,
    target: str,
    payload: dict[str, Any],
    not_before: datetime,
    recipient_id: int | None = None,
    now: datetime,
) -> bool:
    """Plan a message in the caller's transaction; False when it was already planned."""
    message = PlannedMessage(
        team_id, purpose, subject, occurrence, target, payload, not_before, recipient_id
    )
    return insert_if_absent(session, Outbox.__table__, message.row(now))  # type: ignore[arg-type]


def enqueue_many(session: Session, messages: Sequence[PlannedMessage], *, now: datetime) -> None:
    """Plan many messages in one statement; any already planned are left as they were."""
    if messages:
        insert_many_if_absent(
            session,
            Outbox.__table__,  # type: ignore[arg-type]
            [message.row(now) for message in messages],
        )


def _check_payload(value: Any, where: str) -> None:
    """Refuse anything that looks like free text: personal text must not sit in the outbox."""
    if isinstance(value, dict):
        for key, item in value.items():
            _check_payload(key, f"{where} key")
            _check_payload(item, f"{where}[{key!r}]")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_payload(item, f"{where}[{index}]")
    elif isinstance(value, str):
        if len(value) > _FREE_TEXT_LIMIT or any(char.isspace() for char in value):
            raise ValueError(f"{where} looks like free text; an outbox payload holds ids only")
    elif value is not None and not isinstance(value, bool | int):
        raise ValueError(f"{where} is a {type(value).__name__}; an outbox payload holds ids only")


@dataclass(frozen=True)
class ClaimedMessage:
    """A row this worker holds for the length of its lease."""

    id: int
    team_id: str
    purpose: str
    target: str
    recipient_id: int | None
    payload: dict[str, Any]
    attempts: int  # this one included
    last_attempt_at: datetime | None  # when the last recorded attempt began
    created_at: datetime

    @property
    def may_have_been_sent(self) -> bool:
        """An earlier attempt may have reached Slack: it timed out, or its process died."""
        return self.attempts > 1

    @property
    def earlier_attempts_since(self) -> datetime:
        """No earlier attempt can have posted this message before this moment.

        Outcomes are recorded with the time their pass began, and every attempt after the
        first looked for earlier posts before sending; an attempt whose process died recorded
        nothing, so the last recorded time (or the row's creation) still precedes it.
        """
        return self.last_attempt_at or self.created_at


@dataclass(frozen=True)
class Delivered:
    """Where Slack put a message."""

    channel: str
    ts: str | None  # None: Slack shares an uploaded file after answering, so no ts yet


class DeliveryFailure(Exception):
    """A send or a look-up that did not work, and what kind of failure it was."""

    def __init__(
        self, kind: FailureKind, code: str, *, retry_after: timedelta | None = None
    ) -> None:
        super().__init__(f"{kind.value}: {code}")
        self.kind = kind
        self.code = code
        self.retry_after = retry_after


class NotYourTurn(Exception):
    """Raised by a send's `before_post`: the pace allows no post before the pass ends."""


class Sender(Protocol):
    """Delivers outbox messages; raises DeliveryFailure when it cannot."""

    def prepare(self, messages: Sequence[ClaimedMessage]) -> None:
        """The pass's messages, in the order they will be sent, before the first is (so that
        what they show can be read ahead)."""
        ...

    def send(self, message: ClaimedMessage, before_post: Callable[[], None]) -> Delivered:
        """Post the message; `before_post` runs just before the Web API call (it waits for the
        pace, or raises NotYourTurn, and then nothing is posted)."""
        ...

    def already_sent(self, message: ClaimedMessage) -> Delivered | None:
        """Where an earlier attempt posted this message, or None when none did."""
        ...


@dataclass(frozen=True)
class PermanentFailure:
    outbox_id: int
    purpose: str
    recipient_id: int | None
    error: str


@dataclass
class DeliveryReport:
    claimed: int = 0
    sent: int = 0
    recognised_as_sent: int = 0  # an earlier attempt had posted it; recorded, not re-sent
    retried: int = 0  # failed for now; pending again after a backoff or Retry-After
    failed: int = 0  # failed_permanently
    postponed: int = 0  # claimed but not tried (rate limit, lease running out, stopping)
    rate_limited: int = 0  # calls Slack answered with 429
    failures: list[PermanentFailure] = field(default_factory=list)

    def summary(self) -> str:
        counts = ("claimed", "sent", "recognised_as_sent", "retried", "failed", "postponed")
        return ", ".join(f"{name} {getattr(self, name)}" for name in counts)

    @property
    def unreachable_recipients(self) -> set[int]:
        """People whose account Slack says cannot be reached: their tours should be flagged."""
        return {
            failure.recipient_id
            for failure in self.failures
            if failure.recipient_id is not None and failure.error in UNREACHABLE_ERRORS
        }


def claim_due(
    database: Database,
    *,
    worker: str,
    now: datetime,
    limit: int,
    lease: timedelta,
) -> list[ClaimedMessage]:
    """Claim up to `limit` due rows, oldest first, for `lease`; no two workers get the same row.

    Due: pending, or claimed by someone whose lease ran out (a claimed row's next_attempt_at is
    its claimed_until), with next_attempt_at <= now.
    """
    until = now + lease
    due = (
        select(Outbox.id)
        .where(Outbox.status.in_(LIVE), Outbox.next_attempt_at <= now)
        .order_by(Outbox.next_attempt_at, Outbox.id)
        .limit(limit)
    )
    claim = update(Outbox).values(
        status=OutboxStatus.CLAIMED,
        claimed_by=worker,
        claimed_until=until,
        next_attempt_at=until,
        attempts=Outbox.attempts + 1,
        updated_at=now,
    )
    returned = (
        Outbox.id,
        Outbox.team_id,
        Outbox.purpose,
        Outbox.target,
        Outbox.recipient_id,
        Outbox.payload,
        Outbox.attempts,
        Outbox.last_attempt_at,
        Outbox.created_at,
    )
    with database.read() as session:
        # Most passes find nothing: they need not queue for SQLite's write lock to learn it.
        if session.scalar(due.with_only_columns(Outbox.id).limit(1)) is None:
            return []
    with database.session() as session:
        if database.engine.dialect.name == "postgresql":
            # Rows another transaction is claiming right now are skipped, not waited for.
            ids = session.scalars(due.with_for_update(skip_locked=True)).all()
            if not ids:
                return []
            rows = session.execute(claim.where(Outbox.id.in_(ids)).returning(*returned)).all()
        else:
            # SQLite has one writer: this transaction holds the write lock (BEGIN IMMEDIATE).
            rows = session.execute(
                claim.where(Outbox.id.in_(due.scalar_subquery())).returning(*returned)
            ).all()
    return sorted((ClaimedMessage(**row._mapping) for row in rows), key=lambda m: m.id)


def end_orphaned_claims(database: Database, now: datetime) -> int:
    """Make the rows claimed by processes that are gone (db/locks.py `is_gone`) due at once,
    for the process that has just taken the delivery lease; a live process's claims are left
    to it, to finish or to run out. Each is then looked for in Slack before it is sent again,
    as when a claim runs out. How many there were."""
    claimed = (Outbox.status == OutboxStatus.CLAIMED, Outbox.next_attempt_at > now)
    with database.read() as session:
        claimers = session.scalars(select(Outbox.claimed_by).where(*claimed).distinct()).all()
    gone = [worker for worker in claimers if worker is not None and is_gone(database, worker)]
    if not gone:
        return 0
    with database.session() as session:
        ended: CursorResult[Any] = session.execute(  # type: ignore[assignment]
            update(Outbox)
            .where(*claimed, Outbox.claimed_by.in_(gone))
            .values(claimed_until=now, next_attempt_at=now)
        )
    return ended.rowcount


def due_backlog(database: Database, now: datetime) -> tuple[int, datetime | None]:
    """How many messages are due to be sent (or retried) by `now`, and since when the oldest
    has waited. One range scan of the live rows' index."""
    with database.read() as session:
        due, oldest = session.execute(
            select(func.count(), func.min(Outbox.next_attempt_at)).where(
                Outbox.next_attempt_at <= now, Outbox.status.in_(LIVE)
            )
        ).one()
    return int(due), oldest


# The two kinds of call a delivery makes; a rate limit on one leaves the other alone.
_SEND, _CHECK = "send", "check"


def batch_size(concurrency: int) -> int:
    """How many rows one delivery pass claims."""
    return max(DEFAULT_BATCH, BATCH_PER_SENDER * concurrency)


def deliver_due(
    database: Database,
    sender: Sender,
    *,
    worker: str,
    now: datetime,
    limit: int = DEFAULT_BATCH,
    lease: timedelta = DEFAULT_LEASE,
    stopping: Callable[[], bool] = lambda: False,
    concurrency: int = 1,
    pacer: SendPacer | None = None,
) -> DeliveryReport:
    """One delivery pass: claim what is due, send it, record each outcome as it happens.

    Up to `concurrency` channels are sent to at once, one message each; the others to the same
    channel are handed back to go a second apart (Slack allows a message per second per
    channel). With a `pacer`,
    a short Retry-After pauses every sender and the refused message is tried again in the same
    pass; without one, the rest of the pass is handed back for later."""
    claimed = claim_due(database, worker=worker, now=now, limit=limit, lease=lease)
    deadline = time.monotonic() + lease.total_seconds() * LEASE_SHARE_FOR_SENDING
    delivery = _Pass(
        database,
        sender,
        worker,
        now,
        DeliveryReport(claimed=len(claimed)),
        deadline=deadline,
        stopping=stopping,
        pacer=pacer,
    )
    by_channel: dict[str, list[ClaimedMessage]] = defaultdict(list)
    for message in claimed:
        by_channel[message.target].append(message)
    first_of_each = [queue[0] for queue in by_channel.values()]
    sender.prepare(first_of_each)
    if concurrency <= 1 or len(first_of_each) <= 1:
        for message in first_of_each:
            delivery.deliver_one(message)
    else:
        with ThreadPoolExecutor(
            max_workers=min(concurrency, len(first_of_each)), thread_name_prefix="alliance-send"
        ) as pool:
            list(pool.map(delivery.deliver_one, first_of_each))
    delivery.flush_sent()
    for queue in by_channel.values():
        delivery.space_out(queue)
    return delivery.report


@dataclass
class _Pass:
    """One pass's delivery of its claimed rows; each outcome is its own short transaction."""

    database: Database
    sender: Sender
    worker: str
    now: datetime
    report: DeliveryReport
    deadline: float  # time.monotonic() after which nothing more is sent in this pass
    stopping: Callable[[], bool]
    pacer: SendPacer | None
    # Call kind -> when Slack's rate limit lets us make that call again.
    blocked: dict[str, datetime] = field(default_factory=dict)
    sent_ids: set[int] = field(default_factory=set)  # sent in this pass
    _unrecorded: list[dict[str, Any]] = field(default_factory=list)  # sent, not yet recorded
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def deliver_one(self, message: ClaimedMessage) -> None:
        if self.stopping() or time.monotonic() > self.deadline:
            self.postpone(message, until=self.now)
            return
        try:
            self.deliver(message)
        except Exception:
            # One faulty message (a bug in its renderer, say) must not hold up the others.
            logger.exception("delivering outbox message %d failed", message.id)
            self.retry_later(message, "internal_error")

    def space_out(self, queue: list[ClaimedMessage]) -> None:
        """Hand back a channel's other messages to go a second apart after the first (or when
        the first goes, if it did not), and not before a rate limit of this pass is over."""
        first_went = queue[0].id in self.sent_ids
        for place, message in enumerate(queue[1:], start=1):
            until = self.now + CHANNEL_SPACING * place if first_went else self.now
            if _SEND in self.blocked:
                until = max(until, self.blocked[_SEND])
            self.postpone(message, until=until)

    def deliver(self, message: ClaimedMessage) -> None:
        """Send one message, unless an earlier attempt already did."""
        if message.may_have_been_sent:
            if _CHECK in self.blocked:
                self.postpone(message, until=self.blocked[_CHECK])
                return
            try:
                found = self.sender.already_sent(message)
            except DeliveryFailure as failure:
                self._note_rate_limit(failure)
                self.failed_call(message, failure, _CHECK)
                return
            if found is not None:
                self.record_sent(message, found)
                self._count("recognised_as_sent")
                return
        if message.attempts > MAX_ATTEMPTS:  # its lease kept running out: a process kept dying
            self.fail(message, TOO_MANY_ATTEMPTS)
            return
        while True:
            if _SEND in self.blocked:
                self.postpone(message, until=self.blocked[_SEND])
                return
            try:
                delivered = self.sender.send(message, self._before_post)
            except NotYourTurn:
                self.postpone(message, until=self.now)
                return
            except DeliveryFailure as failure:
                self._note_rate_limit(failure)
                if self._wait_out(failure):
                    continue
                self.failed_call(message, failure, _SEND)
                return
            break
        if self.pacer is not None:
            self.pacer.sent()
        self.record_sent(message, delivered)
        self._count("sent")

    def _before_post(self) -> None:
        """Paced just before the Web API call, so that rendering does not bunch the posts."""
        if self.pacer is not None and not self.pacer.wait_turn(self.deadline):
            raise NotYourTurn

    def _wait_out(self, failure: DeliveryFailure) -> bool:
        """A short Retry-After is waited out in this pass, with every sender paused alike."""
        if self.pacer is None or failure.kind is not FailureKind.RATE_LIMITED:
            return False
        if failure.retry_after is None or failure.retry_after > IN_PASS_WAIT:
            return False
        before = self.pacer.rate
        self.pacer.refused(failure.retry_after.total_seconds())
        if self.pacer.rate != before:
            logger.info("Slack asked to slow down: pacing sends at %.1f a second", self.pacer.rate)
        return True

    def _note_rate_limit(self, failure: DeliveryFailure) -> None:
        if failure.kind is FailureKind.RATE_LIMITED:
            self._count("rate_limited")

    def _count(self, name: str) -> None:
        with self._lock:
            setattr(self.report, name, getattr(self.report, name) + 1)

    def failed_call(self, message: ClaimedMessage, failure: DeliveryFailure, call: str) -> None:
        if failure.kind is FailureKind.RATE_LIMITED:
            # Slack refused the call, so nothing was posted: the attempt does not count, and
            # no more calls of that kind go out in this pass.
            until = self.now + backoff(message.attempts, failure.retry_after)
            with self._lock:
                self.blocked[call] = until
            self.postpone(message, until=until, code=failure.code)
        elif failure.kind is FailureKind.PERMANENT:
            self.fail(message, failure.code)
        elif message.attempts >= MAX_ATTEMPTS:
            self.fail(message, TOO_MANY_ATTEMPTS)
        else:
            self.retry_later(message, failure.code)

    def record_sent(self, message: ClaimedMessage, where: Delivered) -> None:
        """Sent: recorded with others in one statement, every SENT_RECORD_BATCH and at the end
        of the pass. A crash before that leaves the row claimed, and its next attempt finds the
        message in Slack rather than posting it again."""
        with self._lock:
            self.sent_ids.add(message.id)
            self._unrecorded.append(
                {"row_id": message.id, "channel": where.channel, "ts": where.ts}
            )
            full = len(self._unrecorded) >= SENT_RECORD_BATCH
        if full:
            self.flush_sent()

    def flush_sent(self) -> None:
        with self._lock:
            rows, self._unrecorded = self._unrecorded, []
        if not rows:
            return
        # A row cancelled while it was being sent is recorded as sent all the same: it was.
        statement = (
            update(Outbox)
            .where(
                Outbox.id == bindparam("row_id"),
                Outbox.claimed_by == self.worker,
                # Not IN (...): an executemany takes no expanding parameters.
                or_(Outbox.status == OutboxStatus.CLAIMED, Outbox.status == OutboxStatus.CANCELLED),
            )
            .values(
                status=OutboxStatus.SENT,
                sent_at=self.now,
                slack_channel=bindparam("channel"),
                slack_ts=bindparam("ts"),
                next_attempt_at=None,
                claimed_until=None,
                last_attempt_at=self.now,
                last_error=None,
                updated_at=self.now,
            )
        )
        try:
            with self.database.session() as session:
                session.connection().execute(statement, rows)
        except SQLAlchemyError:
            # The rows stay claimed; when their lease runs out, the next attempt finds each
            # message in Slack and records it then, rather than posting it again.
            logger.exception("recording %d sent outbox messages failed", len(rows))

    def fail(self, message: ClaimedMessage, error: str) -> None:
        logger.warning(
            "outbox message %d (%s) failed permanently: %s", message.id, message.purpose, error
        )
        self._update(
            message,
            status=OutboxStatus.FAILED_PERMANENTLY,
            next_attempt_at=None,
            claimed_until=None,
            last_attempt_at=self.now,
            last_error=error[:255],
        )
        with self._lock:
            self.report.failed += 1
            self.report.failures.append(
                PermanentFailure(message.id, message.purpose, message.recipient_id, error)
            )

    def retry_later(self, message: ClaimedMessage, code: str) -> None:
        self._update(
            message,
            status=OutboxStatus.PENDING,
            next_attempt_at=self.now + backoff(message.attempts),
            claimed_by=None,
            claimed_until=None,
            last_attempt_at=self.now,
            last_error=code[:255],
        )
        self._count("retried")

    def postpone(
        self, message: ClaimedMessage, *, until: datetime, code: str | None = None
    ) -> None:
        """Hand back a row no message went out for, as if it had never been claimed."""
        values: dict[str, Any] = {
            "status": OutboxStatus.PENDING,
            "next_attempt_at": until,
            "attempts": Outbox.attempts - 1,
            "claimed_by": None,
            "claimed_until": None,
        }
        if code is None:
            self._count("postponed")
        else:
            values["last_error"] = code
            self._count("retried")
        self._update(message, **values)

    def _update(
        self,
        message: ClaimedMessage,
        *,
        statuses: Sequence[OutboxStatus] = (OutboxStatus.CLAIMED,),
        **values: Any,
    ) -> None:
        """Change a row this worker still holds."""
        with self.database.session() as session:
            result: CursorResult[Any] = session.execute(  # type: ignore[assignment]
                update(Outbox)
                .where(
                    Outbox.id == message.id,
                    Outbox.claimed_by == self.worker,
                    Outbox.status.in_(statuses),
                )
                .values(updated_at=self.now, **values)
            )
        if result.rowcount != 1:
            logger.warning("outbox message %d was no longer held by %s", message.id, self.worker)


def cancel_pending(session: Session, *, recipient_id: int, now: datetime) -> int:
    """Cancel every message still waiting for the person (away, forgotten); returns how many."""
    result: CursorResult[Any] = session.execute(  # type: ignore[assignment]
        update(Outbox)
        .where(Outbox.recipient_id == recipient_id, Outbox.status.in_(LIVE))
        .values(
            status=OutboxStatus.CANCELLED, next_attempt_at=None, claimed_until=None, updated_at=now
        )
    )
    return result.rowcount


def cancel_planned(
    session: Session, *, purpose: str, subjects: Collection[str], now: datetime
) -> int:
    """Cancel the messages of a purpose about these subjects that have not gone yet."""
    result: CursorResult[Any] = session.execute(  # type: ignore[assignment]
        update(Outbox)
        .where(
            Outbox.purpose == purpose,
            Outbox.subject.in_(list(subjects)),
            Outbox.status == OutboxStatus.PENDING,
        )
        .values(status=OutboxStatus.CANCELLED, next_attempt_at=None, updated_at=now)
    )
    return result.rowcount


def postpone_pending(session: Session, *, recipient_id: int, until: datetime, now: datetime) -> int:
    """Hold every message waiting for the person until `until` (away); returns how many."""
    result: CursorResult[Any] = session.execute(  # type: ignore[assignment]
        update(Outbox)
        .where(
            Outbox.recipient_id == recipient_id,
            Outbox.status == OutboxStatus.PENDING,
            Outbox.next_attempt_at < until,
        )
        .values(next_attempt_at=until, updated_at=now)
    )
    return result.rowcount


@dataclass(frozen=True)
class PendingMessage:
    id: int
    team_id: str
    purpose: str
    subject: str
    occurrence: str
    target: str
    recipient_id: int | None
    status: OutboxStatus
    attempts: int
    next_attempt_at: datetime


def list_pending(
    database: Database, *, until: datetime, limit: int | None = None
) -> list[PendingMessage]:
    """Messages waiting to go out by `until`, soonest first: for previews."""
    statement = (
        select(Outbox)
        .where(Outbox.status.in_(LIVE), Outbox.next_attempt_at <= until)
        .order_by(Outbox.next_attempt_at, Outbox.id)
        .limit(limit)
    )
    with database.read() as session:
        return [
            PendingMessage(
                id=row.id,
                team_id=row.team_id,
                purpose=row.purpose,
                subject=row.subject,
                occurrence=row.occurrence,
                target=row.target,
                recipient_id=row.recipient_id,
                status=row.status,
                attempts=row.attempts,
                next_attempt_at=row.next_attempt_at or until,
            )
            for row in session.scalars(statement)
        ]
