"""The audit log: who did what to which record, and when."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from db.models import AuditEntry


def record_audit(
    session: Session,
    *,
    team_id: str,
    actor: str,
    action: str,
    now: datetime,
    subject: str = "",
    detail: dict[str, Any] | None = None,
) -> None:
    session.add(
        AuditEntry(
            team_id=team_id,
            actor=actor,
            action=action,
            subject=subject,
            detail=detail or {},
            at=now,
        )
    )
