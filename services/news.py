"""Company news for the alumni: admins queue items, and a monthly digest carries them to the
alumni channel, only when there is news."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from db.engine import Database
from db.models import NewsItem
from domain.schedule import WorkingHours, next_delivery_time
from services.audit import record_audit
from services.outbox import enqueue
from services.people import get_person
from services.refusals import Refusal

DIGEST = "news_digest"
NEWS_MAX = 1000
ADMINS_ONLY = "Only Alliance admins share company news with the alumni."


class NewsRefusal(Refusal):
    """Queuing news is not possible."""


def news_problem(text: str, *, is_admin: bool) -> str | None:
    """Why this news can't be queued, if it can't."""
    if not is_admin:
        return ADMINS_ONLY
    words = text.strip()
    if not words:
        return "What's the news? Try `/alliance news We opened an office in Lisbon`."
    if len(words) > NEWS_MAX:
        return f"Keep news to {NEWS_MAX} characters; this is {len(words)}."
    return None


def queue_news(
    database: Database, *, team_id: str, user_id: str, is_admin: bool, text: str, now: datetime
) -> None:
    """Keep an item for the next digest. Raises NewsRefusal."""
    problem = news_problem(text, is_admin=is_admin)
    if problem:
        raise NewsRefusal(problem)
    words = text.strip()
    with database.session() as session:
        author = get_person(session, team_id, user_id)
        if author is None:
            raise NewsRefusal("I don't know you yet: say hello in a DM first.")
        item = NewsItem(team_id=team_id, author_id=author.id, text=words, created_at=now)
        session.add(item)
        session.flush()
        record_audit(
            session,
            team_id=team_id,
            actor=user_id,
            action="news.queued",
            subject=f"news_item:{item.id}",
            now=now,
        )


def period_of(now: datetime) -> str:
    return f"{now:%Y-%m}"


def plan_digests(
    database: Database, *, channel: str, now: datetime, hours: WorkingHours, day_of_month: int
) -> int:
    """From the digest day of each month, the news waiting in each workspace goes out in one
    digest; a workspace with no news gets none. Returns how many digests were planned."""
    if now.day < day_of_month:
        return 0
    period = period_of(now)
    planned = 0
    with database.session() as session:
        waiting = list(
            session.scalars(
                select(NewsItem)
                .where(NewsItem.included_at.is_(None))
                .order_by(NewsItem.id)
                .with_for_update(of=NewsItem, skip_locked=True)
            )
        )
        teams = sorted({item.team_id for item in waiting})
        for team_id in teams:
            fresh = enqueue(
                session,
                team_id=team_id,
                purpose=DIGEST,
                subject=f"news:{team_id}",
                occurrence=period,
                target=channel,
                payload={"team_id": team_id, "period": period},
                not_before=next_delivery_time(now, None, hours),
                now=now,
            )
            if not fresh:
                continue  # this month's digest has gone: the news waits for next month's
            for item in waiting:
                if item.team_id == team_id:
                    item.digest_period = period
                    item.included_at = now
            planned += 1
    return planned


@dataclass(frozen=True)
class NewsLine:
    text: str
    queued_on: str


def digest_items(database: Database, team_id: str, period: str) -> list[NewsLine]:
    with database.read() as session:
        return [
            NewsLine(item.text or "", f"{item.created_at:%-d %b}")
            for item in session.scalars(
                select(NewsItem)
                .where(NewsItem.team_id == team_id, NewsItem.digest_period == period)
                .order_by(NewsItem.id)
            )
        ]
