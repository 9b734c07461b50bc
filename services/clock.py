"""The bot's clock: the real one, or the real one moved by a fixed amount for trials and tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta


@dataclass(frozen=True)
class ShiftedClock:
    """Real time plus `shift`: running on at the real pace from a chosen date."""

    shift: timedelta = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.shift
