"""People Slack cannot reach (a deactivated account): their tours are flagged once, and someone
who can act is told: the manager, or the admins when the manager is the one who is gone."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select

from db.engine import Database
from db.models import Tour
from domain.schedule import WorkingHours, next_delivery_time
from domain.tours import OPEN_STATUSES, Side
from services.outbox import enqueue
from services.people import display_name

UNREACHABLE = "tour_unreachable"


def flag_unreachable(
    database: Database,
    person_ids: Collection[int],
    *,
    now: datetime,
    hours: WorkingHours,
    admins: Collection[str],
) -> int:
    """Flag the open tours of these people and plan the notes; returns how many tours."""
    if not person_ids:
        return 0
    flagged = 0
    with database.session() as session:
        tours = session.scalars(
            select(Tour)
            .where(
                Tour.status.in_(OPEN_STATUSES),
                or_(Tour.employee_id.in_(person_ids), Tour.manager_id.in_(person_ids)),
                Tour.inactive_flagged_at.is_(None),
            )
            .order_by(Tour.id)
            .with_for_update(of=Tour, skip_locked=True)
        ).unique()
        for tour in list(tours):
            tour.inactive_flagged_at = tour.updated_at = now
            gone = Side.MANAGER if tour.manager_id in person_ids else Side.EMPLOYEE
            recipients: list[tuple[str, int | None, str | None]]
            if gone is Side.EMPLOYEE:
                manager = tour.manager
                recipients = [(manager.user_id, manager.id, manager.tz)]
            else:
                recipients = [(admin, None, None) for admin in sorted(admins)]
            for target, recipient_id, tz in recipients:
                enqueue(
                    session,
                    team_id=tour.team_id,
                    purpose=UNREACHABLE,
                    subject=f"tour:{tour.id}:{target}",
                    occurrence="unreachable",
                    target=target,
                    recipient_id=recipient_id,
                    payload={"tour_id": tour.id, "gone": gone.value},
                    not_before=next_delivery_time(now, tz, hours),
                    now=now,
                )
            flagged += 1
    return flagged


@dataclass(frozen=True)
class UnreachableNote:
    """Who could not be reached on which tour: names only."""

    gone_name: str
    other_name: str
    gone: Side


def unreachable_note(database: Database, tour_id: int, gone: Side) -> UnreachableNote | None:
    with database.read() as session:
        tour = session.get(Tour, tour_id)
        if tour is None:
            return None
        people = {Side.EMPLOYEE: tour.employee, Side.MANAGER: tour.manager}
        return UnreachableNote(display_name(people[gone]), display_name(people[gone.other]), gone)
