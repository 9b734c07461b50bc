"""When things fall due and when a prompt may be delivered, in plain Python with `now` passed in."""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_FULL_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_HOURS_EXAMPLE = '"Mon-Fri 09:00-17:00" or "Sun-Thu 08:30-16:30"'
_HOURS_PATTERN = re.compile(
    r"(?P<days>.+?)\s+(?P<start>[0-9]{1,2}:[0-9]{2})\s*-\s*(?P<end>[0-9]{1,2}:[0-9]{2})"
)

# Every working week has a working day within 7 local days; the rest is room for skipped dates.
_SEARCH_DAYS = 14
# No zone in the tz database changes its offset twice within a week (the closest are 7 days
# apart), so comparing offsets a day apart finds every change.
_SCAN_SECONDS = 24 * 3600


# --- working hours ----------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkingHours:
    """The local days (0 is Monday) and the hours of each, from start up to but excluding end."""

    days: frozenset[int] = frozenset(range(5))
    start: time = time(9)
    end: time = time(17)

    def __post_init__(self) -> None:
        if not self.days or not self.days <= set(range(7)):
            raise ValueError("Working hours need at least one day of the week (0 is Monday).")
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("Working hours are local wall-clock times, without a time zone.")
        if self.end <= self.start:
            raise ValueError(
                f"Working hours must end after they start (got {self.start:%H:%M}-"
                f"{self.end:%H:%M}); hours across midnight are not supported."
            )

    @classmethod
    def parse(cls, text: str) -> WorkingHours:
        """Working hours from text such as "Mon-Fri 09:00-17:00" or "Mon,Wed,Fri 08:30-12:00"."""
        match = _HOURS_PATTERN.fullmatch(text.strip().replace("\N{EN DASH}", "-"))
        if match is None:
            raise ValueError(f"Working hours look like {_HOURS_EXAMPLE}; got {text!r}.")
        return cls(_parse_days(match["days"]), parse_time(match["start"]), parse_time(match["end"]))

    def contains(self, local: datetime) -> bool:
        """Whether a local wall-clock time falls on a working day within the hours."""
        return local.weekday() in self.days and self.start <= local.time() < self.end

    def __str__(self) -> str:
        return f"{_days_text(self.days)} {self.start:%H:%M}-{self.end:%H:%M}"


def _parse_days(text: str) -> frozenset[int]:
    days: set[int] = set()
    for item in text.split(","):
        ends = [day_number(word) for word in item.split("-")]
        if len(ends) > 2:
            raise ValueError(f"{item.strip()!r} is not a day or a range of days like Mon-Fri.")
        first, last = ends[0], ends[-1]
        days.update((first + step) % 7 for step in range((last - first) % 7 + 1))
    return frozenset(days)


def day_number(word: str) -> int:
    """Monday 0 to Sunday 6, from a day's name or its first three letters or more."""
    typed = word.strip().lower()
    if len(typed) >= 3:
        for number, name in enumerate(_FULL_DAY_NAMES):
            if name.startswith(typed):
                return number
    raise ValueError(f"{word.strip()!r} is not a day of the week; use {', '.join(DAY_NAMES)}.")


def parse_time(text: str) -> time:
    """A time of day from 24-hour "HH:MM"."""
    hour, minute = (int(part) for part in text.split(":"))
    try:
        return time(hour, minute)
    except ValueError:
        raise ValueError(
            f"{text} is not a time of day; use 24-hour HH:MM, like 09:00 or 17:30."
        ) from None


def _days_text(days: frozenset[int]) -> str:
    """Runs of consecutive days, wrapping past Sunday, as "Mon-Fri" or "Sun-Thu" or "Mon,Wed"."""
    if len(days) == 7:
        return "Mon-Sun"
    runs = []
    for first in sorted(day for day in days if (day - 1) % 7 not in days):
        last = first
        while (last + 1) % 7 in days:
            last = (last + 1) % 7
        runs.append(DAY_NAMES[first] + ("" if last == first else f"-{DAY_NAMES[last]}"))
    return ",".join(runs)


# --- delivery time ----------------------------------------------------------------------------


def zone_for(tz_name: str | None, default_tz: str = "UTC") -> ZoneInfo:
    """The IANA time zone by name, or the default when the name is missing or unknown."""
    if tz_name:
        try:
            return ZoneInfo(tz_name)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            pass  # Slack profiles can carry names this machine's tz database lacks.
    return ZoneInfo(default_tz)


def is_working_time(
    when: datetime, tz_name: str | None, hours: WorkingHours, default_tz: str = "UTC"
) -> bool:
    """Whether the recipient's local clock shows a working day and hour at this instant."""
    return hours.contains(_as_utc(when).astimezone(zone_for(tz_name, default_tz)))


