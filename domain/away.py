"""`/alliance away`: what the person asked for, read from what they typed."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

LONGEST_AWAY = timedelta(days=366)
EXAMPLE = "`/alliance away until 2027-01-04` (or `until 4 Jan`)"
_MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_DAY_MONTH = re.compile(
    r"(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+(?P<month>[a-z]+)\.?(?:\s+(?P<year>\d{4}))?"
)
_MONTH_DAY = re.compile(
    r"(?P<month>[a-z]+)\.?\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(?P<year>\d{4}))?"
)


@dataclass(frozen=True)
class AwayUntil:
    """Away from today up to and including `last_day`."""

    last_day: date


@dataclass(frozen=True)
class BackNow:
    """Back early: the current away period ends today."""


@dataclass(frozen=True)
class ShowAway:
    """No words: say whether the person is away."""


AwayRequest = AwayUntil | BackNow | ShowAway


class AwayProblem(ValueError):
    """What was typed can't be understood or allowed; the message says how to put it right."""


def parse_away(text: str, today: date) -> AwayRequest:
    """The request in `text`, with dates read relative to the person's `today`."""
    words = text.strip().lower()
    if not words:
        return ShowAway()
    if words in ("back", "off", "cancel", "clear"):
        return BackNow()
    if not words.startswith("until "):
        raise AwayProblem(f"Tell me the last day you're away, like {EXAMPLE}.")
    last_day = parse_day(words.removeprefix("until ").strip(), today)
    if last_day < today:
        raise AwayProblem(f"{last_day:%-d %B %Y} has passed; give a day from today on.")
    if last_day - today > LONGEST_AWAY:
        raise AwayProblem("That's more than a year away; please ask your manager or an admin.")
    return AwayUntil(last_day)


def parse_day(text: str, today: date) -> date:
    """A day typed as 2027-01-04, 4 Jan, Jan 4 or 4 January 2027; without a year, the next one."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    match = _DAY_MONTH.fullmatch(text) or _MONTH_DAY.fullmatch(text)
    month = _month_number(match["month"]) if match else None
    if match is None or month is None:
        raise AwayProblem(f"I couldn't read {text!r} as a day. Try {EXAMPLE}.")
    day = int(match["day"])
    try:
        if match["year"]:
            return date(int(match["year"]), month, day)
        this_year = date(today.year, month, day)
        return this_year if this_year >= today else date(today.year + 1, month, day)
    except ValueError:
        raise AwayProblem(f"{text!r} is not a day in the calendar. Try {EXAMPLE}.") from None


def _month_number(word: str) -> int | None:
    if len(word) < 3:
        return None
    for number, name in enumerate(_MONTHS, start=1):
        if name.startswith(word):
            return number
    return None
