"""When the org chart moves a report to a new manager, the alliance follows: the manager of the
open tour is asked to hand it over or close it, and the new manager is told, once per new
reporting line. A tour proposed by someone the chart does not name as the person's manager is
flagged to the admins (services/off_chart.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select, update
from sqlalchemy.orm import Session, aliased

from db.engine import Database
from db.models import AlignmentReview, Outbox, Person, ReportingLine, ReviewResponse, Tour
from domain.delivery import OutboxStatus
from domain.schedule import WorkingHours, next_delivery_time
from domain.tour_end import EndReason
from domain.tours import OPEN_STATUSES, Side, TourStatus
from services.audit import record_audit
from services.outbox import PlannedMessage, enqueue, enqueue_many
from services.people import display_name
from services.refusals import NOT_YOURS, Refusal
from services.tour_lifecycle import end_tour
from services.tours import locked_tour

ASK = "tour_handover_ask"  # to the tour's manager: hand it over, or close it
TOLD = "tour_handover_told"  # to the new manager: a report comes with a tour
SETTLED = "tour_handover_settled"  # to the new manager and the employee, once chosen


class Choice(StrEnum):
    HANDED_OVER = "handed_over"
    CLOSED = "closed"


class HandOverRefusal(Refusal):
    """The hand-over asked for is no longer possible."""


@dataclass(frozen=True, slots=True)
class HandOverNote:
    """A tour whose employee now reports to someone else: names and ids, read when sent."""

    tour_id: int
    line_id: int
    employee_user_id: str
    employee_name: str
    tour_manager_user_id: str
    tour_manager_name: str
    new_manager_user_id: str
    new_manager_name: str
    tour_status: TourStatus


def plan_hand_overs(
    session: Session, *, team_id: str, opened_at: datetime, hours: WorkingHours
) -> int:
    """For every reporting line opened at `opened_at` whose manager is not the manager of the
    person's open tour, plan the question to the tour's manager and the note to the new one,
    in the caller's transaction; returns how many tours."""
    line, old, new = ReportingLine, aliased(Person), aliased(Person)
    moved = session.execute(
        select(Tour.id, line.id, old.user_id, old.id, old.tz, new.user_id, new.id, new.tz)
        .join(Tour, (Tour.employee_id == line.person_id) & (Tour.team_id == line.team_id))
        .join(old, old.id == Tour.manager_id)
        .join(new, new.id == line.manager_id)
        .where(
            line.team_id == team_id,
            line.valid_from == opened_at,
            line.valid_to.is_(None),
            Tour.status.in_(OPEN_STATUSES),
            Tour.manager_id != line.manager_id,
        )
        .order_by(Tour.id)
    ).all()
    messages: list[PlannedMessage] = []
    for tour_id, line_id, old_user, old_id, old_tz, new_user, new_id, new_tz in moved:
        payload = {"tour_id": tour_id, "line_id": line_id}
        for purpose, user_id, person_id, tz in (
            (ASK, old_user, old_id, old_tz),
            (TOLD, new_user, new_id, new_tz),
        ):
            messages.append(
                PlannedMessage(
                    team_id,
                    purpose,
                    f"tour:{tour_id}",
                    f"line:{line_id}",
                    user_id,
                    payload,
                    next_delivery_time(opened_at, tz, hours),
                    person_id,
                )
            )
    enqueue_many(session, messages, now=opened_at)
    return len(moved)


def hand_over_note(database: Database, tour_id: int, line_id: int) -> HandOverNote | None:
    with database.read() as session:
        return _note(session, tour_id, line_id)


