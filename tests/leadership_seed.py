"""Rows for the leadership figures, inserted directly so that every date is the test's choice.
Each Seed is a workspace of its own, so figures see only what the test put there."""

from __future__ import annotations

import itertools
import uuid
from datetime import date, datetime, timedelta

from sqlalchemy import select

from db.engine import Database
from db.models import (
    AlignmentReview,
    AlumniProfile,
    Expense,
    Gap,
    Learning,
    NetworkingBudget,
    Opportunity,
    OpportunityInterest,
    Person,
    ReportingLine,
    ReviewResponse,
    Tour,
)
from domain.alumni import OpportunityKind, OpportunityStatus
from domain.money import ExpenseStatus
from domain.reviews import GapKind, ReviewKind, ReviewStatus
from domain.tours import Side, TourStatus, TourType

SECRET = "SECRET-TEXT-never-in-a-digest"


class Seed:
    def __init__(self, database: Database, now: datetime) -> None:
        self.database = database
        self.now = now
        self.team_id = f"TL{uuid.uuid4().hex[:10].upper()}"
        self._numbers = itertools.count(1)
        self.manager = self.person()

    def person(self) -> int:
        with self.database.session() as session:
            person = Person(
                team_id=self.team_id,
                user_id=f"U{next(self._numbers):06d}",
                name="someone",
                real_name="Some One",
                first_seen_at=self.now,
                profile_refreshed_at=self.now,
            )
            session.add(person)
            session.flush()
            return person.id

    def people(self, count: int) -> list[int]:
        return [self.person() for _ in range(count)]

    def place(self, person_id: int, department: str) -> None:
        """The person's current line in the org chart: the seed's manager, in `department`."""
        with self.database.session() as session:
            session.add(
                ReportingLine(
                    team_id=self.team_id,
                    person_id=person_id,
                    manager_id=self.manager,
                    department=department,
                    valid_from=self.now - timedelta(days=30),
                )
            )

    def tour(
        self,
        employee_id: int | None = None,
        *,
        status: TourStatus = TourStatus.ACTIVE,
        tour_type: TourType = TourType.ROTATIONAL,
        end_date: date | None = None,
        agreed_at: datetime | None = None,
        activated_at: datetime | None = None,
        ended_at: datetime | None = None,
        end_decided_at: datetime | None = None,
    ) -> int:
        """A tour of a new employee (unless one is given) with the seed's manager; active since
        a year ago unless told otherwise, decided when `end_decided_at` is given."""
        employee = self.person() if employee_id is None else employee_id
        year_ago = self.now - timedelta(days=365)
        started = status in (TourStatus.ACTIVE, TourStatus.ENDED)
        with self.database.session() as session:
            tour = Tour(
                team_id=self.team_id,
                employee_id=employee,
                manager_id=self.manager,
                status=status,
                current_version_no=1,
                tour_type=tour_type,
                start_date=year_ago.date(),
                end_date=end_date or (self.now + timedelta(days=365)).date(),
                cadence_weeks=4,
                agreed_at=agreed_at or (year_ago if status is not TourStatus.PROPOSED else None),
                activated_at=activated_at or (year_ago if started else None),
                ended_at=ended_at,
                end_decision="new_tour" if end_decided_at else None,
                end_decided_at=end_decided_at,
                created_at=year_ago,
                updated_at=self.now,
            )
            session.add(tour)
            session.flush()
            return tour.id

    def review(
        self,
        tour_id: int,
        *,
        answered_at: datetime | None = None,
        escalated: bool = False,
        closed_at: datetime | None = None,
    ) -> int:
        """A review of the tour, answered by both sides at `answered_at` (if given); when
        `escalated`, the employee's side was escalated first (and is unanswered if it still is)."""
        opened = (answered_at or closed_at or self.now) - timedelta(days=10)
        status = (
            ReviewStatus.CLOSED
            if closed_at
            else ReviewStatus.ANSWERED
            if answered_at
            else ReviewStatus.OPEN
        )
        with self.database.session() as session:
            tour = session.get(Tour, tour_id)
            assert tour is not None
            held = session.scalars(
                select(AlignmentReview.occurrence).where(AlignmentReview.tour_id == tour_id)
            ).all()
            review = AlignmentReview(
                team_id=self.team_id,
                tour_id=tour_id,
                occurrence=len(held) + 1,
                kind=ReviewKind.SCHEDULED,
                due_on=opened.date(),
                closes_on=opened.date() + timedelta(weeks=4),
                status=status,
                opened_at=opened,
                answered_at=answered_at,
                closed_at=closed_at,
                created_at=opened,
            )
            session.add(review)
            session.flush()
            for side, person_id in (
                (Side.EMPLOYEE, tour.employee_id),
                (Side.MANAGER, self.manager),
            ):
                session.add(
                    ReviewResponse(
                        team_id=self.team_id,
                        review_id=review.id,
                        side=side,
                        respondent_id=person_id,
                        answered_at=answered_at,
                        prompted_at=opened,
                        escalated_at=(
                            opened + timedelta(days=7)
                            if escalated and side is Side.EMPLOYEE
                            else None
                        ),
                        updated_at=opened,
                        created_at=opened,
                    )
                )
            return review.id

    def gap(self, tour_id: int, kind: GapKind, *, resolved: bool = False) -> None:
        with self.database.session() as session:
            session.add(
                Gap(
                    team_id=self.team_id,
                    tour_id=tour_id,
                    kind=kind,
                    label=SECRET if kind is GapKind.NAMED else None,
                    raised_at=self.now - timedelta(days=20),
                    resolved_at=self.now - timedelta(days=1) if resolved else None,
                    created_at=self.now - timedelta(days=20),
                )
            )

    def alum(self, joined_at: datetime) -> int:
        person_id = self.person()
        with self.database.session() as session:
            session.add(
                AlumniProfile(
                    team_id=self.team_id,
                    person_id=person_id,
                    joined_at=joined_at,
                    listed=False,
                    directory_line=SECRET,
                    updated_at=joined_at,
                    created_at=joined_at,
                )
            )
        return person_id

    def opportunity(self, poster_id: int, posted_at: datetime | None) -> int:
        with self.database.session() as session:
            opportunity = Opportunity(
                team_id=self.team_id,
                posted_by_id=poster_id,
                kind=OpportunityKind.CONSULTING,
                title=SECRET[:150],
                description=SECRET,
                status=OpportunityStatus.POSTED if posted_at else OpportunityStatus.QUEUED,
                posted_at=posted_at,
                updated_at=self.now,
                created_at=self.now - timedelta(days=30),
            )
            session.add(opportunity)
            session.flush()
            return opportunity.id

    def interest(self, opportunity_id: int, person_id: int, at: datetime) -> None:
        with self.database.session() as session:
            session.add(
                OpportunityInterest(
                    team_id=self.team_id,
                    opportunity_id=opportunity_id,
                    person_id=person_id,
                    created_at=at,
                )
            )

    def learning(self, person_id: int, posted_at: datetime | None) -> None:
        with self.database.session() as session:
            session.add(
                Learning(
                    team_id=self.team_id,
                    person_id=person_id,
                    text=SECRET,
                    source=SECRET,
                    posted_at=posted_at,
                    created_at=posted_at or self.now,
                )
            )

    def expense(
        self,
        person_id: int,
        amount_minor: int,
        status: ExpenseStatus,
        *,
        asked_at: datetime,
        decided_at: datetime | None = None,
        currency: str = "EUR",
    ) -> None:
        with self.database.session() as session:
            budget = session.scalar(
                select(NetworkingBudget).where(NetworkingBudget.person_id == person_id)
            )
            if budget is None:
                budget = NetworkingBudget(
                    team_id=self.team_id,
                    person_id=person_id,
                    year=asked_at.year,
                    amount_minor=100000,
                    self_approval_limit_minor=25000,
                    currency=currency,
                    created_at=asked_at,
                )
                session.add(budget)
                session.flush()
            session.add(
                Expense(
                    team_id=self.team_id,
                    person_id=person_id,
                    budget_id=budget.id,
                    amount_minor=amount_minor,
                    currency=currency,
                    description=SECRET,
                    status=status,
                    approver_id=self.manager,
                    decided_at=decided_at,
                    updated_at=decided_at or asked_at,
                    created_at=asked_at,
                )
            )
