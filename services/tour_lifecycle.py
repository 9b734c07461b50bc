"""A tour's start and end: it becomes active on its start date (ending the tour it follows), and
when it ends both sides get a thank-you note that sums it up."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Tour
from domain.schedule import WorkingHours, next_delivery_time
from domain.tour_end import EndReason
from domain.tours import Side, TourStatus, first_review_date
from services.audit import record_audit
from services.outbox import enqueue

THANKS = "tour_thanks"
# Lead-time prompts are planned by the scheduler, which knows the configured lead times: an
# active tour's end-prompt cursor starts on its first day, and the first pass moves it on.


def activate_tour(
    session: Session, tour: Tour, *, today: date, now: datetime, hours: WorkingHours
) -> None:
    """The agreed tour begins: any tour of the employee still active ends first."""
    previous = session.scalars(
        select(Tour)
        .where(
            Tour.team_id == tour.team_id,
            Tour.employee_id == tour.employee_id,
            Tour.status == TourStatus.ACTIVE,
            Tour.id != tour.id,
        )
        .with_for_update(of=Tour)
    ).unique()
    for old in previous:
        reason = EndReason(old.end_decision) if old.end_decision else EndReason.NEW_TOUR
        end_tour(session, old, reason=reason, now=now, hours=hours)
    session.flush()  # one active tour per employee: the old one ends before the new one starts
    tour.status = TourStatus.ACTIVE
    tour.activated_at = now
    tour.next_review_on = first_review_date(tour.start_date, tour.cadence_weeks, today)
    tour.next_end_prompt_on = today
    tour.updated_at = now


def end_tour(
    session: Session,
    tour: Tour,
    *,
    reason: EndReason,
    now: datetime,
    hours: WorkingHours,
) -> None:
    """The tour is over: no more reviews or prompts, and a thank-you note to both sides."""
    tour.status = TourStatus.ENDED
    tour.ended_at = tour.updated_at = now
    tour.end_reason = reason.value
    tour.next_review_on = tour.next_end_prompt_on = None
    for side in Side:
        person = tour.employee if side is Side.EMPLOYEE else tour.manager
        enqueue(
            session,
            team_id=tour.team_id,
            purpose=THANKS,
            subject=f"tour:{tour.id}:{side.value}",
            occurrence="thanks",
            target=person.user_id,
            recipient_id=person.id,
            payload={"tour_id": tour.id, "side": side.value},
            not_before=next_delivery_time(now, person.tz, hours),
            now=now,
        )
    record_audit(
        session,
        team_id=tour.team_id,
        actor="alliance",
        action="tour.ended",
        subject=f"tour:{tour.id}",
        detail={"reason": reason.value},
        now=now,
    )
