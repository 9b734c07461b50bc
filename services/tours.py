"""Tours of duty: propose, revise, accept, withdraw, and the reads each party is allowed."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db.engine import Database
from db.models import Person, Tour, TourVersion
from domain.schedule import WorkingHours
from domain.tours import (
    OPEN_STATUSES,
    Side,
    TourDraft,
    TourStatus,
    TourType,
    VersionSource,
    employee_problem,
    may_read_statement,
)
from services.audit import record_audit
from services.off_chart import flag_off_chart
from services.people import display_name, get_person
from services.refusals import NOT_YOURS, Refusal
from services.tour_lifecycle import activate_tour


class TourRefusal(Refusal):
    """A tour action is not possible; `field` names the form field at fault, if one is."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class Agreement(StrEnum):
    AWAITING_OTHER_SIDE = "awaiting_other_side"
    AGREED = "agreed"
    ACTIVE = "active"


@dataclass(frozen=True)
class TourRef:
    """What the Slack side needs to tell both parties about a tour: ids, never free text."""

    tour_id: int
    team_id: str
    version_no: int
    employee_user_id: str
    manager_user_id: str
    status: TourStatus
    awaiting: Side | None

    @classmethod
    def of(cls, tour: Tour) -> TourRef:
        return cls(
            tour.id,
            tour.team_id,
            tour.current_version_no,
            tour.employee.user_id,
            tour.manager.user_id,
            tour.status,
            tour.awaiting,
        )

    def user_of(self, side: Side) -> str:
        return self.employee_user_id if side is Side.EMPLOYEE else self.manager_user_id


def open_tour_of(session: Session, employee_id: int) -> Tour | None:
    """The employee's proposed, agreed or active tour, if any."""
    return session.scalars(
        select(Tour)
        .where(Tour.employee_id == employee_id, Tour.status.in_(OPEN_STATUSES))
        .order_by(Tour.id.desc())
        .limit(1)
    ).first()


def current_manager(session: Session, employee_id: int) -> Person | None:
    """The manager on the person's open tour: who they are allied with right now."""
    tour = open_tour_of(session, employee_id)
    return tour.manager if tour is not None else None


def check_employee(
    session: Session,
    *,
    team_id: str,
    manager_user_id: str,
    employee_user_id: str,
    follows_tour_id: int | None = None,
) -> str | None:
    """Why a tour cannot be proposed to this person, if it cannot.

    A tour planned at the end of the active one (`follows_tour_id`) may be proposed while that
    one runs; it begins when its start date comes."""
    employee = get_person(session, team_id, employee_user_id)
    if employee is None:
        return "I couldn't find that person in Slack."
    problem = employee_problem(
        is_bot=employee.is_bot,
        deleted=employee.deleted,
        is_manager=employee_user_id == manager_user_id,
    )
    if problem:
        return problem
    open_tour = open_tour_of(session, employee.id)
    follows_it = (
        open_tour is not None
        and open_tour.id == follows_tour_id
        and open_tour.status is TourStatus.ACTIVE
    )
    if open_tour is not None and not follows_it:
        return (
            f"{employee.real_name or employee.name} already has a tour that is active or "
            "waiting for agreement."
        )
    return None


