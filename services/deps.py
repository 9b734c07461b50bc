"""What listeners and jobs need from the running bot, handed to them explicitly."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from db.engine import Database
from db.locks import DeliveryLease, Presence
from domain.digest_schedule import DigestSchedule
from domain.figures import DEFAULT_MIN_GROUP_SIZE
from domain.pacing import SendPacer
from domain.schedule import DEFAULT_LEAD_DAYS, WorkingHours
from services.budget import DEFAULT_BUDGET, BudgetDefaults
from services.clock import ShiftedClock
from services.inbox import InboxKeeping
from services.learnings import DEFAULT_GUIDELINE
from services.outbox import DELIVERY_CONCURRENCY, DELIVERY_INTERVAL, Sender, new_worker_id
from services.people import RecentlySeen

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class Deps:
    database: Database
    admins: frozenset[str] = field(default_factory=frozenset)
    alumni_channel: str | None = None
    learning_channel: str | None = None
    # Where the leadership digest goes (None: each admin by DM), when, and its small-group rule.
    leadership_channel: str | None = None
    digest_schedule: DigestSchedule | None = None
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE
    clock: Clock = field(default_factory=ShiftedClock)
    # How jobs, which know no Slack, deliver the outbox; None: this process delivers nothing.
    outbox_sender: Sender | None = None
    delivery_interval: timedelta = DELIVERY_INTERVAL
    # Channels sent to at once, and the pace every sending thread keeps together.
    delivery_concurrency: int = DELIVERY_CONCURRENCY
    pacer: SendPacer = field(default_factory=SendPacer)
    # When prompts may reach people (in each one's time zone), and when tour ends are raised.
    working_hours: WorkingHours = field(default_factory=WorkingHours)
    tour_end_lead_days: tuple[int, ...] = DEFAULT_LEAD_DAYS
    # The day of the month the alumni news digest goes out (when there is news).
    news_digest_day: int = 1
    # What may not be shared from one's network, confirmed before a first learning is posted.
    nonpublic_guideline: str = DEFAULT_GUIDELINE
    budget_defaults: BudgetDefaults = DEFAULT_BUDGET
    # Which process delivers the outbox (None: this one, alone, as in a test driving the passes).
    delivery_lease: DeliveryLease | None = None
    # The requests this process acknowledged and has still to finish (None: it serves no Slack).
    inbox: InboxKeeping | None = None
    # Names this process in the outbox and inbox rows it claims.
    worker_id: str = field(default_factory=new_worker_id)
    # This process's sign of life under `worker_id`, held from its start until `stop_work`, so
    # that the others leave its claims alone (None: a test driving the passes holds none).
    presence: Presence | None = None
    # Set when the process is stopping, so that long work hands back what it has not begun.
    stopping: threading.Event = field(default_factory=threading.Event)
    people_seen: RecentlySeen = field(default_factory=RecentlySeen)
    # Where work runs after a request is acknowledged.
    background: Executor = field(default_factory=lambda: ThreadPoolExecutor(max_workers=4))
