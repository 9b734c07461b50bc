"""The leadership digest's figures, computed from the store with the small-group rule, and the
digests kept so that the next one can show each figure's change. Counts only: no free text,
no names. What each figure counts is set out in docs/data-model.md ("Leadership review")."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import (
    ColumnElement,
    String,
    and_,
    case,
    exists,
    func,
    literal,
    null,
    or_,
    select,
    union,
)
from sqlalchemy.orm import InstrumentedAttribute

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
    ReportingLine,
    ReviewResponse,
    Tour,
)
from db.upsert import insert_if_absent
from domain.figures import (
    DEFAULT_MIN_GROUP_SIZE,
    Figure,
    Tally,
    disjoint_whole,
    figure_of,
    whole_of,
)
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
)
from domain.money import ExpenseStatus
from domain.reviews import GapKind, ReviewStatus
from domain.schedule import earliest_local_date
from domain.tours import TourStatus, TourType
from services.tallies import Rows, bucket_tallies, part_tallies, whole_tally

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
    """The workspace's figures for the 7 days before `now`, and its stock figures as of `now`.
    The database counts them (services/tallies.py): no row is read into Python for each."""
    week = digest_week(now)
    today = earliest_local_date(now)
    size = min_group_size
    with database.read() as session:

        def counted(rows: Rows, parts: Sequence[str] = ()) -> Figure:
            if not parts:
                return figure_of(whole_tally(session, rows, size), {}, size)
            by_part = part_tallies(session, rows, size)
            return figure_of(whole_of(by_part, size), by_part, size, parts)

        done = {
            name: counted(
                select(person.label("person")).where(team == team_id, _within(when, week))
            )
            for name, person, team, when in DONE_IN_THE_WEEK
        }
        # Tours by type and reviews by outcome, each by department in the same pass: a person
        # is in one department, so a department's people add up across them exactly.
        active = Breakdown(
            bucket_tallies(session, _by_department(team_id, _active_tours(team_id)), size), size
        )
        reviews = Breakdown(
            bucket_tallies(session, _by_department(team_id, _reviews(team_id, week)), size), size
        )
        by_currency = part_tallies(session, _budget_used(team_id, week), size)
        return Figures(
            team_id=team_id,
            period=week,
            min_group_size=size,
            active_tours=active.by_bucket(TOUR_TYPES),
            statements_proposed=counted(_tours(team_id, Tour.status == TourStatus.PROPOSED)),
            reviews_on_time=reviews.of(ReviewOutcome.ON_TIME),
            reviews_late=reviews.of(ReviewOutcome.LATE),
            reviews_overdue=reviews.of(ReviewOutcome.OVERDUE),
            perception_gaps_open=counted(_open_perception_gaps(team_id)),
            tours_ending_soon=counted(_ending_soon(team_id, today), ENDING_SOON_PARTS),
            tours_past_end_undecided=counted(_past_end_undecided(team_id, today)),
            budget_used=figure_of(
                whole_of(by_currency, size), by_currency, size, sorted(by_currency)
            ),
            active_by_department=active.by_department(),
            reviews_on_time_by_department=reviews.by_department(ReviewOutcome.ON_TIME),
            reviews_overdue_by_department=reviews.by_department(ReviewOutcome.OVERDUE),
            **done,
        )


def _within(column: InstrumentedAttribute[datetime | None], week: Period) -> ColumnElement[bool]:
    return and_(column >= week.start, column < week.end)


def text_of(value: str) -> ColumnElement[str]:
    return literal(value, String())


def _tours(team_id: str, *where: ColumnElement[bool]) -> Rows:
    """The workspace's tours that match, each counted for its employee."""
    return select(Tour.employee_id.label("person")).where(Tour.team_id == team_id, *where)


def _active_tours(team_id: str) -> Rows:
    return select(Tour.employee_id.label("person"), Tour.tour_type.label("part")).where(
        Tour.team_id == team_id, Tour.status == TourStatus.ACTIVE
    )


def _open_perception_gaps(team_id: str) -> Rows:
    """Perception gaps (progress, alignment) not resolved yet, on active tours."""
    return _tours(
        team_id,
        Gap.tour_id == Tour.id,
        Gap.team_id == team_id,
        Gap.kind.in_(PERCEPTION_GAPS),
        Gap.resolved_at.is_(None),
        Tour.status == TourStatus.ACTIVE,
    )


def review_outcome_of(closed: ColumnElement[bool]) -> ColumnElement[str | None]:
    """`domain.leadership.review_outcome` of the review in the enclosing query, in SQL."""
    answered = AlignmentReview.answered_at.is_not(None)
    return case(
        (and_(answered, A_SIDE_ESCALATED), text_of(ReviewOutcome.LATE)),
        (answered, text_of(ReviewOutcome.ON_TIME)),
        (or_(A_SIDE_ESCALATED, closed), text_of(ReviewOutcome.OVERDUE)),
        else_=null(),
    )


