"""The bot's recurring work: a small fixed set of jobs that compute what is due from our tables."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.conversations import EXPIRED_NOTE
from services.conversations import expire_conversations
from services.deps import Deps
from services.events import forget_old_events

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    id: str
    every: timedelta
    run: Callable[[Deps, datetime], None]


def forget_old_event_ids(deps: Deps, now: datetime) -> None:
    removed = forget_old_events(deps.database, now)
    if removed:
        logger.info("forgot %d processed event ids", removed)


def expire_idle_conversations(deps: Deps, now: datetime) -> None:
    """A DM conversation left for a week is closed, with a note to the person."""
    for expired in expire_conversations(deps.database, now):
        deps.send_dm(expired.user_id, EXPIRED_NOTE)


JOBS: tuple[Job, ...] = (
    Job(id="forget-old-event-ids", every=timedelta(hours=1), run=forget_old_event_ids),
    Job(id="expire-idle-conversations", every=timedelta(minutes=15), run=expire_idle_conversations),
)


def run_due_work(deps: Deps) -> None:
    """One pass of every job, as `alliance scheduler tick` does."""
    now = deps.clock()
    for job in JOBS:
        job.run(deps, now)
