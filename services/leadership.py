"""The leadership digest's figures, computed from the store with the small-group rule, and the
digests kept so that the next one can show each figure's change. Counts only: no free text,
no names. What each figure counts is set out in docs/data-model.md ("Leadership review")."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, exists, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from db.engine import Database
from db.models import (
    AlignmentReview,
    AlumniProfile,
    Expense,
    Gap,
    LeadershipDigest,
    Learning,
    Opportunity,
    OpportunityInterest,
    ReviewResponse,
    Tour,
)
from db.upsert import insert_if_absent
from domain.figures import DEFAULT_MIN_GROUP_SIZE, Counted, figure
from domain.leadership import (
    ENDING_SOON,
    ENDING_SOON_PARTS,
    Figures,
    Period,
    ReviewOutcome,
    TourEnd,
    digest_week,
    figures_as_json,
    figures_from_json,
    review_outcome,
    tour_end,
)
from domain.money import ExpenseStatus
from domain.reviews import GapKind, ReviewStatus
from domain.schedule import earliest_local_date
from domain.tours import TourStatus, TourType

TOUR_TYPES = tuple(tour_type.value for tour_type in TourType)
PERCEPTION_GAPS = (GapKind.PROGRESS, GapKind.ALIGNMENT)
# Whether a side of the review in the enclosing query was ever escalated.
A_SIDE_ESCALATED = exists().where(
    ReviewResponse.review_id == AlignmentReview.id, ReviewResponse.escalated_at.is_not(None)
)

# The figures that count one row for each thing done in the week:
# (figure, whom the row is about, its workspace, when it was done).
DONE_IN_THE_WEEK = (
    ("statements_agreed", Tour.employee_id, Tour.team_id, Tour.agreed_at),
    ("alumni_joined", AlumniProfile.person_id, AlumniProfile.team_id, AlumniProfile.joined_at),
    ("opportunities_posted", Opportunity.posted_by_id, Opportunity.team_id, Opportunity.posted_at),
    (
        "opportunity_interest",
        OpportunityInterest.person_id,
        OpportunityInterest.team_id,
        OpportunityInterest.created_at,
    ),
    ("learnings_shared", Learning.person_id, Learning.team_id, Learning.posted_at),
)


def compute_figures(
    database: Database,
    *,
    team_id: str,
    now: datetime,
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
) -> Figures:
    """The workspace's figures for the 7 days before `now`, and its stock figures as of `now`."""
    week = digest_week(now)
    size = min_group_size
    with database.read() as session:
        done = {
            name: figure(_each(session, person, team == team_id, _within(when, week)), size)
            for name, person, team, when in DONE_IN_THE_WEEK
        }
        proposed = _each(
            session, Tour.employee_id, Tour.team_id == team_id, Tour.status == TourStatus.PROPOSED
        )
        reviews = _reviews(session, team_id, week)
        ends = tour_ends(_active_tour_ends(session, team_id, now), now)
        budget = _budget_used(session, team_id, week)
        return Figures(
            team_id=team_id,
            period=week,
            min_group_size=size,
            active_tours=figure(_active_tours(session, team_id), size, TOUR_TYPES),
            statements_proposed=figure(proposed, size),
            reviews_on_time=figure(reviews[ReviewOutcome.ON_TIME], size),
            reviews_late=figure(reviews[ReviewOutcome.LATE], size),
            reviews_overdue=figure(reviews[ReviewOutcome.OVERDUE], size),
            perception_gaps_open=figure(_open_perception_gaps(session, team_id), size),
            tours_ending_soon=figure(
                [*ends[TourEnd.DECIDED], *ends[TourEnd.UNDECIDED]], size, ENDING_SOON_PARTS
            ),
            tours_past_end_undecided=figure(ends[TourEnd.PAST_END_UNDECIDED], size),
            budget_used=figure(budget, size, sorted({each.part for each in budget})),
            **done,
        )


def _each(
    session: Session, person: InstrumentedAttribute[int], *where: ColumnElement[bool]
) -> list[Counted]:
    """One item for each row found, counted for the person in the `person` column."""
    return [Counted(person_id) for person_id in session.scalars(select(person).where(*where))]


def _within(column: InstrumentedAttribute[datetime | None], week: Period) -> ColumnElement[bool]:
    return and_(column >= week.start, column < week.end)


def _active_tours(session: Session, team_id: str) -> list[Counted]:
    rows = session.execute(
        select(Tour.employee_id, Tour.tour_type).where(
            Tour.team_id == team_id, Tour.status == TourStatus.ACTIVE
        )
    )
    return [Counted(employee_id, tour_type.value) for employee_id, tour_type in rows]


def _open_perception_gaps(session: Session, team_id: str) -> list[Counted]:
    """Perception gaps (progress, alignment) not resolved yet, on active tours."""
    return _each(
        session,
        Tour.employee_id,
        Gap.tour_id == Tour.id,
        Gap.team_id == team_id,
        Gap.kind.in_(PERCEPTION_GAPS),
        Gap.resolved_at.is_(None),
        Tour.status == TourStatus.ACTIVE,
    )


