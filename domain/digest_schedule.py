"""When the weekly leadership digest goes out: a day of the week and a time in one time zone."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from domain.schedule import DAY_NAMES, day_number, parse_time

EXAMPLE = '"Mon 09:00", "Fri 16:30 Europe/Paris" or "off"'
# A digest missed by more than this (the bot was down) waits for the next week's.
CATCH_UP = timedelta(hours=24)
_PATTERN = re.compile(r"(?P<day>[A-Za-z]+)\s+(?P<time>[0-9]{1,2}:[0-9]{2})(?:\s+(?P<tz>\S+))?")


@dataclass(frozen=True)
class DigestSchedule:
    day: int  # Monday 0 to Sunday 6
    at: time
    tz: str = "UTC"

    @classmethod
    def parse(cls, text: str) -> DigestSchedule | None:
        """The schedule from text such as "Mon 09:00 Europe/Paris"; None for "off"."""
        if text.strip().lower() == "off":
            return None
        match = _PATTERN.fullmatch(text.strip())
        if match is None:
            raise ValueError(f"The digest's schedule looks like {EXAMPLE}; got {text!r}.")
        tz = match["tz"] or "UTC"
        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{tz!r} is not a time zone, such as Europe/Paris.") from None
        return cls(day_number(match["day"]), parse_time(match["time"]), tz)

    def latest(self, now: datetime) -> datetime:
        """The most recent scheduled moment at or before `now` (UTC)."""
        local = now.astimezone(ZoneInfo(self.tz))
        back = (local.weekday() - self.day) % 7
        day = local.date() - timedelta(days=back)
        moment = datetime.combine(day, self.at, tzinfo=ZoneInfo(self.tz))
        if moment > local:
            moment = datetime.combine(day - timedelta(days=7), self.at, tzinfo=ZoneInfo(self.tz))
        return moment.astimezone(UTC)

    def due(self, now: datetime) -> datetime | None:
        """The scheduled moment whose digest is due now, unless it was missed long ago."""
        moment = self.latest(now)
        return moment if now - moment <= CATCH_UP else None

    def __str__(self) -> str:
        return f"{DAY_NAMES[self.day]} {self.at:%H:%M} {self.tz}"
