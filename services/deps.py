"""What listeners and jobs need from the running bot, handed to them explicitly."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from db.engine import Database


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Deps:
    database: Database
    admins: frozenset[str] = field(default_factory=frozenset)
    alumni_channel: str | None = None
    learning_channel: str | None = None
    clock: Callable[[], datetime] = utc_now
