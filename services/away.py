"""Away periods: while a person is away no prompt reaches them, and their schedule shifts past
the period instead of piling up for their return."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from db.engine import Database
from db.models import AlignmentReview, AwayPeriod, Person, ReviewResponse, Tour
from domain.reviews import ReviewStatus, local_date, start_of_local_day
from domain.schedule import WorkingHours, next_delivery_time, next_nudge, shift_past_away
from domain.tours import TourStatus
from services.audit import record_audit
from services.outbox import postpone_pending
from services.people import get_person
from services.refusals import Refusal

NOT_MET = "I don't know you yet: say hello in a DM first, then try again."


class AwayRefusal(Refusal):
    """Marking someone away is not possible."""


@dataclass(frozen=True)
class Away:
    """A person's current or coming away period, as they read it."""

    starts_on: date
    ends_on: date
    tz: str | None

    @property
    def back_on(self) -> date:
        return self.ends_on + timedelta(days=1)


def mark_away(
    database: Database,
    *,
    team_id: str,
    user_id: str,
    last_day: date,
    now: datetime,
    hours: WorkingHours,
) -> Away:
    """Record the person away from today through `last_day`, replacing any period they had, and
    move what would reach them meanwhile to the day they are back. Raises AwayRefusal."""
    with database.session() as session:
        person = get_person(session, team_id, user_id, for_update=True)
        if person is None:
            raise AwayRefusal(NOT_MET)
        today = local_date(now, person.tz)
        for period in _live_periods(session, [person.id], today):
            period.cancelled_at = now
        session.add(
            AwayPeriod(
                team_id=team_id,
                person_id=person.id,
                starts_on=today,
                ends_on=last_day,
                created_at=now,
            )
        )
        back_on = last_day + timedelta(days=1)
        back_at = start_of_local_day(back_on, person.tz)
        _shift_reviews(session, person, back_on)
        _quiet_nudges(session, person, back_at, now)
        postpone_pending(
            session,
            recipient_id=person.id,
            until=next_delivery_time(back_at, person.tz, hours),
            now=now,
        )
        record_audit(
            session,
            team_id=team_id,
            actor=user_id,
            action="away.marked",
            subject=f"person:{person.id}",
            detail={"starts_on": today.isoformat(), "ends_on": last_day.isoformat()},
            now=now,
        )
        return Away(today, last_day, person.tz)


def end_away(database: Database, *, team_id: str, user_id: str, now: datetime) -> Away | None:
    """Back early: the current and coming away periods are cancelled; returns the one that was."""
    with database.session() as session:
        person = get_person(session, team_id, user_id, for_update=True)
        if person is None:
            return None
        periods = _live_periods(session, [person.id], local_date(now, person.tz))
        for period in periods:
            period.cancelled_at = now
        if not periods:
            return None
        record_audit(
            session,
            team_id=team_id,
            actor=user_id,
            action="away.ended",
            subject=f"person:{person.id}",
            now=now,
        )
        return Away(periods[0].starts_on, periods[0].ends_on, person.tz)


def current_away(database: Database, *, team_id: str, user_id: str, now: datetime) -> Away | None:
    """The person's away period that is running or still to come, if any."""
    with database.read() as session:
        person = get_person(session, team_id, user_id)
        if person is None:
            return None
        periods = _live_periods(session, [person.id], local_date(now, person.tz))
        return Away(periods[0].starts_on, periods[0].ends_on, person.tz) if periods else None


def local_today(database: Database, *, team_id: str, user_id: str, now: datetime) -> date:
    """Today on the person's calendar (UTC's until the bot knows their time zone)."""
    with database.read() as session:
        person = get_person(session, team_id, user_id)
        return local_date(now, person.tz if person else None)


def away_days(
    session: Session, person_ids: Collection[int], from_day: date
) -> dict[int, list[tuple[date, date]]]:
    """Each person's away periods (first, last day) that end on or after `from_day`."""
    found: dict[int, list[tuple[date, date]]] = defaultdict(list)
    for period in _live_periods(session, person_ids, from_day):
        found[period.person_id].append((period.starts_on, period.ends_on))
    return found


def _live_periods(
    session: Session, person_ids: Collection[int], from_day: date
) -> list[AwayPeriod]:
    if not person_ids:
        return []
    return list(
        session.scalars(
            select(AwayPeriod)
            .where(
                AwayPeriod.person_id.in_(person_ids),
                AwayPeriod.cancelled_at.is_(None),
                AwayPeriod.ends_on >= from_day,
            )
            .order_by(AwayPeriod.starts_on, AwayPeriod.id)
        )
    )


def _shift_reviews(session: Session, person: Person, back_on: date) -> None:
    """Reviews of the person's tours that would fall due while they are away wait for them."""
    tours = session.scalars(
        select(Tour).where(
            Tour.status == TourStatus.ACTIVE,
            or_(Tour.employee_id == person.id, Tour.manager_id == person.id),
            Tour.next_review_on < back_on,
        )
    ).unique()
    for tour in tours:
        tour.next_review_on = back_on


def _quiet_nudges(session: Session, person: Person, back_at: datetime, now: datetime) -> None:
    """Open reviews waiting on the person: reminders count from their return, like a snooze."""
    responses = session.scalars(
        select(ReviewResponse)
        .join(AlignmentReview, AlignmentReview.id == ReviewResponse.review_id)
        .where(
            ReviewResponse.respondent_id == person.id,
            ReviewResponse.answered_at.is_(None),
            AlignmentReview.status == ReviewStatus.OPEN,
        )
    ).unique()
    for response in responses:
        snooze_away(response, back_at, now)


def snooze_away(response: ReviewResponse, back_at: datetime, now: datetime) -> None:
    """Treat an away period like a snooze that ends when the person is back."""
    snooze_response(response, max(response.snoozed_until or back_at, back_at), now)


def snooze_response(response: ReviewResponse, until: datetime, now: datetime) -> None:
    """No reminder for this response before `until`; its nudge cursor follows."""
    response.snoozed_until = until
    _, response.next_nudge_at = next_nudge(
        response.prompted_at or now,
        response.reminded_at,
        response.escalated_at,
        response.snoozed_until,
        now,
    )
    response.updated_at = now


def shifted_due_day(due_on: date, *away: list[tuple[date, date]]) -> date:
    """The due day moved past every away period of the people involved."""
    periods = [period for person_periods in away for period in person_periods]
    return shift_past_away(due_on, periods)
