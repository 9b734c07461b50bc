"""A tour proposed by someone the org chart does not name as the person's manager is flagged
to the admins, who know whether the chart or the proposal is wrong."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from db.engine import Database
from db.models import Person, Tour
from domain.schedule import WorkingHours, next_delivery_time
from services.outbox import enqueue
from services.people import display_name
from services.reporting_lines import chart_manager_id

OFF_CHART = "tour_off_chart"


@dataclass(frozen=True, slots=True)
class OffChartNote:
    proposer_name: str
    employee_name: str
    chart_manager_name: str


def flag_off_chart(
    session: Session, tour: Tour, *, admins: Collection[str], now: datetime, hours: WorkingHours
) -> bool:
    """Plan a note to each admin, in the caller's transaction, when the chart names someone
    other than the tour's manager as the employee's manager; True when it does. Nothing is
    flagged for a person the chart does not place."""
    managing = chart_manager_id(session, tour.team_id, tour.employee_id)
    if managing is None or managing == tour.manager_id:
        return False
    for admin in sorted(admins):
        enqueue(
            session,
            team_id=tour.team_id,
            purpose=OFF_CHART,
            subject=f"tour:{tour.id}",
            occurrence=f"admin:{admin}",
            target=admin,
            payload={"tour_id": tour.id},
            not_before=next_delivery_time(now, None, hours),
            now=now,
        )
    return True


def off_chart_note(database: Database, tour_id: int) -> OffChartNote | None:
    with database.read() as session:
        tour = session.get(Tour, tour_id)
        if tour is None:
            return None
        managing = chart_manager_id(session, tour.team_id, tour.employee_id)
        chart_manager = session.get(Person, managing) if managing else None
        if chart_manager is None:
            return None
        return OffChartNote(
            display_name(tour.manager), display_name(tour.employee), display_name(chart_manager)
        )
