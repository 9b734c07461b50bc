"""Events API deliveries: each event_id is handled once, however often Slack retries it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import CursorResult, delete
from sqlalchemy.orm import Session

from db.engine import Database
from db.models import ProcessedEvent
from db.upsert import insert_if_absent

# Slack retries within minutes; a week of ids is a wide margin.
PROCESSED_EVENT_RETENTION = timedelta(days=7)


def claim_event(
    session: Session, *, event_id: str, team_id: str, event_type: str, now: datetime
) -> bool:
    """Record the event as handled, in the caller's transaction; False when an earlier
    delivery already claimed it."""
    return insert_if_absent(
        session,
        ProcessedEvent.__table__,  # type: ignore[arg-type]
        {"event_id": event_id, "team_id": team_id, "event_type": event_type, "received_at": now},
    )


def forget_old_events(database: Database, now: datetime) -> int:
    """Drop ids older than the retention window; returns how many went."""
    cutoff = now - PROCESSED_EVENT_RETENTION
    with database.session() as session:
        statement = delete(ProcessedEvent).where(ProcessedEvent.received_at < cutoff)
        result: CursorResult[Any] = session.execute(statement)  # type: ignore[assignment]
        return result.rowcount