def next_delivery_time(
    now: datetime, tz_name: str | None, hours: WorkingHours, default_tz: str = "UTC"
) -> datetime:
    """The earliest instant at or after `now` (in UTC) inside the recipient's working hours.

    An instant is inside when the local clock then shows a working day and hour: a start time
    skipped by a spring-forward change gives the first instant after the gap, and one repeated
    by a fall-back change gives its first occurrence."""
    zone = zone_for(tz_name, default_tz)
    start = _as_utc(now)
    if hours.contains(start.astimezone(zone)):
        return start
    first_start = _first_start_after(zone, hours, start)
    limit = start + timedelta(days=_SEARCH_DAYS) if first_start is None else first_start
    # An offset change can move the clock into working hours without it reading the start time.
    for change in _offset_changes(zone, start, limit):
        if start < change <= limit and hours.contains(change.astimezone(zone)):
            return change
    if first_start is None:
        raise ValueError(f"No working hours within {_SEARCH_DAYS} days in {zone.key}.")
    return first_start


def local_label(when: datetime, tz_name: str | None, default_tz: str = "UTC") -> str:
    """The instant as the recipient reads it, with the zone: "Mon 9 Mar, 09:00 (Europe/Berlin)"."""
    zone = zone_for(tz_name, default_tz)
    local = _as_utc(when).astimezone(zone)
    weekday, month = DAY_NAMES[local.weekday()], _MONTH_NAMES[local.month - 1]
    return f"{weekday} {local.day} {month}, {local:%H:%M} ({zone.key})"


def _as_utc(when: datetime) -> datetime:
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError("Times must be timezone-aware (UTC), not naive.")
    return when.astimezone(UTC)


def _first_start_after(zone: ZoneInfo, hours: WorkingHours, after: datetime) -> datetime | None:
    """The first instant after `after` at which the local clock reads a working day's start."""
    # A day's start comes after the previous day's: no offset has ever dropped by a whole day.
    first = after.astimezone(zone).date() - timedelta(days=1)
    for day in (first + timedelta(days=n) for n in range(_SEARCH_DAYS + 2)):
        if day.weekday() in hours.days:
            wall = datetime.combine(day, hours.start)
            later = [when for when in _instants_reading(zone, wall) if when > after]
            if later:
                return later[0]
    return None


def _instants_reading(zone: ZoneInfo, wall: datetime) -> list[datetime]:
    """When the local clock reads `wall`, in order: never in a gap, twice in an overlap."""
    found: list[datetime] = []
    for fold in (0, 1):
        instant = wall.replace(tzinfo=zone, fold=fold).astimezone(UTC)
        if instant.astimezone(zone).replace(tzinfo=None) == wall and instant not in found:
            found.append(instant)
    return found


def _offset_changes(zone: ZoneInfo, start: datetime, stop: datetime) -> Iterator[datetime]:
    """The instants between start and stop at which the zone's UTC offset changes, in order."""
    # Zone transitions fall on whole seconds, so whole-second bounds lose none.
    second, last = math.floor(start.timestamp()), math.ceil(stop.timestamp())
    offset = _offset_at(zone, second)
    while second < last:
        step = min(second + _SCAN_SECONDS, last)
        later = _offset_at(zone, step)
        if later != offset:
            yield _first_change(zone, second, step, offset)
        second, offset = step, later


def _first_change(zone: ZoneInfo, low: int, high: int, offset: timedelta | None) -> datetime:
    """The first second after `low` (which has `offset`) up to `high` with another offset."""
    while high - low > 1:
        middle = (low + high) // 2
        if _offset_at(zone, middle) == offset:
            low = middle
        else:
            high = middle
    return datetime.fromtimestamp(high, UTC)


def _offset_at(zone: ZoneInfo, second: int) -> timedelta | None:
    return datetime.fromtimestamp(second, zone).utcoffset()


# --- dates somewhere on Earth ----------------------------------------------------------------

# Local clocks run from UTC-12 (Baker Island) to UTC+14 (Pacific/Kiritimati).
_AHEAD_OF_UTC = timedelta(hours=14)
_BEHIND_UTC = timedelta(hours=12)


def latest_local_date(now: datetime) -> date:
    """The newest date that has begun somewhere on Earth: what falls due on it is due now."""
    return (_as_utc(now) + _AHEAD_OF_UTC).date()


def earliest_local_date(now: datetime) -> date:
    """The oldest date not yet over everywhere: an earlier day has ended for everyone."""
    return (_as_utc(now) - _BEHIND_UTC).date()


# --- review cadence and away periods ----------------------------------------------------------


