"""The tour-end conversation: lead-time prompts to both sides, their decision, the tour ending
(or flagged when it passes its end undecided), and agreed tours beginning on their start date."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from db.engine import Database
from db.models import AlignmentReview, Offboarding, Outbox, Person, Tour
from domain.alumni import OffboardingStatus
from domain.reviews import local_date, start_of_local_day
from domain.schedule import (
    WorkingHours,
    earliest_local_date,
    latest_local_date,
    next_delivery_time,
    next_end_prompt,
)
from domain.tour_end import REMIND_LATER, EndDecision, EndReason, lead_occurrence, lead_of
from domain.tours import Side, TourStatus, TourType
from services.audit import record_audit
from services.outbox import cancel_planned, enqueue
from services.people import display_name
from services.refusals import NOT_YOURS, Refusal
from services.tour_lifecycle import activate_tour, end_tour
from services.tours import locked_tour, side_of

PROMPT = "tour_end_prompt"
DECIDED = "tour_end_decided"
OVERDUE = "tour_end_overdue"


class TourEndRefusal(Refusal):
    """A tour-end choice is not possible."""


def _subject(tour_id: int, side: Side) -> str:
    return f"tour:{tour_id}:{side.value}"


def _person(tour: Tour, side: Side) -> Person:
    return tour.employee if side is Side.EMPLOYEE else tour.manager


# --- lead-time prompts ------------------------------------------------------------------------


def plan_end_prompts(
    database: Database,
    *,
    now: datetime,
    hours: WorkingHours,
    lead_days: Iterable[int],
    limit: int = 500,
) -> int:
    """Prompt both sides of each tour whose next lead time has come; returns how many tours.

    The cursor `next_end_prompt_on` starts on the tour's first day; each pass sends the lead
    that is due (only the latest of several missed) and moves the cursor to the next one."""
    leads = tuple(lead_days)
    horizon = latest_local_date(now)
    due = (
        select(Tour)
        .where(Tour.status == TourStatus.ACTIVE, Tour.next_end_prompt_on <= horizon)
        .order_by(Tour.next_end_prompt_on, Tour.id)
        .limit(limit)
        .with_for_update(of=Tour, skip_locked=True)
    )
    prompted = 0
    with database.session() as session:
        tours = list(session.scalars(due).unique())
        sent = _sent_leads(session, [tour.id for tour in tours])
        for tour in tours:
            decided = tour.end_decision is not None
            found = next_end_prompt(tour.end_date, horizon, leads, sent[tour.id], decided)
            if found is not None and found[1] <= horizon:
                lead, day = found
                for side in Side:
                    _enqueue_prompt(session, tour, side, lead_occurrence(lead), day, now, hours)
                prompted += 1
                found = next_end_prompt(
                    tour.end_date, horizon, leads, sent[tour.id] | {lead}, decided
                )
            tour.next_end_prompt_on = None if found is None else found[1]
            tour.updated_at = now
    return prompted


def _sent_leads(session: Session, tour_ids: Collection[int]) -> dict[int, set[int]]:
    """The lead times already prompted for each tour, read from the outbox."""
    sent: dict[int, set[int]] = defaultdict(set)
    if not tour_ids:
        return sent
    rows = session.execute(
        select(Outbox.subject, Outbox.occurrence).where(
            Outbox.purpose == PROMPT,
            Outbox.subject.in_([_subject(tour_id, Side.EMPLOYEE) for tour_id in tour_ids]),
        )
    )
    for subject, occurrence in rows:
        lead = lead_of(occurrence)
        if lead is not None:
            sent[int(subject.split(":")[1])].add(lead)
    return sent


def _enqueue_prompt(
    session: Session,
    tour: Tour,
    side: Side,
    occurrence: str,
    day: date,
    now: datetime,
    hours: WorkingHours,
) -> datetime:
    person = _person(tour, side)
    earliest = max(now, start_of_local_day(day, person.tz))
    when = next_delivery_time(earliest, person.tz, hours)
    enqueue(
        session,
        team_id=tour.team_id,
        purpose=PROMPT,
        subject=_subject(tour.id, side),
        occurrence=occurrence,
        target=person.user_id,
        recipient_id=person.id,
        payload={"tour_id": tour.id, "side": side.value},
        not_before=when,
        now=now,
    )
    return when


# --- the decision -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Decided:
    tour_id: int
    side: Side  # who pressed
    decision: EndDecision
    changed: bool  # False when the same decision was already recorded


def _locked_party_tour(session: Session, tour_id: int, user_id: str) -> tuple[Tour, Side]:
    tour = locked_tour(session, tour_id)
    side = None if tour is None else side_of(tour, user_id)
    if tour is None or side is None:
        raise TourEndRefusal(NOT_YOURS)
    if tour.status is not TourStatus.ACTIVE:
        raise TourEndRefusal("This tour of duty is no longer running; nothing to decide here.")
    return tour, side


def record_decision(
    database: Database,
    *,
    tour_id: int,
    by_user_id: str,
    decision: EndDecision,
    now: datetime,
    hours: WorkingHours,
) -> Decided:
    """Either side records what comes next; the other side hears of it and lead-time prompts
    stop. Pressing the other button later changes the decision. Raises TourEndRefusal."""
    with database.session() as session:
        tour, side = _locked_party_tour(session, tour_id, by_user_id)
        changed = tour.end_decision != decision.value
        if changed:
            tour.end_decision = decision.value
            tour.end_decided_at = tour.updated_at = now
            tour.end_decided_by_id = _person(tour, side).id
            tour.next_end_prompt_on = None
            cancel_planned(
                session,
                purpose=PROMPT,
                subjects=[_subject(tour.id, each) for each in Side],
                now=now,
            )
            other = _person(tour, side.other)
            enqueue(
                session,
                team_id=tour.team_id,
                purpose=DECIDED,
                subject=_subject(tour.id, side.other),
                occurrence=f"{decision.value}@{now:%Y%m%dT%H%M%S}",
                target=other.user_id,
                recipient_id=other.id,
                payload={"tour_id": tour.id, "side": side.other.value},
                not_before=next_delivery_time(now, other.tz, hours),
                now=now,
            )
            record_audit(
                session,
                team_id=tour.team_id,
                actor=by_user_id,
                action="tour.end_decided",
                subject=f"tour:{tour.id}",
                detail={"decision": decision.value},
                now=now,
            )
        return Decided(tour.id, side, decision, changed)


@dataclass(frozen=True)
class LaterReminder:
    at: datetime
    tz: str | None  # the person's, to say when in their terms


def remind_later(
    database: Database, *, tour_id: int, by_user_id: str, now: datetime, hours: WorkingHours
) -> LaterReminder:
    """The prompt comes back to this side in a week (or on the last day, if that is sooner).
    Raises TourEndRefusal."""
    with database.session() as session:
        tour, side = _locked_party_tour(session, tour_id, by_user_id)
        if tour.end_decision is not None:
            label = EndDecision(tour.end_decision).label
            raise TourEndRefusal(f"You've already decided to {label}; no reminder needed.")
        person = _person(tour, side)
        today, week_later = local_date(now, person.tz), local_date(now + REMIND_LATER, person.tz)
        # Not after the last day, unless that has passed already.
        day = week_later if today >= tour.end_date else min(week_later, tour.end_date)
        occurrence = f"later@{now:%Y%m%dT%H%M%S}"
        at = _enqueue_prompt(session, tour, side, occurrence, day, now, hours)
        return LaterReminder(at, person.tz)


# --- ending, flagging, beginning --------------------------------------------------------------


@dataclass(frozen=True)
class EndPass:
    ended: int = 0
    flagged: int = 0
    activated: int = 0


def run_tour_transitions(
    database: Database,
    *,
    now: datetime,
    hours: WorkingHours,
    admins: Collection[str],
    limit: int = 500,
) -> EndPass:
    """End the tours whose last day is over and decided, and those of people who have left;
    flag those over and undecided; start the agreed tours whose first day has come."""
    ended = flagged = activated = 0
    with database.session() as session:
        over = session.scalars(
            select(Tour)
            .where(
                Tour.status == TourStatus.ACTIVE,
                Tour.end_date < earliest_local_date(now),
                or_(Tour.end_decision.is_not(None), Tour.end_overdue_flagged_at.is_(None)),
            )
            .order_by(Tour.end_date, Tour.id)
            .limit(limit)
            .with_for_update(of=Tour, skip_locked=True)
        ).unique()
        for tour in list(over):
            if tour.end_decision is not None:
                end_tour(session, tour, reason=EndReason(tour.end_decision), now=now, hours=hours)
                ended += 1
            else:
                _flag_overdue(session, tour, now, hours, admins)
                flagged += 1
        ended += _end_tours_of_leavers(session, now=now, hours=hours, limit=limit)
        session.flush()
        starting = session.scalars(
            select(Tour)
            .where(
                Tour.status == TourStatus.AGREED,
                Tour.start_date <= latest_local_date(now),
            )
            .order_by(Tour.start_date, Tour.id)
            .limit(limit)
            .with_for_update(of=Tour, skip_locked=True)
        ).unique()
        for tour in list(starting):
            today = local_date(now, tour.employee.tz)
            if tour.start_date <= today:
                activate_tour(session, tour, today=today, now=now, hours=hours)
                activated += 1
    return EndPass(ended, flagged, activated)


def _end_tours_of_leavers(
    session: Session, *, now: datetime, hours: WorkingHours, limit: int
) -> int:
    """A person who has left has no tour here: it ends after their recorded last day, so no
    review or tour-end prompt follows them into the alumni network."""
    departed = select(Offboarding.person_id).where(
        Offboarding.status != OffboardingStatus.CANCELLED,
        Offboarding.last_day < earliest_local_date(now),
    )
    tours = list(
        session.scalars(
            select(Tour)
            .where(Tour.status == TourStatus.ACTIVE, Tour.employee_id.in_(departed))
            .order_by(Tour.id)
            .limit(limit)
            .with_for_update(of=Tour, skip_locked=True)
        ).unique()
    )
    for tour in tours:
        end_tour(session, tour, reason=EndReason.TRANSITION, now=now, hours=hours)
    return len(tours)


def _flag_overdue(
    session: Session, tour: Tour, now: datetime, hours: WorkingHours, admins: Collection[str]
) -> None:
    """The tour passed its end with nothing decided: its manager and the admins are told."""
    tour.end_overdue_flagged_at = tour.updated_at = now
    manager = tour.manager
    # (whom, their person id, their time zone, and the subject's last part)
    recipients: list[tuple[str, int | None, str | None, str]] = [
        (manager.user_id, manager.id, manager.tz, Side.MANAGER.value)
    ]
    recipients += [(admin, None, None, admin) for admin in sorted(admins)]
    for target, recipient_id, tz, who in recipients:
        enqueue(
            session,
            team_id=tour.team_id,
            purpose=OVERDUE,
            subject=f"tour:{tour.id}:{who}",
            occurrence="overdue",
            target=target,
            recipient_id=recipient_id,
            payload={"tour_id": tour.id, "to_manager": target == manager.user_id},
            not_before=next_delivery_time(now, tz, hours),
            now=now,
        )


# --- reads for rendering ----------------------------------------------------------------------


@dataclass(frozen=True)
class TourEndSheet:
    """What the tour-end messages show: names, dates, the mission, and what was decided."""

    tour_id: int
    employee_user_id: str
    manager_user_id: str
    employee_name: str
    manager_name: str
    tz_of: dict[Side, str | None]
    tour_type: TourType
    objective: str
    start_date: date
    end_date: date
    status: TourStatus
    decision: EndDecision | None
    decided_by: Side | None
    end_reason: str | None
    reviews_held: int

    def name(self, side: Side) -> str:
        return self.employee_name if side is Side.EMPLOYEE else self.manager_name


def get_tour_end(database: Database, tour_id: int) -> TourEndSheet | None:
    with database.read() as session:
        tour = session.get(Tour, tour_id)
        if tour is None:
            return None
        version = tour.versions[(tour.agreed_version_no or tour.current_version_no) - 1]
        decided_by = None
        if tour.end_decided_by_id is not None:
            decided_by = (
                Side.EMPLOYEE if tour.end_decided_by_id == tour.employee_id else Side.MANAGER
            )
        reviews_held = session.scalar(
            select(func.count())
            .select_from(AlignmentReview)
            .where(
                AlignmentReview.tour_id == tour.id,
                AlignmentReview.answered_at.is_not(None),
            )
        )
        return TourEndSheet(
            tour_id=tour.id,
            employee_user_id=tour.employee.user_id,
            manager_user_id=tour.manager.user_id,
            employee_name=display_name(tour.employee),
            manager_name=display_name(tour.manager),
            tz_of={Side.EMPLOYEE: tour.employee.tz, Side.MANAGER: tour.manager.tz},
            tour_type=tour.tour_type,
            objective=version.objective or "",
            start_date=tour.start_date,
            end_date=tour.end_date,
            status=tour.status,
            decision=EndDecision(tour.end_decision) if tour.end_decision else None,
            decided_by=decided_by,
            end_reason=tour.end_reason,
            reviews_held=reviews_held or 0,
        )
