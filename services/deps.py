"""What listeners and jobs need from the running bot, handed to them explicitly."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from db.engine import Database
from services.outbox import DELIVERY_INTERVAL, Sender, new_worker_id
from services.people import RecentlySeen


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Deps:
    database: Database
    admins: frozenset[str] = field(default_factory=frozenset)
    alumni_channel: str | None = None
    learning_channel: str | None = None
    clock: Callable[[], datetime] = utc_now
    # How jobs, which know no Slack, deliver the outbox; None: this process delivers nothing.
    outbox_sender: Sender | None = None
    delivery_interval: timedelta = DELIVERY_INTERVAL
    # Names this process in the outbox rows it claims.
    worker_id: str = field(default_factory=new_worker_id)
    # Set when the process is stopping, so that long work hands back what it has not begun.
    stopping: threading.Event = field(default_factory=threading.Event)
    people_seen: RecentlySeen = field(default_factory=RecentlySeen)
    # Where work runs after a request is acknowledged.
    background: Executor = field(default_factory=lambda: ThreadPoolExecutor(max_workers=4))
