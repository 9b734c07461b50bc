"""The sandbox's clock: real time from a moment the person using the sandbox can move."""

from __future__ import annotations

from datetime import UTC, datetime


class MovableClock:
    """Runs on at the real pace; `set` moves it to another moment (forwards, in practice)."""

    def __init__(self, start: datetime) -> None:
        self._offset = start - datetime.now(UTC)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self._offset

    def timestamp(self) -> float:
        """Seconds since the epoch, for Slack's message timestamps."""
        return self().timestamp()

    def set(self, moment: datetime) -> None:
        self._offset = moment - datetime.now(UTC)
