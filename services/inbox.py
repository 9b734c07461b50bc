"""The inbox: work owed for each request Slack was told is handled, so that none is lost.

A request's row is written before its ack, naming the process that took it, in the same
transaction that marks the request as taken (a replay or a retry is not taken again), and
deleted when its work after the ack ends, or at once when no work was left for after it. A
row whose process has died (db/locks.py `is_gone`) is taken over, once, by another process,
or by the same bot at its next start, and its work done again from the stored request. A
request whose work keeps killing its process is given up after `MAX_ATTEMPTS`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select

from db.engine import Database
from db.locks import is_gone
from db.models import Inbox
from services.events import claim_event

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
# Rows taken over per pass; the rest wait for the next pass.
TAKE_OVER_BATCH = 100


@dataclass
class InboxKeeping:
    """What a process serving Slack needs to keep the inbox besides its presence (`Deps`): how
    it does a stored request's work again (set once its Bolt app exists)."""

    redeliver: Callable[[OwedWork], None] | None = None


@dataclass(frozen=True)
class OwedWork:
    """A stored request whose work this process now owes."""

    id: int
    kind: str
    body: dict[str, Any]
    attempts: int


@dataclass(frozen=True, slots=True)
class Arrival:
    """A request as Slack sent it, before its ack. `once_as` (an event_id, or a signature)
    names it among everything the bot has taken; None when nothing does (Socket Mode)."""

    team_id: str
    user_id: str
    kind: str
    body: dict[str, Any]
    once_as: str | None
    once_type: str


@dataclass(frozen=True, slots=True)
class Admission:
    """`fresh`: not taken before; `owed`: its inbox row, when this process keeps an inbox."""

    fresh: bool
    owed: int | None = None


def admit(
    database: Database, arrival: Arrival, *, worker_id: str | None, now: datetime
) -> Admission:
    """Take the request once, and write it down for `worker_id` (None: keep no inbox), in one
    transaction: a request seen before is neither taken nor written down again."""
    with database.session() as session:
        if arrival.once_as is not None and not claim_event(
            session,
            event_id=arrival.once_as,
            team_id=arrival.team_id,
            event_type=arrival.once_type,
            now=now,
        ):
            return Admission(fresh=False)
        if worker_id is None:
            return Admission(fresh=True)
        row = Inbox(
            team_id=arrival.team_id[:32],
            user_id=arrival.user_id[:32],
            kind=arrival.kind[:64],
            body=arrival.body,
            claimed_by=worker_id,
            received_at=now,
        )
        session.add(row)
        session.flush()
        return Admission(fresh=True, owed=row.id)


def finish(database: Database, inbox_id: int) -> None:
    """The request's work has ended (done, or failed and reported): nothing is owed."""
    with database.session() as session:
        session.execute(delete(Inbox).where(Inbox.id == inbox_id))


def take_over_orphans(database: Database, worker_id: str) -> list[OwedWork]:
    """Claim, for `worker_id`, the rows of processes that are gone, oldest first; those tried
    `MAX_ATTEMPTS` times already are dropped with a warning. Every process may run this at
    once: a row goes to one of them (rows being taken are skipped, `SKIP LOCKED`)."""
    with database.read() as session:
        others = session.scalars(
            select(Inbox.claimed_by).where(Inbox.claimed_by != worker_id).distinct()
        ).all()
    dead = [worker for worker in others if is_gone(database, worker)]
    if not dead:
        return []
    owed: list[OwedWork] = []
    with database.session() as session:
        rows = session.scalars(
            select(Inbox)
            .where(Inbox.claimed_by.in_(dead))
            .order_by(Inbox.id)
            .limit(TAKE_OVER_BATCH)
            .with_for_update(skip_locked=True)
        ).all()
        for row in rows:
            if row.attempts >= MAX_ATTEMPTS:
                logger.warning(
                    "inbox: gave up on %s %d from %s after %d tries",
                    row.kind,
                    row.id,
                    row.user_id,
                    row.attempts,
                )
                session.delete(row)
                continue
            row.claimed_by = worker_id
            row.attempts += 1
            owed.append(OwedWork(row.id, row.kind, dict(row.body), row.attempts))
    return owed
