"""The leadership digest: the week it covers, what it shows, how reviews and tour ends are
classed for it, and each figure's change since the last digest. Definitions of every figure are
in docs/data-model.md ("Leadership review")."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any

from domain.figures import Change, Figure, Split, change
from domain.schedule import earliest_local_date, is_past_end_without_decision

DIGEST_WEEK = timedelta(days=7)
ENDING_SOON = timedelta(days=90)  # "tours ending in the next 90 days"
HISTORY_WEEKS = 12


@dataclass(frozen=True)
class Period:
    """What a digest's weekly figures count: from `start` up to, not including, `end` (UTC)."""

    start: datetime
    end: datetime

    @property
    def key(self) -> str:
        """The ISO week the period begins in, e.g. "2026-W10": one stored digest per key."""
        year, week, _ = self.start.isocalendar()
        return f"{year}-W{week:02d}"

    def contains(self, when: datetime | None) -> bool:
        return when is not None and self.start <= when < self.end


def digest_week(now: datetime) -> Period:
    """The 7 days before `now`."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("A digest's moment must be timezone-aware (UTC), not naive.")
    end = now.astimezone(UTC)
    return Period(end - DIGEST_WEEK, end)


def weeks_up_to(now: datetime, count: int) -> list[Period]:
    """`count` digest weeks back to back, the oldest first, the last of them ending at `now`."""
    return [digest_week(now - DIGEST_WEEK * back) for back in reversed(range(count))]


class ReviewOutcome(StrEnum):
    """How a review went, in the bot's own terms: a side is escalated once it has left its
    prompt unanswered for 7 days (longer when snoozed or away; see domain.schedule.next_nudge)."""

    ON_TIME = "on_time"  # both sides answered, and neither was escalated
    LATE = "late"  # both answered, after one of them was escalated
    OVERDUE = "overdue"  # not answered by both, and a side was escalated or the review closed


REVIEW_OUTCOMES = tuple(outcome.value for outcome in ReviewOutcome)


def review_outcome(*, answered: bool, escalated: bool, closed: bool) -> ReviewOutcome | None:
    """The outcome so far; None while the review is open and nobody is past their time."""
    if answered:
        return ReviewOutcome.LATE if escalated else ReviewOutcome.ON_TIME
    return ReviewOutcome.OVERDUE if escalated or closed else None


class TourEnd(StrEnum):
    """Where an active tour stands with what comes after it."""

    DECIDED = "decided"  # ends within ENDING_SOON, and what comes next is decided
    UNDECIDED = "undecided"  # ends within ENDING_SOON, nothing decided yet
    PAST_END_UNDECIDED = "past_end_undecided"  # its last day is over, nothing decided


ENDING_SOON_PARTS = (TourEnd.DECIDED.value, TourEnd.UNDECIDED.value)


def tour_end(end: date, *, decided: bool, now: datetime) -> TourEnd | None:
    """The tour's end as the digest counts it; None when the end is further off than
    ENDING_SOON, or over with a decision (the tour-end pass ends those). An end is over once
    its day has ended everywhere, as for the pass that flags undecided tours."""
    today = earliest_local_date(now)
    if is_past_end_without_decision(end, today, decided):
        return TourEnd.PAST_END_UNDECIDED
    if end < today or end > today + ENDING_SOON:
        return None
    return TourEnd.DECIDED if decided else TourEnd.UNDECIDED


@dataclass(frozen=True)
class Figures:
    """A workspace's digest figures for one week. Stock figures are as of the period's end;
    the others count what happened within the period. Each is withheld (None) when it is about
    fewer than `min_group_size` people, and so are the parts that would give one away."""

    team_id: str
    period: Period
    min_group_size: int
    active_tours: Figure  # by tour type (stock)
    statements_agreed: Figure  # in the week
    statements_proposed: Figure  # waiting for an answer (stock)
    reviews_on_time: Figure  # answered by both in the week, nobody escalated
    reviews_late: Figure  # answered by both in the week, after an escalation
    reviews_overdue: Figure  # open, not answered by both, a side escalated (stock)
    perception_gaps_open: Figure  # unresolved, on active tours (stock)
    tours_ending_soon: Figure  # by decided / undecided (stock)
    tours_past_end_undecided: Figure  # (stock)
    alumni_joined: Figure  # in the week
    opportunities_posted: Figure  # in the week
    opportunity_interest: Figure  # "I'm interested" in the week, on any opportunity
    learnings_shared: Figure  # in the week
    budget_used: Figure  # approved in the week, minor units, by currency
    # By department of the org chart (reporting_lines; "" for people not in it):
    active_by_department: Figure  # people with an active tour (stock)
    reviews_on_time_by_department: Figure  # answered by both in the week, nobody escalated
    reviews_overdue_by_department: Figure  # overdue now (stock)

    @property
    def has_departments(self) -> bool:
        """Whether the org chart names departments (its people are not all outside it)."""
        return any(part for part in self.active_by_department.by)

    def named(self) -> dict[str, Figure]:
        """Every figure by name, in the order above."""
        return {name: getattr(self, name) for name in FIGURE_NAMES}


_HEADER = ("team_id", "period", "min_group_size")
FIGURE_NAMES = tuple(each.name for each in fields(Figures) if each.name not in _HEADER)


def changes(current: Figures, previous: Figures | None) -> dict[str, Change]:
    """Each figure's change since the previous digest, by name."""
    before = {} if previous is None else previous.named()
    return {name: change(now, before.get(name)) for name, now in current.named().items()}


def figures_as_json(figures: Figures) -> dict[str, Any]:
    """The figures as stored: `{name: {"value": int | None, "withheld": bool, "by": {...}}}`."""
    return {
        name: {"value": each.value, "withheld": each.withheld, "by": dict(each.by)}
        for name, each in figures.named().items()
    }


def figures_from_json(
    stored: Mapping[str, Any], *, team_id: str, period: Period, min_group_size: int
) -> Figures:
    """Stored figures read back; one stored before it existed reads as withheld."""
    named = {
        name: Figure(stored[name]["value"], stored[name]["by"]) if name in stored else Figure(None)
        for name in FIGURE_NAMES
    }
    return Figures(team_id, period, min_group_size, **named)


@dataclass(frozen=True)
class WeekHealth:
    """One week of the chart: how the reviews that closed in it went (shares by ReviewOutcome),
    and how many of the tours ending within 90 days of its end were decided by then (shares of
    ENDING_SOON_PARTS)."""

    week: Period
    reviews: Split
    tour_ends: Split


@dataclass(frozen=True)
class History:
    """The chart's weeks, oldest first, and the group size under which a point is withheld."""

    min_group_size: int
    weeks: tuple[WeekHealth, ...]
