"""Alignment reviews: the answers each side gives, and where their perceptions differ."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from domain.schedule import zone_for

ALIGNMENT_SCORES = range(1, 6)
# Alignment scores this far apart or more are a perception gap.
ALIGNMENT_GAP = 2
TO_ADDRESS_MAX = 1500
LEARNED_MAX = 1500
TO_ADDRESS_QUESTION = "What should we address?"
LEARNED_QUESTION = "What have you learned from your network?"
ALIGNMENT_QUESTION = "How aligned do you feel with your role, manager and company values?"


class Progress(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class ReviewKind(StrEnum):
    SCHEDULED = "scheduled"
    CHECKIN = "checkin"


class ReviewStatus(StrEnum):
    OPEN = "open"
    ANSWERED = "answered"  # both sides gave their quick answers; the summary went out
    CLOSED = "closed"


class GapKind(StrEnum):
    """What a gap to talk about is: a values gap, a perception gap, or one named in an answer."""

    VALUES = "values"
    PROGRESS = "progress"
    ALIGNMENT = "alignment"
    NAMED = "named"

    @property
    def label(self) -> str:
        return _GAP_LABELS[self]


_GAP_LABELS = {
    GapKind.VALUES: "A gap between your values",
    GapKind.PROGRESS: "You saw the mission's progress differently",
    GapKind.ALIGNMENT: "You saw alignment differently",
    GapKind.NAMED: "To address",
}


@dataclass(frozen=True)
class QuickAnswers:
    """One side's answers to the two button questions."""

    progress: Progress
    alignment: int


@dataclass(frozen=True)
class PerceptionGaps:
    progress: bool
    alignment: bool

    @property
    def any(self) -> bool:
        return self.progress or self.alignment


def perception_gaps(employee: QuickAnswers, manager: QuickAnswers) -> PerceptionGaps:
    """Where the two sides see things differently enough to talk about it."""
    return PerceptionGaps(
        progress=employee.progress is not manager.progress,
        alignment=abs(employee.alignment - manager.alignment) >= ALIGNMENT_GAP,
    )


def gaps_raised(gaps: PerceptionGaps, to_address: str) -> list[tuple[GapKind, str | None]]:
    """The topics a completed review leaves to talk about: its perception gaps, and what the
    employee said should be addressed."""
    raised: list[tuple[GapKind, str | None]] = []
    if gaps.progress:
        raised.append((GapKind.PROGRESS, None))
    if gaps.alignment:
        raised.append((GapKind.ALIGNMENT, None))
    if to_address.strip():
        raised.append((GapKind.NAMED, to_address.strip()))
    return raised


def is_alignment_score(value: int) -> bool:
    return value in ALIGNMENT_SCORES


def text_problems(to_address: str, learned: str) -> dict[str, str]:
    """What is wrong with the free-text answers, by field; empty when nothing is."""
    problems = {}
    if len(to_address) > TO_ADDRESS_MAX:
        problems["to_address"] = f"Keep this under {TO_ADDRESS_MAX} characters."
    if len(learned) > LEARNED_MAX:
        problems["learned"] = f"Keep this under {LEARNED_MAX} characters."
    return problems


def closing_date(due_on: date, cadence_weeks: int) -> date:
    """The last day a review's answers can change: when the next one falls due."""
    return due_on + timedelta(weeks=cadence_weeks)


def local_date(now: datetime, tz_name: str | None) -> date:
    """The date on the person's own calendar at this instant."""
    return now.astimezone(zone_for(tz_name)).date()


def start_of_local_day(day: date, tz_name: str | None) -> datetime:
    """The instant (UTC) the day begins where the person is."""
    return datetime.combine(day, time(0), tzinfo=zone_for(tz_name)).astimezone(UTC)