def next_review_on(start: date, cadence_weeks: int, after: date) -> date:
    """The first review date on the cadence (every `cadence_weeks` from start) after `after`."""
    if cadence_weeks < 1:
        raise ValueError("A review cadence is at least one week.")
    step = 7 * cadence_weeks
    reviews_passed = max(0, (after - start).days // step)
    return start + timedelta(days=step * (reviews_passed + 1))


def shift_past_away(day: date, away: Collection[tuple[date, date]]) -> date:
    """The day itself, or the day after the away period (first, last inclusive) it falls in."""
    # In order of start, a day moved past one period is then checked against those it runs into.
    for first, last in sorted(away):
        if first <= day <= last:
            day = last + timedelta(days=1)
    return day


# --- reminders, snooze and escalation ---------------------------------------------------------

REMINDER_AFTER = timedelta(days=3)
ESCALATE_AFTER = timedelta(days=7)


class Nudge(StrEnum):
    REMINDER = "reminder"
    ESCALATION = "escalation"


class SnoozeChoice(StrEnum):
    DAY = "day"
    WEEK = "week"

    @property
    def duration(self) -> timedelta:
        return timedelta(days=1) if self is SnoozeChoice.DAY else timedelta(weeks=1)

    @property
    def label(self) -> str:
        return f"1 {self.value}"

    def until(self, now: datetime) -> datetime:
        """When a snooze chosen now ends."""
        return now + self.duration


def next_nudge(
    prompted_at: datetime,
    reminded_at: datetime | None,
    escalated_at: datetime | None,
    snoozed_until: datetime | None,
    now: datetime,
) -> tuple[Nudge | None, datetime | None]:
    """The nudge due now, if any, and when the next falls due (after this one, if one is due).

    A reminder comes REMINDER_AFTER the later of the prompt and the end of a snooze, once for
    each; escalation comes ESCALATE_AFTER the prompt, once, and never sooner than the same gap
    after the latest reminder, so nothing is due while a snooze lasts."""
    pending = _pending_nudge(prompted_at, reminded_at, escalated_at, snoozed_until)
    if pending is None:
        return None, None
    nudge, due = pending
    if due > now:
        return None, due
    if nudge is Nudge.REMINDER:
        after = _pending_nudge(prompted_at, now, escalated_at, snoozed_until)
    else:
        after = _pending_nudge(prompted_at, reminded_at, now, snoozed_until)
    return nudge, None if after is None else after[1]


def _pending_nudge(
    prompted_at: datetime,
    reminded_at: datetime | None,
    escalated_at: datetime | None,
    snoozed_until: datetime | None,
) -> tuple[Nudge, datetime] | None:
    quiet_from = prompted_at if snoozed_until is None else max(prompted_at, snoozed_until)
    if reminded_at is None or reminded_at < quiet_from:
        return Nudge.REMINDER, quiet_from + REMINDER_AFTER
    if escalated_at is None:
        since_reminder = reminded_at + (ESCALATE_AFTER - REMINDER_AFTER)
        return Nudge.ESCALATION, max(prompted_at + ESCALATE_AFTER, since_reminder)
    return None


# --- tour-end conversation --------------------------------------------------------------------

DEFAULT_LEAD_DAYS = (90, 60, 30)


def end_prompt_dates(end: date, lead_days: Iterable[int] = DEFAULT_LEAD_DAYS) -> list[date]:
    """The days the tour-end conversation is prompted, earliest first."""
    return [end - timedelta(days=lead) for lead in _leads(lead_days)]


def next_end_prompt(
    end: date, today: date, lead_days: Iterable[int], sent: Collection[int], decided: bool
) -> tuple[int, date] | None:
    """The next lead-time prompt still to send and its day (today or earlier: send it now).

    None once decided or past the end. Leads older than one already sent are dropped, and of
    several missed at once (a tour agreed late) only the most recent is sent."""
    if decided or today > end:
        return None
    latest_sent = min(sent, default=math.inf)
    remaining = [lead for lead in _leads(lead_days) if lead < latest_sent]
    missed = [lead for lead in remaining if end - timedelta(days=lead) <= today]
    if missed:
        return missed[-1], end - timedelta(days=missed[-1])
    if remaining:
        return remaining[0], end - timedelta(days=remaining[0])
    return None


def is_past_end_without_decision(end: date, today: date, decided: bool) -> bool:
    """Whether the tour has passed its expected end with nothing decided about what comes next."""
    return today > end and not decided


def _leads(lead_days: Iterable[int]) -> list[int]:
    """Lead days without repeats, the longest (earliest prompt) first."""
    leads = sorted(set(lead_days), reverse=True)
    if any(lead < 0 for lead in leads):
        raise ValueError("Lead times are whole days before the end, 0 or more.")
    return leads