def settle_hand_over(
    database: Database,
    *,
    tour_id: int,
    line_id: int,
    choice: Choice,
    by_user_id: str,
    is_admin: bool,
    now: datetime,
    hours: WorkingHours,
) -> HandOverNote:
    """Hand the tour over to the manager of the reporting line, or close it (an active tour
    ends, one not begun is withdrawn); the new manager and the employee are told."""
    with database.session() as session:
        tour = locked_tour(session, tour_id)
        if tour is None or not (is_admin or tour.manager.user_id == by_user_id):
            raise HandOverRefusal(NOT_YOURS)
        note = _note(session, tour_id, line_id)
        if note is None or tour.status not in OPEN_STATUSES:
            raise HandOverRefusal("This tour of duty is no longer open: nothing to hand over.")
        line = session.get(ReportingLine, line_id)
        assert line is not None and line.manager_id is not None
        if line.valid_to is not None:
            raise HandOverRefusal(
                f"The org chart has changed again since: {note.employee_name} no longer "
                f"reports to {note.new_manager_name}."
            )
        if tour.manager_id == line.manager_id:
            raise HandOverRefusal(f"This tour of duty is already with {note.new_manager_name}.")
        if choice is Choice.HANDED_OVER:
            _hand_over(session, tour, line.manager_id)
        elif tour.status is TourStatus.ACTIVE:
            end_tour(session, tour, reason=EndReason.NEW_MANAGER, now=now, hours=hours)
        else:
            tour.status, tour.awaiting, tour.withdrawn_at = TourStatus.WITHDRAWN, None, now
        tour.updated_at = now
        record_audit(
            session,
            team_id=tour.team_id,
            actor=by_user_id,
            action=f"tour.{choice.value}",
            subject=f"tour:{tour.id}",
            detail={"reporting_line": line_id},
            now=now,
        )
        told = [(line.manager_id, Side.MANAGER)]
        if choice is Choice.HANDED_OVER:
            told.append((tour.employee_id, Side.EMPLOYEE))
        for person_id, side in told:
            person = session.get(Person, person_id)
            assert person is not None
            enqueue(
                session,
                team_id=tour.team_id,
                purpose=SETTLED,
                subject=f"tour:{tour.id}:{side.value}",
                occurrence=f"line:{line_id}",
                target=person.user_id,
                recipient_id=person.id,
                payload={
                    "tour_id": tour.id,
                    "line_id": line_id,
                    "choice": choice.value,
                    "side": side.value,
                },
                not_before=next_delivery_time(now, person.tz, hours),
                now=now,
            )
        return note


def _hand_over(session: Session, tour: Tour, new_manager_id: int) -> None:
    """The tour's manager side passes to `new_manager_id`: its reviews still to answer, and
    the prompts and reminders for them not yet sent."""
    old_manager_id = tour.manager_id
    open_responses = list(
        session.scalars(
            select(ReviewResponse.id)
            .join(AlignmentReview, AlignmentReview.id == ReviewResponse.review_id)
            .where(
                AlignmentReview.tour_id == tour.id,
                AlignmentReview.closed_at.is_(None),
                ReviewResponse.side == Side.MANAGER,
                ReviewResponse.answered_at.is_(None),
            )
        )
    )
    new_manager = session.get(Person, new_manager_id)
    assert new_manager is not None
    tour.manager = new_manager
    if not open_responses:
        return
    session.execute(
        update(ReviewResponse)
        .where(ReviewResponse.id.in_(open_responses))
        .values(respondent_id=new_manager_id)
    )
    session.execute(
        update(Outbox)
        .where(
            Outbox.recipient_id == old_manager_id,
            Outbox.status == OutboxStatus.PENDING,
            Outbox.subject.in_([f"review_response:{id_}" for id_ in open_responses]),
        )
        .values(recipient_id=new_manager_id, target=new_manager.user_id)
    )


def _note(session: Session, tour_id: int, line_id: int) -> HandOverNote | None:
    tour, line = session.get(Tour, tour_id), session.get(ReportingLine, line_id)
    if tour is None or line is None or line.manager_id is None:
        return None
    new_manager = session.get(Person, line.manager_id)
    assert new_manager is not None
    return HandOverNote(
        tour_id,
        line_id,
        tour.employee.user_id,
        display_name(tour.employee),
        tour.manager.user_id,
        display_name(tour.manager),
        new_manager.user_id,
        display_name(new_manager),
        tour.status,
    )
