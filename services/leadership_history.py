"""The leadership chart's weeks, recomputed from reviews and tours: how the reviews that closed
each week went, and how ready the tours ending within 90 days were, with the small-group rule
applied to each point. The database counts each week (services/tallies.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, case, or_, select, true

from db.engine import Database
from db.models import AlignmentReview, Tour
from domain.figures import DEFAULT_MIN_GROUP_SIZE, Split, figure_of, split_of
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
from services.leadership import review_outcome_of, text_of
from services.tallies import Rows, tallies


def weekly_history(
    database: Database,
    *,
    team_id: str,
    now: datetime,
    weeks: int = HISTORY_WEEKS,
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
) -> History:
    """The `weeks` digest weeks up to `now`, oldest first: the last is the digest's own week."""
    with database.read() as session:

        def shares(rows: Rows, parts: Sequence[str]) -> Split:
            whole, by_part = tallies(session, rows, min_group_size, by_part=True)
            return split_of(figure_of(whole, by_part, min_group_size, parts))

        return History(
            min_group_size,
            tuple(
                WeekHealth(
                    week,
                    reviews=shares(_closed_reviews(team_id, week), REVIEW_OUTCOMES),
                    tour_ends=shares(_ending_soon_at(team_id, week.end), ENDING_SOON_PARTS),
                )
                for week in weeks_up_to(now, weeks)
            ),
        )


def _closed_reviews(team_id: str, week: Period) -> Rows:
    """The reviews that closed in the week, by outcome, each counted for its employee."""
    return (
        select(Tour.employee_id.label("person"), review_outcome_of(true()).label("part"))
        .join(Tour, Tour.id == AlignmentReview.tour_id)
        .where(
            AlignmentReview.team_id == team_id,
            AlignmentReview.closed_at >= week.start,
            AlignmentReview.closed_at < week.end,
        )
    )


def _ending_soon_at(team_id: str, at: datetime) -> Rows:
    """The tours active at `at` that end within ENDING_SOON of it, by whether their decision
    had been taken by then (`domain.leadership.tour_end` as of `at`)."""
    today = earliest_local_date(at)
    decided = case(
        (
            and_(Tour.end_decided_at.is_not(None), Tour.end_decided_at < at),
            text_of(TourEnd.DECIDED),
        ),
        else_=text_of(TourEnd.UNDECIDED),
    )
    return select(Tour.employee_id.label("person"), decided.label("part")).where(
        Tour.team_id == team_id,
        Tour.activated_at < at,
        or_(Tour.ended_at.is_(None), Tour.ended_at >= at),
        Tour.end_date >= today,
        Tour.end_date <= today + ENDING_SOON,
    )
