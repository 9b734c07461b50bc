"""The leadership chart's weeks, recomputed from reviews and tours: how the reviews that closed
each week went, and how ready the tours ending within 90 days were, with the small-group rule
applied to each point. The database counts the reviews of all the weeks in one pass
(services/tallies.py); the few tours ending near them are placed in each week here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime

from sqlalchemy import Integer, case, literal, or_, select, true
from sqlalchemy.orm import Session

from db.engine import Database
from db.models import AlignmentReview, Tour
from domain.figures import (
    DEFAULT_MIN_GROUP_SIZE,
    Split,
    Tally,
    figure_of,
    head_count,
    split_of,
    whole_of,
)
from domain.leadership import (
    ENDING_SOON,
    ENDING_SOON_PARTS,
    HISTORY_WEEKS,
    REVIEW_OUTCOMES,
    History,
    Period,
    TourEnd,
    WeekHealth,
    weeks_up_to,
)
from domain.schedule import earliest_local_date
from services.leadership import review_outcome_of
from services.tallies import Rows, bucket_tallies


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
    size = min_group_size
    with database.read() as session:
        reviews = bucket_tallies(session, _closed_reviews(team_id, periods), size)
        tours = _tours_ending_near(session, team_id, periods[0].end, now)
    return History(
        size,
        tuple(
            WeekHealth(
                week,
                reviews=_shares(reviews.get(index, {}), REVIEW_OUTCOMES, size),
                tour_ends=_shares(_ending_soon_at(tours, week.end, size), ENDING_SOON_PARTS, size),
            )
            for index, week in enumerate(periods)
        ),
    )


def _shares(by_part: Mapping[str, Tally], parts: Sequence[str], min_group_size: int) -> Split:
    whole = whole_of(by_part, min_group_size)
    return split_of(figure_of(whole, by_part, min_group_size, parts))


def _closed_reviews(team_id: str, weeks: list[Period]) -> Rows:
    """The reviews that closed in the weeks (back to back, oldest first), by week (its index)
    and outcome, each counted for its employee."""
    week = case(
        *(
            (AlignmentReview.closed_at < period.end, literal(index, Integer))
            for index, period in enumerate(weeks)
        )
    )
    return (
        select(
            week.label("bucket"),
            Tour.employee_id.label("person"),
            review_outcome_of(true()).label("part"),
        )
        .join(Tour, Tour.id == AlignmentReview.tour_id)
        .where(
            AlignmentReview.team_id == team_id,
            AlignmentReview.closed_at >= weeks[0].start,
            AlignmentReview.closed_at < weeks[-1].end,
        )
    )


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


def _ending_soon_at(tours: list[TourDates], at: datetime, min_group_size: int) -> dict[str, Tally]:
    """The tours active at `at` that end within ENDING_SOON of it, by whether their decision
    had been taken by then (`domain.leadership.tour_end` as of `at`)."""
    today = earliest_local_date(at)
    last = today + ENDING_SOON
    people: dict[str, list[int]] = {part: [] for part in ENDING_SOON_PARTS}
    for employee_id, end, activated_at, ended_at, decided_at in tours:
        if activated_at is None or activated_at >= at or (ended_at is not None and ended_at < at):
            continue
        if today <= end <= last:
            decided = decided_at is not None and decided_at < at
            people[TourEnd.DECIDED if decided else TourEnd.UNDECIDED].append(employee_id)
    return {part: head_count(who, min_group_size) for part, who in people.items() if who}