def propose_tour(
    database: Database,
    *,
    team_id: str,
    manager_user_id: str,
    employee_user_id: str,
    draft: TourDraft,
    source: VersionSource,
    now: datetime,
    admins: Collection[str],
    hours: WorkingHours,
    follows_tour_id: int | None = None,
) -> TourRef:
    """A manager's first version; it waits for the employee. Raises TourRefusal if not possible.

    `follows_tour_id`: the active tour this one is planned to follow, from the tour-end talk.
    The `admins` are told when the org chart names someone else as the person's manager."""
    assert draft.tour_type and draft.start_date and draft.end_date
    try:
        with database.session() as session:
            problem = check_employee(
                session,
                team_id=team_id,
                manager_user_id=manager_user_id,
                employee_user_id=employee_user_id,
                follows_tour_id=follows_tour_id,
            )
            if problem:
                raise TourRefusal(problem, field="employee")
            previous = session.get(Tour, follows_tour_id) if follows_tour_id else None
            if previous is not None and previous.employee.user_id != employee_user_id:
                previous = None  # the form was changed to someone else: a tour of its own
            if previous is not None and draft.start_date <= previous.start_date:
                raise TourRefusal(
                    f"The new tour starts after the current one began "
                    f"({previous.start_date:%-d %B %Y}).",
                    field="start_date",
                )
            manager = _person(session, team_id, manager_user_id)
            employee = _person(session, team_id, employee_user_id)
            tour = Tour(
                team_id=team_id,
                employee=employee,
                manager=manager,
                status=TourStatus.PROPOSED,
                awaiting=Side.EMPLOYEE,
                current_version_no=1,
                tour_type=draft.tour_type,
                start_date=draft.start_date,
                end_date=draft.end_date,
                cadence_weeks=draft.cadence_weeks,
                previous_tour_id=previous.id if previous else None,
                created_at=now,
                updated_at=now,
            )
            session.add(tour)
            session.flush()
            _add_version(session, tour, 1, manager, Side.MANAGER, draft, source, now)
            record_audit(
                session,
                team_id=team_id,
                actor=manager_user_id,
                action="tour.proposed",
                subject=f"tour:{tour.id}",
                now=now,
            )
            flag_off_chart(session, tour, admins=admins, now=now, hours=hours)
            session.flush()
            session.refresh(tour)
            return TourRef.of(tour)
    except IntegrityError as error:  # another proposal for the same person won the race
        raise TourRefusal(
            "That person already has a tour waiting for agreement.", field="employee"
        ) from error


def revise_tour(
    database: Database,
    *,
    tour_id: int,
    version_no: int,
    by_user_id: str,
    draft: TourDraft,
    source: VersionSource,
    now: datetime,
    employee_success: dict[str, object] | None = None,
) -> TourRef:
    """The awaited side proposes changes: a new version that now waits for the other side."""
    assert draft.tour_type and draft.start_date and draft.end_date
    with database.session() as session:
        tour, side = _turn_of(session, tour_id, version_no, by_user_id)
        by = tour.employee if side is Side.EMPLOYEE else tour.manager
        new_no = tour.current_version_no + 1
        tour.current_version.superseded_at = now
        _add_version(session, tour, new_no, by, side, draft, source, now, employee_success)
        tour.current_version_no = new_no
        tour.awaiting = side.other
        tour.tour_type = draft.tour_type
        tour.start_date, tour.end_date = draft.start_date, draft.end_date
        tour.cadence_weeks = draft.cadence_weeks
        tour.updated_at = now
        record_audit(
            session,
            team_id=tour.team_id,
            actor=by_user_id,
            action="tour.revised",
            subject=f"tour:{tour.id}",
            detail={"version": new_no},
            now=now,
        )
        session.flush()
        session.refresh(tour)
        return TourRef.of(tour)


def accept_tour(
    database: Database,
    *,
    tour_id: int,
    version_no: int,
    by_user_id: str,
    now: datetime,
    today: date,
    hours: WorkingHours,
) -> tuple[TourRef, Agreement]:
    """The awaited side accepts the current version: both agreed it, so the tour is on."""
    with database.session() as session:
        tour, side = _turn_of(session, tour_id, version_no, by_user_id)
        version = tour.current_version
        if side is Side.EMPLOYEE:
            version.employee_accepted_at = now
        else:
            version.manager_accepted_at = now
        agreement = Agreement.AWAITING_OTHER_SIDE
        if version.employee_accepted_at and version.manager_accepted_at:
            starts_now = version.start_date <= today
            tour.status = TourStatus.AGREED
            tour.agreed_version_no = version.version_no
            tour.agreed_at = now
            tour.awaiting = None
            if starts_now:
                activate_tour(session, tour, today=today, now=now, hours=hours)
            agreement = Agreement.ACTIVE if starts_now else Agreement.AGREED
        tour.updated_at = now
        record_audit(
            session,
            team_id=tour.team_id,
            actor=by_user_id,
            action="tour.accepted",
            subject=f"tour:{tour.id}",
            detail={"version": version_no},
            now=now,
        )
        session.flush()
        return TourRef.of(tour), agreement


