"""What a person's Home tab shows, gathered in one read."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select

from db.engine import Database
from db.models import AlignmentReview, Tour, ValueStatement
from domain.reviews import ReviewStatus
from domain.tours import OPEN_STATUSES, TourStatus
from services.budget import BudgetDefaults, BudgetStatus, budget_status
from services.learnings import recent_learnings
from services.rollout import CoverageReport, ReportToCover, coverage_report, my_reports_to_cover
from services.tours import TourStatement, team_tours, tours_of


@dataclass(frozen=True)
class AdminCounts:
    tours_by_status: dict[str, int] = field(default_factory=dict)
    value_statements: int = 0


@dataclass(frozen=True)
class ReviewState:
    """Where a tour's latest alignment review stands, as one person sees it."""

    due_on: date
    closes_on: date
    status: ReviewStatus
    mine_answered: bool
    theirs_answered: bool
    snoozed_until: datetime | None


@dataclass(frozen=True)
class HomeFacts:
    my_tour: TourStatement | None
    team: list[TourStatement]
    admin_counts: AdminCounts | None
    # The latest review of each tour shown (yours and your team's), by tour id.
    reviews: dict[int, ReviewState] = field(default_factory=dict)
    learnings: list[str] = field(default_factory=list)  # your latest shared, newest first
    budget: BudgetStatus | None = None  # your networking budget this year
    # Each report's budget this year, by their user id: for a manager's view of the team.
    team_budgets: dict[str, BudgetStatus] = field(default_factory=dict)
    # A running rollout: the manager's reports still without a tour; its coverage, for admins.
    to_cover: list[ReportToCover] = field(default_factory=list)
    rollout: CoverageReport | None = None

    @property
    def is_newcomer(self) -> bool:
        return self.my_tour is None and not self.team and not self.to_cover


def home_facts(
    database: Database,
    team_id: str,
    user_id: str,
    *,
    is_admin: bool,
    now: datetime,
    budget_defaults: BudgetDefaults,
    min_group_size: int,
) -> HomeFacts:
    mine = tours_of(database, team_id, user_id)
    current = next((t for t in mine if t.status in OPEN_STATUSES), mine[0] if mine else None)
    team = team_tours(database, team_id, user_id)
    shown = [tour.tour_id for tour in ([current] if current else []) + team]

    def budget_of(person: str) -> BudgetStatus:
        return budget_status(
            database, team_id=team_id, user_id=person, now=now, defaults=budget_defaults
        )

    return HomeFacts(
        my_tour=current,
        team=team,
        admin_counts=admin_counts(database, team_id) if is_admin else None,
        reviews=latest_reviews(database, shown, user_id),
        learnings=recent_learnings(database, team_id=team_id, user_id=user_id),
        budget=budget_of(user_id) if current is not None else None,
        team_budgets={tour.employee_user_id: budget_of(tour.employee_user_id) for tour in team},
        to_cover=my_reports_to_cover(database, team_id, user_id),
        rollout=coverage_report(database, team_id, min_group_size) if is_admin else None,
    )


def latest_reviews(database: Database, tour_ids: list[int], user_id: str) -> dict[int, ReviewState]:
    """The latest review of each tour, with whether `user_id` and the other side answered."""
    if not tour_ids:
        return {}
    latest = (
        select(AlignmentReview.tour_id, func.max(AlignmentReview.occurrence).label("occurrence"))
        .where(AlignmentReview.tour_id.in_(tour_ids))
        .group_by(AlignmentReview.tour_id)
        .subquery()
    )
    with database.read() as session:
        reviews = session.scalars(
            select(AlignmentReview).join(
                latest,
                (latest.c.tour_id == AlignmentReview.tour_id)
                & (latest.c.occurrence == AlignmentReview.occurrence),
            )
        ).unique()
        states = {}
        for review in reviews:
            mine = [r for r in review.responses if r.respondent.user_id == user_id]
            theirs = [r for r in review.responses if r.respondent.user_id != user_id]
            states[review.tour_id] = ReviewState(
                due_on=review.due_on,
                closes_on=review.closes_on,
                status=review.status,
                mine_answered=bool(mine) and mine[0].answered_at is not None,
                theirs_answered=all(r.answered_at is not None for r in theirs),
                snoozed_until=mine[0].snoozed_until if mine else None,
            )
        return states


def admin_counts(database: Database, team_id: str) -> AdminCounts:
    """Counts only: admins see how many, never what anyone wrote."""
    with database.session() as session:
        rows = session.execute(
            select(Tour.status, func.count()).where(Tour.team_id == team_id).group_by(Tour.status)
        ).all()
        statements = session.scalar(
            select(func.count())
            .select_from(ValueStatement)
            .where(ValueStatement.team_id == team_id)
        )
    by_status = {status.value: 0 for status in TourStatus}
    by_status.update({TourStatus(status).value: count for status, count in rows})
    return AdminCounts(by_status, statements or 0)
