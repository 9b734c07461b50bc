"""What the scheduler will do in the next days, for `alliance schedule`: messages waiting in the
outbox, reviews coming due and tour-end checks, soonest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import aliased

from db.engine import Database
from db.models import Outbox, Person, Tour
from domain.tours import TourStatus
from services.outbox import LIVE
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
    items: list[PlannedItem] = []
    with database.read() as session:
        recipient = aliased(Person)
        for row, person in session.execute(
            select(Outbox, recipient)
            .outerjoin(recipient, recipient.id == Outbox.recipient_id)
            .where(Outbox.status.in_(LIVE), Outbox.next_attempt_at <= until)
            .order_by(Outbox.next_attempt_at, Outbox.id)
            .limit(limit)
        ):
            who = display_name(person) if person is not None else row.target
            detail = (
                f"{row.occurrence}, {row.attempts} attempts" if row.attempts else row.occurrence
            )
            assert row.next_attempt_at is not None
            items.append(PlannedItem(row.next_attempt_at, f"send {row.purpose}", who, detail))
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
