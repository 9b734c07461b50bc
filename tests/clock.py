"""The tests' clock: pinned to one instant, then running on, and shared with the bot under test.

`ALLIANCE_TEST_NOW` (an ISO date or date and time, UTC unless it says otherwise) sets the instant
the session starts at; without it, a fixed ordinary weekday. The bot under test runs on the same
clock (and a fake Slack does where a test gives it `set_clock(timestamp)`), so what a test plans
"today" is today for the bot too, whatever the real date is. CI runs the suite under several
such dates (.ci/run).
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, time, timedelta

DEFAULT_TEST_NOW = "2026-06-10T10:00:00+00:00"  # a Wednesday, far from DST changes and month ends


def _pinned(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as problem:
        raise SystemExit(f"ALLIANCE_TEST_NOW is not an ISO date or time: {text!r}") from problem
    if len(text) == len("2026-06-10"):
        moment = datetime.combine(moment.date(), time(10))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


PINNED = _pinned(os.environ.get("ALLIANCE_TEST_NOW") or DEFAULT_TEST_NOW)
SHIFT: timedelta = PINNED - datetime.now(UTC)
TODAY: date = PINNED.date()


def now() -> datetime:
    """The tests' now: the pinned instant plus the real time since the session began."""
    return datetime.now(UTC) + SHIFT


def timestamp() -> float:
    """`now()` as Unix seconds, as Slack's message timestamps count them."""
    return now().timestamp()
