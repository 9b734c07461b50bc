"""What a person's Home tab shows, gathered in one read."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select

from db.engine import Database
from db.models import Tour, ValueStatement
from domain.tours import OPEN_STATUSES, TourStatus
from services.tours import TourStatement, team_tours, tours_of


@dataclass(frozen=True)
class AdminCounts:
    tours_by_status: dict[str, int] = field(default_factory=dict)
    value_statements: int = 0


@dataclass(frozen=True)
class HomeFacts:
    my_tour: TourStatement | None
    team: list[TourStatement]
    admin_counts: AdminCounts | None

    @property
    def is_newcomer(self) -> bool:
        return self.my_tour is None and not self.team


def home_facts(database: Database, team_id: str, user_id: str, *, is_admin: bool) -> HomeFacts:
    mine = tours_of(database, team_id, user_id)
    current = next((t for t in mine if t.status in OPEN_STATUSES), mine[0] if mine else None)
    return HomeFacts(
        my_tour=current,
        team=team_tours(database, team_id, user_id),
        admin_counts=admin_counts(database, team_id) if is_admin else None,
    )


def admin_counts(database: Database, team_id: str) -> AdminCounts:
    """Counts only: admins see how many, never what anyone wrote."""
    with database.session() as session:
        rows = session.execute(
            select(Tour.status, func.count()).where(Tour.team_id == team_id).group_by(Tour.status)
        ).all()
        statements = session.scalar(
            select(func.count())
            .select_from(ValueStatement)
            .where(ValueStatement.team_id == team_id)
        )
    by_status = {status.value: 0 for status in TourStatus}
    by_status.update({TourStatus(status).value: count for status, count in rows})
    return AdminCounts(by_status, statements or 0)