def _reviews(session: Session, team_id: str, week: Period) -> dict[ReviewOutcome, list[Counted]]:
    """The reviews answered by both sides in the week (on time or late), and those open and
    overdue now, each counted for its employee. Two queries, each served by its index (one
    query with OR between them reads every review the workspace ever had); a review both find
    counts once."""
    matching = {
        **_reviews_where(session, team_id, _within(AlignmentReview.answered_at, week)),
        **_reviews_where(
            session, team_id, AlignmentReview.status == ReviewStatus.OPEN, A_SIDE_ESCALATED
        ),
    }
    found: dict[ReviewOutcome, list[Counted]] = defaultdict(list)
    for employee_id, answered, status, was_escalated in matching.values():
        outcome = review_outcome(
            answered=answered, escalated=was_escalated, closed=status is ReviewStatus.CLOSED
        )
        if outcome is not None:
            found[outcome].append(Counted(employee_id))
    return found


# (employee, answered by both, status, a side escalated) of a review
ReviewState = tuple[int, bool, ReviewStatus, bool]


def _reviews_where(
    session: Session, team_id: str, *where: ColumnElement[bool]
) -> dict[int, ReviewState]:
    """The workspace's reviews that match, by id."""
    rows = session.execute(
        select(
            AlignmentReview.id,
            Tour.employee_id,
            AlignmentReview.answered_at.is_not(None).label("answered"),
            AlignmentReview.status,
            A_SIDE_ESCALATED.label("escalated"),
        )
        .join(Tour, Tour.id == AlignmentReview.tour_id)
        .where(AlignmentReview.team_id == team_id, *where)
    )
    return {
        review_id: (employee_id, bool(answered), status, bool(escalated))
        for review_id, employee_id, answered, status, escalated in rows
    }


def _active_tour_ends(
    session: Session, team_id: str, now: datetime
) -> list[tuple[int, date, bool]]:
    """(employee, end date, decided) of the active tours that end soon or have ended."""
    rows = session.execute(
        select(Tour.employee_id, Tour.end_date, Tour.end_decision).where(
            Tour.team_id == team_id,
            Tour.status == TourStatus.ACTIVE,
            Tour.end_date <= earliest_local_date(now) + ENDING_SOON,
        )
    )
    return [(employee_id, end, decision is not None) for employee_id, end, decision in rows]


def tour_ends(
    tours: Iterable[tuple[int, date, bool]], now: datetime
) -> dict[TourEnd, list[Counted]]:
    """Tours given as (employee, end date, decided) by where they stand with their end at
    `now`, each counted for its employee."""
    found: dict[TourEnd, list[Counted]] = defaultdict(list)
    for employee_id, end, decided in tours:
        state = tour_end(end, decided=decided, now=now)
        if state is not None:
            found[state].append(Counted(employee_id, state.value))
    return found


def _budget_used(session: Session, team_id: str, week: Period) -> list[Counted]:
    """Expenses approved in the week (at once, or by the manager), in their currency."""
    rows = session.execute(
        select(Expense.person_id, Expense.currency, Expense.amount_minor).where(
            Expense.team_id == team_id,
            or_(
                and_(
                    Expense.status == ExpenseStatus.APPROVED_AUTO,
                    _within(Expense.created_at, week),
                ),
                and_(Expense.status == ExpenseStatus.APPROVED, _within(Expense.decided_at, week)),
            ),
        )
    )
    return [Counted(person_id, currency, amount) for person_id, currency, amount in rows]


# --- stored digests ---------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredDigest:
    digest_id: int
    figures: Figures


def store_digest(database: Database, figures: Figures) -> int:
    """Keep a scheduled digest's figures, once per workspace and period key; returns the id of
    the digest stored for that period (the earlier one, when it was stored before)."""
    period = figures.period
    with database.session() as session:
        insert_if_absent(
            session,
            LeadershipDigest.__table__,  # type: ignore[arg-type]
            {
                "team_id": figures.team_id,
                "period_key": period.key,
                "period_start": period.start.date(),
                "period_end": period.end.date(),
                "figures": figures_as_json(figures),
                "min_group_size": figures.min_group_size,
                "generated_at": period.end,
                "created_at": period.end,
            },
        )
        digest_id = session.scalar(
            select(LeadershipDigest.id).where(
                LeadershipDigest.team_id == figures.team_id,
                LeadershipDigest.period_key == period.key,
            )
        )
        assert digest_id is not None
        return digest_id


def latest_digest(
    database: Database, *, team_id: str, before: datetime | None = None
) -> StoredDigest | None:
    """The workspace's most recent stored digest, or the most recent generated before `before`
    (for a stored digest, pass its period's end to find the one it is compared with)."""
    query = select(LeadershipDigest).where(LeadershipDigest.team_id == team_id)
    if before is not None:
        query = query.where(LeadershipDigest.generated_at < before)
    query = query.order_by(
        LeadershipDigest.period_end.desc(), LeadershipDigest.generated_at.desc()
    ).limit(1)
    with database.read() as session:
        row = session.scalar(query)
        return None if row is None else _stored(row)


def get_digest(database: Database, digest_id: int) -> StoredDigest | None:
    with database.read() as session:
        row = session.get(LeadershipDigest, digest_id)
        return None if row is None else _stored(row)


def _stored(row: LeadershipDigest) -> StoredDigest:
    figures = figures_from_json(
        row.figures,
        team_id=row.team_id,
        period=digest_week(row.generated_at),
        min_group_size=row.min_group_size,
    )
    return StoredDigest(row.id, figures)
