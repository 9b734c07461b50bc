"""Sharing what one learned from one's network: the guideline on nonpublic information,
confirmed once per text of it, and the posts in the learning channel."""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db.engine import Database
from db.models import Expense, GuidelineAck, Learning, Person
from services.audit import record_audit
from services.people import display_name, get_person
from services.refusals import NOT_YOURS, Refusal

TEXT_MAX, SOURCE_MAX, LINK_MAX = 2000, 300, 2048
RECENT = 3
DEFAULT_GUIDELINE = (
    "Share what you learned, not what you were told in confidence: nothing about another "
    "company's unreleased products, finances, customers or deals, and nothing under an NDA. "
    "When in doubt, leave it out."
)


class LearningRefusal(Refusal):
    """Sharing a learning is not possible."""


def guideline_hash(guideline: str) -> str:
    """A changed guideline asks everyone to confirm it again."""
    return hashlib.sha256(guideline.strip().encode()).hexdigest()


def learning_problems(text: str, source: str, link: str) -> dict[str, str]:
    problems: dict[str, str] = {}
    if not text.strip():
        problems["text"] = "What did you learn? A sentence or two is plenty."
    elif len(text.strip()) > TEXT_MAX:
        problems["text"] = f"Keep it to {TEXT_MAX} characters."
    if len(source.strip()) > SOURCE_MAX:
        problems["source"] = f"Keep it to {SOURCE_MAX} characters."
    if link.strip() and not link.strip().startswith(("https://", "http://")):
        problems["link"] = "A link starts with https:// (or http://)."
    elif len(link.strip()) > LINK_MAX:
        problems["link"] = f"Keep the link to {LINK_MAX} characters."
    return problems


def has_acknowledged(database: Database, *, team_id: str, user_id: str, guideline: str) -> bool:
    with database.read() as session:
        person = get_person(session, team_id, user_id)
        return person is not None and bool(
            session.scalar(
                select(GuidelineAck.id).where(
                    GuidelineAck.person_id == person.id,
                    GuidelineAck.guideline_hash == guideline_hash(guideline),
                )
            )
        )


def keep_learning(
    database: Database,
    *,
    team_id: str,
    user_id: str,
    text: str,
    source: str,
    link: str,
    now: datetime,
    expense_id: int | None = None,
) -> int:
    """Keep the learning until it is posted, linked to the person's own expense when it
    answers an expense's follow-up; returns its id. Raises LearningRefusal."""
    problems = learning_problems(text, source, link)
    if problems:
        raise LearningRefusal(next(iter(problems.values())))
    with database.session() as session:
        person = get_person(session, team_id, user_id)
        if person is None:
            raise LearningRefusal("I don't know you yet: say hello in a DM first.")
        if expense_id is not None:
            expense = session.get(Expense, expense_id)
            if expense is None or expense.person_id != person.id:
                raise LearningRefusal(NOT_YOURS)
        learning = Learning(
            team_id=team_id,
            person_id=person.id,
            text=text.strip(),
            source=source.strip() or None,
            link=link.strip() or None,
            expense_id=expense_id,
            created_at=now,
        )
        session.add(learning)
        session.flush()
        return learning.id


def acknowledge(
    database: Database, *, team_id: str, user_id: str, guideline: str, now: datetime
) -> None:
    """The person confirmed this guideline (once; a second confirmation changes nothing)."""
    try:
        with database.session() as session:
            person = get_person(session, team_id, user_id)
            if person is None:
                raise LearningRefusal(NOT_YOURS)
            session.add(
                GuidelineAck(
                    team_id=team_id,
                    person_id=person.id,
                    guideline_hash=guideline_hash(guideline),
                    acknowledged_at=now,
                    created_at=now,
                )
            )
            record_audit(
                session,
                team_id=team_id,
                actor=user_id,
                action="learning.guideline_confirmed",
                subject=f"person:{person.id}",
                now=now,
            )
    except IntegrityError:
        pass  # confirmed already


@dataclass(frozen=True)
class LearningPost:
    learning_id: int
    name: str
    text: str
    source: str
    link: str


def to_post(database: Database, *, learning_id: int, user_id: str) -> LearningPost:
    """The person's learning not yet posted; raises LearningRefusal."""
    with database.read() as session:
        learning = session.get(Learning, learning_id)
        person = None if learning is None else get_person(session, learning.team_id, user_id)
        if learning is None or person is None or learning.person_id != person.id:
            raise LearningRefusal(NOT_YOURS)
        if learning.posted_at is not None:
            raise LearningRefusal("That one is shared already. Thank you!")
        return LearningPost(
            learning.id,
            display_name(person),
            learning.text or "",
            learning.source or "",
            learning.link or "",
        )


def record_posted(
    database: Database, *, learning_id: int, channel: str, ts: str, now: datetime
) -> None:
    with database.session() as session:
        learning = session.get(Learning, learning_id)
        assert learning is not None
        learning.slack_channel, learning.slack_ts, learning.posted_at = channel, ts, now


def recent_learnings(database: Database, *, team_id: str, user_id: str) -> list[str]:
    """The person's latest shared learnings, newest first."""
    with database.read() as session:
        person_id = session.scalar(
            select(Person.id).where(Person.team_id == team_id, Person.user_id == user_id)
        )
        return [] if person_id is None else shared_lately(session, [person_id])[person_id]


def shared_lately(session: Session, person_ids: Collection[int]) -> dict[int, list[str]]:
    """Each person's latest shared learnings (RECENT at most), newest first, in one read."""
    place = (
        func.row_number()
        .over(
            partition_by=Learning.person_id,
            order_by=(Learning.created_at.desc(), Learning.id.desc()),
        )
        .label("place")
    )
    ranked = (
        select(Learning.person_id, Learning.text, place)
        .where(Learning.person_id.in_(person_ids), Learning.posted_at.is_not(None))
        .subquery()
    )
    lately: dict[int, list[str]] = {person_id: [] for person_id in person_ids}
    for person_id, text in session.execute(
        select(ranked.c.person_id, ranked.c.text)
        .where(ranked.c.place <= RECENT)
        .order_by(ranked.c.person_id, ranked.c.place)
    ):
        lately[person_id].append(text or "")
    return lately
