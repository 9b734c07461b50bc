"""Persisted DM conversations: start one, apply a reply, expire the forgotten ones."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from db.engine import Database
from db.models import Conversation, Person
from domain.conversations import (
    Flow,
    FlowName,
    Outcome,
    State,
    Turn,
    answer,
    expires_at,
    is_expired,
)
from domain.delivery import Purpose
from services.outbox import enqueue

LIVE = "live"


@dataclass(frozen=True)
class Progress:
    """A conversation after one reply: which flow, whose, and what the reply did."""

    conversation_id: int
    flow: FlowName
    team_id: str
    user_id: str
    context: dict[str, Any]
    turn: Turn


def start_conversation(
    database: Database,
    *,
    person_id: int,
    team_id: str,
    flow: FlowName,
    now: datetime,
    channel_id: str | None = None,
    context: dict[str, Any] | None = None,
) -> None:
    """Begin `flow` for the person, replacing any live conversation they had."""
    with database.session() as session:
        session.execute(
            update(Conversation)
            .where(Conversation.person_id == person_id, Conversation.expires_at.is_not(None))
            .values(state=Outcome.CANCELLED.value, answers=None, expires_at=None, ended_at=now)
        )
        row = session.scalars(
            select(Conversation).where(
                Conversation.person_id == person_id, Conversation.flow == flow
            )
        ).one_or_none()
        if row is None:
            row = Conversation(
                team_id=team_id,
                person_id=person_id,
                flow=flow,
                started_at=now,
                created_at=now,
                revision=0,
            )
            session.add(row)
        row.state = LIVE
        row.step_index = 0
        row.answers = {}
        row.context = context or {}
        row.channel_id = channel_id
        row.started_at = now
        row.updated_at = now
        row.expires_at = expires_at(now)
        row.ended_at = None
        row.revision = (row.revision or 0) + 1


def reply_to_conversation(
    database: Database,
    flows: dict[FlowName, Flow],
    *,
    team_id: str,
    user_id: str,
    text: str,
    now: datetime,
) -> Progress | None:
    """Apply a DM reply to the person's live conversation; None when they have none."""
    for _ in range(CONFLICT_RETRIES):
        outcome = _apply_reply(database, flows, team_id, user_id, text, now)
        if outcome is not _CONFLICT:
            return outcome
    raise RuntimeError(f"conversation of {user_id} kept changing under a reply")


CONFLICT_RETRIES = 5
_CONFLICT: Any = object()


def _apply_reply(
    database: Database,
    flows: dict[FlowName, Flow],
    team_id: str,
    user_id: str,
    text: str,
    now: datetime,
) -> Progress | None:
    with database.session() as session:
        row = _live_conversation(session, team_id, user_id)
        if row is None or row.expires_at is None or is_expired(row.expires_at, now):
            return None
        flow = flows[row.flow]
        turn = answer(flow, State(row.step_index, dict(row.answers or {})), text)
        ended = turn.outcome is not Outcome.ASKING
        # Optimistic lock: a reply that raced another is applied again to the newer state.
        changed = session.execute(
            update(Conversation)
            .where(Conversation.id == row.id, Conversation.revision == row.revision)
            .values(
                step_index=turn.state.step_index,
                # A cancelled conversation keeps none of what was said in it.
                answers=None if turn.outcome is Outcome.CANCELLED else turn.state.answers,
                state=turn.outcome.value if ended else LIVE,
                updated_at=now,
                expires_at=None if ended else expires_at(now),
                ended_at=now if ended else None,
                revision=row.revision + 1,
            )
        ).rowcount  # type: ignore[attr-defined]
        if not changed:
            return _CONFLICT  # type: ignore[no-any-return]
        return Progress(row.id, row.flow, team_id, user_id, dict(row.context), turn)


def _live_conversation(session: Session, team_id: str, user_id: str) -> Conversation | None:
    return session.scalars(
        select(Conversation)
        .join(Person, Person.id == Conversation.person_id)
        .where(
            Person.team_id == team_id,
            Person.user_id == user_id,
            Conversation.expires_at.is_not(None),
        )
    ).one_or_none()


@dataclass(frozen=True)
class Expired:
    team_id: str
    user_id: str
    flow: FlowName


def expire_conversations(database: Database, now: datetime) -> list[Expired]:
    """End every conversation left for too long, and plan a note to each person about it.

    The note goes into the outbox in the same transaction, so it is neither lost nor doubled
    whenever the process stops.
    """
    with database.session() as session:
        rows = session.execute(
            select(Conversation, Person.user_id)
            .join(Person, Person.id == Conversation.person_id)
            .where(Conversation.expires_at.is_not(None), Conversation.expires_at <= now)
        ).all()
        for conversation, user_id in rows:
            assert conversation.expires_at is not None  # selected for it
            enqueue(
                session,
                team_id=conversation.team_id,
                purpose=Purpose.CONVERSATION_EXPIRED,
                subject=f"conversation:{conversation.id}",
                occurrence=conversation.expires_at.isoformat(timespec="seconds"),
                target=user_id,
                payload={"conversation_id": conversation.id},
                not_before=now,
                recipient_id=conversation.person_id,
                now=now,
            )
            conversation.state = "expired"
            conversation.answers = None
            conversation.expires_at = None
            conversation.ended_at = now
        return [Expired(c.team_id, user_id, c.flow) for c, user_id in rows]
