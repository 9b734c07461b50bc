"""What listeners and jobs need from the running bot, handed to them explicitly."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime

from db.engine import Database
from services.people import RecentlySeen


def utc_now() -> datetime:
    return datetime.now(UTC)


def send_nowhere(user_id: str, text: str) -> None:
    raise RuntimeError(f"this process cannot message {user_id}: no Slack client was given")


@dataclass(frozen=True)
class Deps:
    database: Database
    admins: frozenset[str] = field(default_factory=frozenset)
    alumni_channel: str | None = None
    learning_channel: str | None = None
    clock: Callable[[], datetime] = utc_now
    # Sends a plain DM: how jobs, which know no Slack, reach a person.
    send_dm: Callable[[str, str], None] = send_nowhere
    people_seen: RecentlySeen = field(default_factory=RecentlySeen)
    # Where work runs after a request is acknowledged.
    background: Executor = field(default_factory=lambda: ThreadPoolExecutor(max_workers=4))