def withdraw_tour(database: Database, *, tour_id: int, by_user_id: str, now: datetime) -> TourRef:
    with database.session() as session:
        tour = locked_tour(session, tour_id)
        if tour is None or tour.manager.user_id != by_user_id:
            raise TourRefusal(NOT_YOURS)
        if tour.status not in (TourStatus.PROPOSED, TourStatus.AGREED):
            raise TourRefusal("Only a tour that has not started yet can be withdrawn.")
        tour.status = TourStatus.WITHDRAWN
        tour.awaiting = None
        tour.withdrawn_at = tour.updated_at = now
        record_audit(
            session,
            team_id=tour.team_id,
            actor=by_user_id,
            action="tour.withdrawn",
            subject=f"tour:{tour.id}",
            now=now,
        )
        session.flush()
        return TourRef.of(tour)


def _turn_of(session: Session, tour_id: int, version_no: int, user_id: str) -> tuple[Tour, Side]:
    """The tour, locked, and the side `user_id` plays, provided it is their turn on that version."""
    tour = locked_tour(session, tour_id)
    if tour is None:
        raise TourRefusal(NOT_YOURS)
    side = side_of(tour, user_id)
    if side is None:
        raise TourRefusal(NOT_YOURS)
    if tour.status is not TourStatus.PROPOSED:
        raise TourRefusal(f"This statement is already {tour.status.value}; nothing to do here.")
    if version_no != tour.current_version_no:
        raise TourRefusal("There is a newer version of this statement; please look at that one.")
    if tour.awaiting is not side:
        raise TourRefusal("This version is waiting for the other side now.")
    return tour, side


def side_of(tour: Tour, user_id: str) -> Side | None:
    """The side `user_id` plays in the tour, if any."""
    if tour.employee.user_id == user_id:
        return Side.EMPLOYEE
    if tour.manager.user_id == user_id:
        return Side.MANAGER
    return None


def locked_tour(session: Session, tour_id: int) -> Tour | None:
    """The tour, read afresh and locked for the rest of the transaction."""
    return (
        session.scalars(
            select(Tour)
            .where(Tour.id == tour_id)
            .with_for_update(of=Tour)
            .execution_options(populate_existing=True)
        )
        .unique()
        .one_or_none()
    )


def _person(session: Session, team_id: str, user_id: str) -> Person:
    person = get_person(session, team_id, user_id)
    if person is None:
        raise TourRefusal("I couldn't find that person in Slack.")
    return person


def _add_version(
    session: Session,
    tour: Tour,
    version_no: int,
    by: Person,
    side: Side,
    draft: TourDraft,
    source: VersionSource,
    now: datetime,
    employee_success: dict[str, object] | None = None,
) -> None:
    assert draft.tour_type and draft.start_date and draft.end_date
    session.add(
        TourVersion(
            team_id=tour.team_id,
            tour_id=tour.id,
            version_no=version_no,
            proposed_by_id=by.id,
            source=source,
            tour_type=draft.tour_type,
            start_date=draft.start_date,
            end_date=draft.end_date,
            cadence_weeks=draft.cadence_weeks,
            objective=draft.objective.strip(),
            success_company=draft.success_company.strip(),
            success_employee=draft.success_employee.strip(),
            employee_success=employee_success,
            employee_accepted_at=now if side is Side.EMPLOYEE else None,
            manager_accepted_at=now if side is Side.MANAGER else None,
            created_at=now,
        )
    )


