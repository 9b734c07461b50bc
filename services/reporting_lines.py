"""Reads of the org chart's current reporting lines that several services share."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import ReportingLine


def chart_manager_id(session: Session, team_id: str, person_id: int) -> int | None:
    """The manager of the person's current reporting line (by uq_reporting_lines_current)."""
    return session.scalar(
        select(ReportingLine.manager_id).where(
            ReportingLine.team_id == team_id,
            ReportingLine.person_id == person_id,
            ReportingLine.valid_to.is_(None),
        )
    )
