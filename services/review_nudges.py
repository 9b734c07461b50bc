"""Reviews kept moving: reminders, escalation when ignored, and closing reviews when due."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select, update

from db.engine import Database
from db.models import AlignmentReview, ReviewResponse
from domain.reviews import ReviewStatus, local_date, start_of_local_day
from domain.schedule import (
    Nudge,
    WorkingHours,
    earliest_local_date,
    next_delivery_time,
    next_nudge,
    shift_past_away,
)
from domain.tours import Side
from services.away import away_days, snooze_away
from services.outbox import enqueue
from services.people import display_name

REMINDER = "review_reminder"
ESCALATION = "review_escalation"
ADMIN_DIGEST = "admin_overdue_digest"


@dataclass(frozen=True)
class NudgeCounts:
    reminders: int = 0
    escalations: int = 0

    def __bool__(self) -> bool:
        return bool(self.reminders or self.escalations)


def plan_due_nudges(
    database: Database,
    *,
    now: datetime,
    hours: WorkingHours,
    admins: Collection[str],
    limit: int = 500,
) -> NudgeCounts:
    """Plan the reminders and escalations that have fallen due, through the outbox.

    A reminder goes to the person who has not answered; an employee's unanswered review is
    escalated to their manager, a manager's to the admins' daily digest of overdue reviews.
    Each response's cursor moves in the same transaction, so a second pass finds nothing.
    """
    due = (
        select(ReviewResponse)
        .join(AlignmentReview, AlignmentReview.id == ReviewResponse.review_id)
        .where(
            ReviewResponse.next_nudge_at <= now,
            ReviewResponse.answered_at.is_(None),
            AlignmentReview.status == ReviewStatus.OPEN,
        )
        .order_by(ReviewResponse.next_nudge_at, ReviewResponse.id)
        .limit(limit)
        .with_for_update(of=ReviewResponse, skip_locked=True)
    )
    reminders = escalations = 0
    with database.session() as session:
        responses = list(session.scalars(due).unique())
        away = away_days(
            session, {response.respondent_id for response in responses}, earliest_local_date(now)
        )
        for response in responses:
            assert response.prompted_at is not None
            back_on = _back_on(
                away[response.respondent_id], local_date(now, response.respondent.tz)
            )
            if back_on is not None:
                snooze_away(response, start_of_local_day(back_on, response.respondent.tz), now)
                continue
            quiet_from = max(response.prompted_at, response.snoozed_until or response.prompted_at)
            nudge, response.next_nudge_at = next_nudge(
                response.prompted_at,
                response.reminded_at,
                response.escalated_at,
                response.snoozed_until,
                now,
            )
            response.updated_at = now
            person = response.respondent
            if nudge is Nudge.REMINDER:
                response.reminded_at = now
                reminders += 1
                enqueue(
                    session,
                    team_id=response.team_id,
                    purpose=REMINDER,
                    subject=f"review_response:{response.id}",
                    # One reminder per quiet spell: after the prompt, and after each snooze.
                    occurrence=f"reminder:{quiet_from:%Y%m%dT%H%M%S}",
                    target=person.user_id,
                    recipient_id=person.id,
                    payload={"response_id": response.id},
                    not_before=next_delivery_time(now, person.tz, hours),
                    now=now,
                )
            elif nudge is Nudge.ESCALATION:
                response.escalated_at = now
                escalations += 1
                if response.side is Side.EMPLOYEE:
                    manager = response.review.tour.manager
                    enqueue(
                        session,
                        team_id=response.team_id,
                        purpose=ESCALATION,
                        subject=f"review_response:{response.id}",
                        occurrence="escalation",
                        target=manager.user_id,
                        recipient_id=manager.id,
                        payload={"response_id": response.id},
                        not_before=next_delivery_time(now, manager.tz, hours),
                        now=now,
                    )
                else:
                    for admin in sorted(admins):
                        enqueue(
                            session,
                            team_id=response.team_id,
                            purpose=ADMIN_DIGEST,
                            subject=f"admin:{admin}",
                            # One digest a day at most; it lists what is overdue when it goes.
                            occurrence=f"{now:%Y-%m-%d}",
                            target=admin,
                            recipient_id=None,
                            payload={"team_id": response.team_id},
                            not_before=next_delivery_time(now, None, hours),
                            now=now,
                        )
    return NudgeCounts(reminders, escalations)


def _back_on(away: list[tuple[date, date]], today: date) -> date | None:
    """The day the person is back, when they are away today."""
    back_on = shift_past_away(today, away)
    return None if back_on == today else back_on


def close_past_reviews(database: Database, *, now: datetime, limit: int = 1000) -> int:
    """Close the reviews whose closing day has ended everywhere; their answers are then final."""
    with database.session() as session:
        ids = list(
            session.scalars(
                select(AlignmentReview.id)
                .where(
                    AlignmentReview.status != ReviewStatus.CLOSED,
                    AlignmentReview.closes_on < earliest_local_date(now),
                )
                .order_by(AlignmentReview.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        )
        if not ids:
            return 0
        session.execute(
            update(AlignmentReview)
            .where(AlignmentReview.id.in_(ids))
            .values(status=ReviewStatus.CLOSED, closed_at=now)
        )
        session.execute(
            update(ReviewResponse)
            .where(ReviewResponse.review_id.in_(ids))
            .values(next_nudge_at=None, updated_at=now)
        )
    return len(ids)


@dataclass(frozen=True)
class OverdueReview:
    """A manager's unanswered review, as the admins' digest names it: names and dates only."""

    manager_name: str
    employee_name: str
    due_on: date
    closes_on: date


def overdue_manager_reviews(database: Database, team_id: str) -> list[OverdueReview]:
    """The open reviews whose manager side was escalated and is still unanswered."""
    with database.read() as session:
        rows = session.scalars(
            select(ReviewResponse)
            .join(AlignmentReview, AlignmentReview.id == ReviewResponse.review_id)
            .where(
                ReviewResponse.team_id == team_id,
                ReviewResponse.side == Side.MANAGER,
                ReviewResponse.escalated_at.is_not(None),
                ReviewResponse.answered_at.is_(None),
                AlignmentReview.status == ReviewStatus.OPEN,
            )
            .order_by(AlignmentReview.due_on, ReviewResponse.id)
        ).unique()
        return [
            OverdueReview(
                manager_name=display_name(row.respondent),
                employee_name=display_name(row.review.tour.employee),
                due_on=row.review.due_on,
                closes_on=row.review.closes_on,
            )
            for row in rows
        ]