@dataclass(frozen=True)
class TourStatement:
    """One version of a tour's statement, with the parties' names: plain data for any surface."""

    tour_id: int
    team_id: str
    version_no: int
    employee_user_id: str
    manager_user_id: str
    employee_name: str
    manager_name: str
    tour_type: TourType
    objective: str
    start_date: date
    end_date: date
    success_company: str
    success_employee: str
    cadence_weeks: int
    status: TourStatus
    awaiting: Side | None
    next_review_on: date | None

    def draft(self) -> TourDraft:
        return TourDraft(
            self.tour_type,
            self.objective,
            self.start_date,
            self.end_date,
            self.success_company,
            self.success_employee,
            self.cadence_weeks,
        )


def _statement(tour: Tour, version: TourVersion | None = None) -> TourStatement:
    version = version or tour.current_version
    return TourStatement(
        tour_id=tour.id,
        team_id=tour.team_id,
        version_no=version.version_no,
        employee_user_id=tour.employee.user_id,
        manager_user_id=tour.manager.user_id,
        employee_name=display_name(tour.employee),
        manager_name=display_name(tour.manager),
        tour_type=version.tour_type,
        objective=version.objective or "",
        start_date=version.start_date,
        end_date=version.end_date,
        success_company=version.success_company or "",
        success_employee=version.success_employee or "",
        cadence_weeks=version.cadence_weeks,
        status=tour.status,
        awaiting=tour.awaiting,
        next_review_on=tour.next_review_on,
    )


def get_statement(
    database: Database, tour_id: int, version_no: int | None = None
) -> TourStatement | None:
    with database.session() as session:
        tour = session.get(Tour, tour_id)
        if tour is None:
            return None
        version = tour.versions[version_no - 1] if version_no else None
        return _statement(tour, version)


def _tours(session: Session, team_id: str, *conditions: Any) -> list[Tour]:
    return list(
        session.scalars(
            select(Tour).where(Tour.team_id == team_id, *conditions).order_by(Tour.id.desc())
        ).unique()
    )


def tours_of(database: Database, team_id: str, user_id: str) -> list[TourStatement]:
    """A person's own tours as the employee, newest first."""
    with database.session() as session:
        person = get_person(session, team_id, user_id)
        if person is None:
            return []
        return [_statement(t) for t in _tours(session, team_id, Tour.employee_id == person.id)]


def team_tours(database: Database, team_id: str, manager_user_id: str) -> list[TourStatement]:
    """The open tours a manager holds with their reports."""
    with database.session() as session:
        manager = get_person(session, team_id, manager_user_id)
        if manager is None:
            return []
        return [
            _statement(t)
            for t in _tours(
                session, team_id, Tour.manager_id == manager.id, Tour.status.in_(OPEN_STATUSES)
            )
        ]


def tours_visible_to(
    database: Database,
    team_id: str,
    *,
    viewer_user_id: str,
    subject_user_id: str,
    viewer_is_admin: bool,
) -> list[TourStatement] | None:
    """The subject's tours the viewer may read, or None when they may read none of them.

    None does not distinguish "no tours" from "not allowed", so a refusal reveals nothing.
    """
    tours = tours_of(database, team_id, subject_user_id)
    if viewer_user_id == subject_user_id or viewer_is_admin:
        return tours
    allowed = [
        t
        for t in tours
        if may_read_statement(
            viewer_user_id,
            employee_user_id=t.employee_user_id,
            manager_user_id=t.manager_user_id,
            viewer_is_admin=False,
        )
    ]
    return allowed or None


def statement_for_turn(
    database: Database, *, tour_id: int, version_no: int, user_id: str
) -> tuple[TourStatement, Side]:
    """The version `user_id` may act on now, and their side; TourRefusal when it isn't theirs."""
    with database.session() as session:
        tour, side = _turn_of(session, tour_id, version_no, user_id)
        return _statement(tour), side