def _reviews(team_id: str, week: Period) -> Rows:
    """The reviews answered by both sides in the week (on time or late), and those open and
    overdue now, each counted for its employee, by outcome. Two queries, each served by its
    index (one query with OR between them reads every review the workspace ever had), and a
    UNION, so that a review both find counts once."""

    def reviews_where(*where: ColumnElement[bool]) -> Rows:
        outcome = review_outcome_of(AlignmentReview.status == ReviewStatus.CLOSED)
        return (
            select(AlignmentReview.id, Tour.employee_id.label("person"), outcome.label("part"))
            .join(Tour, Tour.id == AlignmentReview.tour_id)
            .where(AlignmentReview.team_id == team_id, *where)
        )

    found = union(
        reviews_where(_within(AlignmentReview.answered_at, week)),
        reviews_where(AlignmentReview.status == ReviewStatus.OPEN, A_SIDE_ESCALATED),
    ).subquery()
    return select(found.c.person, found.c.part).where(found.c.part.is_not(None))


@dataclass(frozen=True)
class Breakdown:
    """Tallies by bucket (a tour type, a review outcome) and department, and the figures made
    of them. A person is in one department, so within a bucket departments add up exactly;
    across buckets only where one person falls in one bucket (an employee has one active
    tour), which is why `by_department` takes a single bucket unless told all are disjoint."""

    tallies: Mapping[str, Mapping[str, Tally]]
    size: int

    def _bucket(self, bucket: str) -> Tally:
        return disjoint_whole(self.tallies.get(bucket, {}).values(), self.size)

    def of(self, bucket: str) -> Figure:
        return figure_of(self._bucket(bucket), {}, self.size)

    def by_bucket(self, buckets: Sequence[str]) -> Figure:
        """The buckets as the parts of one figure; they must be about different people."""
        parts = {bucket: self._bucket(bucket) for bucket in buckets}
        return figure_of(disjoint_whole(parts.values(), self.size), parts, self.size, buckets)

    def by_department(self, bucket: str | None = None) -> Figure:
        """One bucket's figure by department; every bucket's, when None (disjoint buckets)."""
        chosen = [self.tallies.get(bucket, {})] if bucket else list(self.tallies.values())
        departments: dict[str, list[Tally]] = defaultdict(list)
        for by_department in chosen:
            for department, tally in by_department.items():
                departments[department].append(tally)
        parts = {name: disjoint_whole(each, self.size) for name, each in departments.items()}
        whole = disjoint_whole(parts.values(), self.size)
        return figure_of(whole, parts, self.size, sorted(parts))


def _by_department(team_id: str, rows: Rows) -> Rows:
    """The rows with their part as the bucket, by the department of each person's current
    reporting line ("" without one) as the part."""
    found = rows.subquery()
    current = and_(
        ReportingLine.team_id == team_id,  # uq_reporting_lines_current
        ReportingLine.person_id == found.c.person,
        ReportingLine.valid_to.is_(None),
    )
    return select(
        found.c.person,
        found.c.part.label("bucket"),
        func.coalesce(ReportingLine.department, "").label("part"),
    ).outerjoin(ReportingLine, current)


def _ending_soon(team_id: str, today: date) -> Rows:
    """Active tours whose end is within ENDING_SOON, by whether what comes next is decided
    (`domain.leadership.tour_end`)."""
    decided = case(
        (Tour.end_decision.is_not(None), text_of(TourEnd.DECIDED)), else_=text_of(TourEnd.UNDECIDED)
    )
    return select(Tour.employee_id.label("person"), decided.label("part")).where(
        Tour.team_id == team_id,
        Tour.status == TourStatus.ACTIVE,
        Tour.end_date >= today,
        Tour.end_date <= today + ENDING_SOON,
    )


def _past_end_undecided(team_id: str, today: date) -> Rows:
    """Active tours past their end with nothing decided (`domain.schedule`'s rule)."""
    return _tours(
        team_id,
        Tour.status == TourStatus.ACTIVE,
        Tour.end_date < today,
        Tour.end_decision.is_(None),
    )


def _budget_used(team_id: str, week: Period) -> Rows:
    """Expenses approved in the week (at once, or by the manager), in their currency."""
    return select(
        Expense.person_id.label("person"),
        Expense.currency.label("part"),
        Expense.amount_minor.label("amount"),
    ).where(
        Expense.team_id == team_id,
        or_(
            and_(Expense.status == ExpenseStatus.APPROVED_AUTO, _within(Expense.created_at, week)),
            and_(Expense.status == ExpenseStatus.APPROVED, _within(Expense.decided_at, week)),
        ),
    )


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
