"""Asking the alumni: an employee's question posted to the alumni channel, and the answers in
its thread relayed to the asker by DM."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from db.engine import Database
from db.models import AlumniAsk, AlumniAskAnswer
from domain.schedule import WorkingHours, next_delivery_time
from services.audit import record_audit
from services.outbox import enqueue
from services.people import display_name, get_person
from services.refusals import Refusal

RELAY = "ask_relay"
QUESTION_MAX = 2000


class AskRefusal(Refusal):
    """Asking the alumni is not possible."""


def ask_problem(text: str) -> str | None:
    words = text.strip()
    if not words:
        return (
            "What would you like to ask? Try `/alliance ask Has anyone scaled Postgres past 10 TB?`"
        )
    if len(words) > QUESTION_MAX:
        return f"Keep the question to {QUESTION_MAX} characters; this is {len(words)}."
    return None


def record_ask(
    database: Database, *, team_id: str, user_id: str, question: str, now: datetime
) -> int:
    """Keep the question before it is posted; returns its id. Raises AskRefusal."""
    problem = ask_problem(question)
    if problem:
        raise AskRefusal(problem)
    with database.session() as session:
        asker = get_person(session, team_id, user_id)
        if asker is None:
            raise AskRefusal("I don't know you yet: say hello in a DM first.")
        ask = AlumniAsk(
            team_id=team_id, asker_id=asker.id, question=question.strip(), created_at=now
        )
        session.add(ask)
        session.flush()
        record_audit(
            session,
            team_id=team_id,
            actor=user_id,
            action="alumni.asked",
            subject=f"alumni_ask:{ask.id}",
            now=now,
        )
        return ask.id


def record_posted(database: Database, *, ask_id: int, channel: str, ts: str, now: datetime) -> None:
    """Where the question went: its thread is how answers find it."""
    with database.session() as session:
        ask = session.get(AlumniAsk, ask_id)
        assert ask is not None
        ask.slack_channel, ask.slack_ts, ask.posted_at = channel, ts, now


def record_answer_in_thread(
    database: Database,
    *,
    team_id: str,
    channel: str,
    thread_ts: str,
    answerer_slack_id: str,
    text: str,
    ts: str,
    now: datetime,
    hours: WorkingHours,
) -> bool:
    """A reply in an ask's thread: kept once, and relayed to the asker. False when the thread is
    not an ask's, the reply is the asker's own, or it was already relayed."""
    try:
        with database.session() as session:
            ask = session.scalar(
                select(AlumniAsk).where(
                    AlumniAsk.team_id == team_id,
                    AlumniAsk.slack_channel == channel,
                    AlumniAsk.slack_ts == thread_ts,
                )
            )
            if ask is None or ask.asker.user_id == answerer_slack_id:
                return False
            answerer = get_person(session, team_id, answerer_slack_id)
            answer = AlumniAskAnswer(
                team_id=team_id,
                ask_id=ask.id,
                answerer_slack_id=answerer_slack_id,
                answerer_id=answerer.id if answerer else None,
                text=text,
                slack_ts=ts,
                created_at=now,
            )
            session.add(answer)
            session.flush()
            asker = ask.asker
            enqueue(
                session,
                team_id=team_id,
                purpose=RELAY,
                subject=f"alumni_ask_answer:{answer.id}",
                occurrence="relay",
                target=asker.user_id,
                recipient_id=asker.id,
                payload={"answer_id": answer.id},
                not_before=next_delivery_time(now, asker.tz, hours),
                now=now,
            )
            answer.relayed_at = now
            return True
    except IntegrityError:  # Slack sent the same reply twice: relayed once
        return False


@dataclass(frozen=True)
class Relayed:
    question: str
    answerer_slack_id: str
    answerer_name: str | None
    text: str
    channel: str
    thread_ts: str


def get_relayed(database: Database, answer_id: int) -> Relayed | None:
    with database.read() as session:
        answer = session.get(AlumniAskAnswer, answer_id)
        if answer is None:
            return None
        ask = session.get(AlumniAsk, answer.ask_id)
        assert ask is not None
        answerer = (
            None
            if answer.answerer_id is None
            else get_person(session, answer.team_id, answer.answerer_slack_id)
        )
        return Relayed(
            question=ask.question or "",
            answerer_slack_id=answer.answerer_slack_id,
            answerer_name=display_name(answerer) if answerer else None,
            text=answer.text or "",
            channel=ask.slack_channel or "",
            thread_ts=ask.slack_ts or "",
        )
