"""What the scheduler will do in the next days, for `alliance schedule`: messages waiting in the
outbox, reviews coming due and tour-end checks, soonest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from db.engine import Database
from db.models import Person, Tour
from domain.tours import TourStatus
from services.outbox import list_pending
from services.people import display_name


@dataclass(frozen=True)
class PlannedItem:
    when: datetime  # UTC; dates are shown at their start in UTC
    what: str
    who: str
    detail: str


def schedule_preview(
    database: Database, *, now: datetime, days: int, limit: int = 1000
) -> list[PlannedItem]:
    """Up to `limit` items due from now up to `days` days ahead, soonest first."""
    until = now + timedelta(days=days)
    pending = list_pending(database, until=until, limit=limit)
    items: list[PlannedItem] = []
    with database.read() as session:
        names = {
            person.id: display_name(person)
            for person in session.scalars(
                select(Person).where(
                    Person.id.in_({m.recipient_id for m in pending if m.recipient_id})
                )
            )
        }
        for message in pending:
            tries = f", {message.attempts} attempts" if message.attempts else ""
            items.append(
                PlannedItem(
                    message.next_attempt_at,
                    f"send {message.purpose}",
                    names.get(message.recipient_id or 0, message.target),
                    f"{message.occurrence}{tries}",
                )
            )
        active = select(Tour).where(Tour.status == TourStatus.ACTIVE)
        for tour in session.scalars(
            active.where(Tour.next_review_on <= until.date())
            .order_by(Tour.next_review_on)
            .limit(limit)
        ).unique():
            assert tour.next_review_on is not None
            items.append(
                PlannedItem(
                    _day_start(tour.next_review_on),
                    "open alignment review",
                    _pair(tour),
                    f"tour {tour.id}",
                )
            )
        for tour in session.scalars(
            active.where(Tour.next_end_prompt_on <= until.date())
            .order_by(Tour.next_end_prompt_on)
            .limit(limit)
        ).unique():
            assert tour.next_end_prompt_on is not None
            items.append(
                PlannedItem(
                    _day_start(tour.next_end_prompt_on),
                    "tour-end check",
                    _pair(tour),
                    f"tour {tour.id} ends {tour.end_date.isoformat()}",
                )
            )
    return sorted(items, key=lambda item: item.when)[:limit]


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def _pair(tour: Tour) -> str:
    return f"{display_name(tour.employee)} / {display_name(tour.manager)}"
