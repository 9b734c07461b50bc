"""The leadership chart's weeks, recomputed from reviews and tours: how the reviews that closed
each week went, and how ready the tours ending within 90 days were, with the small-group rule
applied to each point."""

from __future__ import annotations

from bisect import bisect_right
from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from db.engine import Database
from db.models import AlignmentReview, Tour
from domain.figures import DEFAULT_MIN_GROUP_SIZE, Counted, split
from domain.leadership import (
    ENDING_SOON,
    ENDING_SOON_PARTS,
    HISTORY_WEEKS,
    REVIEW_OUTCOMES,
    History,
    Period,
    TourEnd,
    WeekHealth,
    review_outcome,
    weeks_up_to,
)
from domain.schedule import earliest_local_date
from services.leadership import A_SIDE_ESCALATED, tour_ends


def weekly_history(
    database: Database,
    *,
    team_id: str,
    now: datetime,
    weeks: int = HISTORY_WEEKS,
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
) -> History:
    """The `weeks` digest weeks up to `now`, oldest first: the last is the digest's own week."""
    periods = weeks_up_to(now, weeks)
    with database.read() as session:
        reviews = _closed_reviews(session, team_id, periods)
        tours = _tours_ending_near(session, team_id, periods[0].end, now)
    return History(
        min_group_size,
        tuple(
            WeekHealth(
                week,
                reviews=split(closed, min_group_size, REVIEW_OUTCOMES),
                tour_ends=split(_ending_soon_at(tours, week), min_group_size, ENDING_SOON_PARTS),
            )
            for week, closed in zip(periods, reviews, strict=True)
        ),
    )


def _closed_reviews(session: Session, team_id: str, weeks: list[Period]) -> list[list[Counted]]:
    """The reviews that closed in each of the weeks (back to back, oldest first), by outcome,
    each counted for its employee."""
    rows = session.execute(
        select(
            Tour.employee_id,
            AlignmentReview.closed_at,
            AlignmentReview.answered_at.is_not(None).label("answered"),
            A_SIDE_ESCALATED.label("escalated"),
        )
        .join(Tour, Tour.id == AlignmentReview.tour_id)
        .where(
            AlignmentReview.team_id == team_id,
            AlignmentReview.closed_at >= weeks[0].start,
            AlignmentReview.closed_at < weeks[-1].end,
        )
    )
    starts = [week.start for week in weeks]
    found: list[list[Counted]] = [[] for _ in weeks]
    for employee_id, closed_at, answered, escalated in rows:
        assert closed_at is not None  # asked for: it closed within the weeks
        outcome = review_outcome(answered=bool(answered), escalated=bool(escalated), closed=True)
        assert outcome is not None  # a closed review has an outcome
        found[bisect_right(starts, closed_at) - 1].append(Counted(employee_id, outcome.value))
    return found


# (employee, end date, activated at, ended at, decided at) of a tour
TourDates = tuple[int, date, datetime | None, datetime | None, datetime | None]


def _tours_ending_near(
    session: Session, team_id: str, first: datetime, last: datetime
) -> list[TourDates]:
    """The tours active at some moment from `first` to `last` that end within ENDING_SOON of
    one of them."""
    rows = session.execute(
        select(
            Tour.employee_id, Tour.end_date, Tour.activated_at, Tour.ended_at, Tour.end_decided_at
        ).where(
            Tour.team_id == team_id,
            Tour.activated_at < last,
            or_(Tour.ended_at.is_(None), Tour.ended_at >= first),
            Tour.end_date >= earliest_local_date(first),
            Tour.end_date <= earliest_local_date(last) + ENDING_SOON,
        )
    )
    return [
        (employee, end, started, ended, decided) for employee, end, started, ended, decided in rows
    ]


def _ending_soon_at(tours: list[TourDates], week: Period) -> list[Counted]:
    """The tours active at the week's end that end within ENDING_SOON of it, by whether their
    decision had been taken by then."""
    at = week.end
    as_of = [
        (employee_id, end, decided_at is not None and decided_at < at)
        for employee_id, end, activated_at, ended_at, decided_at in tours
        if activated_at is not None and activated_at < at and (ended_at is None or ended_at >= at)
    ]
    ends = tour_ends(as_of, at)
    return [*ends[TourEnd.DECIDED], *ends[TourEnd.UNDECIDED]]
