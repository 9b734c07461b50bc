"""The leadership digest as it goes out: weekly to the leadership channel or each admin through
the outbox, or on request; each with the changes since the digest before it and the chart's
12 weeks."""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from db.engine import Database
from db.models import LeadershipDigest, Workspace
from domain.digest_schedule import DigestSchedule
from domain.figures import Change
from domain.leadership import Figures, History, Period, changes, digest_week
from services.leadership import compute_figures, get_digest, latest_digest, store_digest
from services.leadership_history import weekly_history
from services.outbox import enqueue

DIGEST = "leadership_digest"

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Report:
    """A digest's figures, each one's change since the previous digest, and the chart's data."""

    figures: Figures
    changes: dict[str, Change]
    since: Period | None  # the previous digest's week; None when there is none
    history: History


def plan_leadership_digests(
    database: Database,
    *,
    now: datetime,
    schedule: DigestSchedule,
    channel: str | None,
    admins: Collection[str],
    min_group_size: int,
) -> int:
    """At the scheduled moment, each workspace's figures are kept and the digest planned to the
    leadership channel, or each admin. Returns how many messages were planned."""
    moment = schedule.due(now)
    targets = [channel] if channel else sorted(admins)
    if moment is None:
        return 0
    if not targets:
        logger.warning("leadership digest: no ALLIANCE_LEADERSHIP_CHANNEL and no admins to send to")
        return 0
    planned = 0
    for team_id in _teams(database):
        digest_id = _stored_for(database, team_id, digest_week(moment)) or store_digest(
            database,
            compute_figures(database, team_id=team_id, now=moment, min_group_size=min_group_size),
        )
        with database.session() as session:
            for target in targets:
                planned += enqueue(
                    session,
                    team_id=team_id,
                    purpose=DIGEST,
                    subject=f"digest:{digest_id}",
                    occurrence=target,
                    target=target,
                    payload={"digest_id": digest_id},
                    not_before=now,
                    now=now,
                )
    return planned


def _teams(database: Database) -> list[str]:
    with database.read() as session:
        return list(session.scalars(select(Workspace.team_id).order_by(Workspace.team_id)))


def _stored_for(database: Database, team_id: str, week: Period) -> int | None:
    """The digest already kept for this week (planning runs again until the next one)."""
    with database.read() as session:
        return session.scalar(
            select(LeadershipDigest.id).where(
                LeadershipDigest.team_id == team_id, LeadershipDigest.period_key == week.key
            )
        )


def stored_report(database: Database, digest_id: int) -> Report | None:
    """A kept digest, compared with the one before it, as the outbox sends it."""
    stored = get_digest(database, digest_id)
    if stored is None:
        return None
    return _report(database, stored.figures)


def report_now(database: Database, *, team_id: str, now: datetime, min_group_size: int) -> Report:
    """The digest as of now, compared with the latest kept one; nothing is kept."""
    figures = compute_figures(database, team_id=team_id, now=now, min_group_size=min_group_size)
    return _report(database, figures)


def _report(database: Database, figures: Figures) -> Report:
    end = figures.period.end
    previous = latest_digest(database, team_id=figures.team_id, before=end)
    earlier = None if previous is None else previous.figures
    return Report(
        figures,
        changes(figures, earlier),
        None if earlier is None else earlier.period,
        weekly_history(
            database, team_id=figures.team_id, now=end, min_group_size=figures.min_group_size
        ),
    )
