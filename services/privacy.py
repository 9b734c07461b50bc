"""A person's records: everything the bot holds about them, as JSON (`/alliance export`), and
forgetting them (`/alliance forget`): personal data erased, rows kept so that counts survive."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from db.engine import Database
from db.models import (
    AlignmentReview,
    AlumniAsk,
    AlumniAskAnswer,
    AlumniProfile,
    AuditEntry,
    AwayPeriod,
    Base,
    Conversation,
    Expense,
    Gap,
    GuidelineAck,
    Learning,
    NetworkingBudget,
    NewsItem,
    Offboarding,
    Opportunity,
    OpportunityInterest,
    Outbox,
    Person,
    ReviewResponse,
    Tour,
    TourVersion,
    ValueShare,
    ValueStatement,
)
from services.audit import record_audit
from services.outbox import cancel_pending
from services.people import get_person
from services.refusals import Refusal

FORMER = "a former colleague"
FORGOTTEN = "forgotten"
SHORTEST_NAME = 3  # shorter names are not searched for in others' text: too many false hits


class PrivacyRefusal(Refusal):
    """An export or a forget is not possible."""


# Rows about a person, by the columns that point at them.
ABOUT_PERSON: tuple[tuple[type[Base], tuple[str, ...]], ...] = (
    (Tour, ("employee_id", "manager_id")),
    (ValueStatement, ("person_id",)),
    (ValueShare, ("owner_id", "viewer_id")),
    (Conversation, ("person_id",)),
    (ReviewResponse, ("respondent_id",)),
    (AwayPeriod, ("person_id",)),
    (Offboarding, ("person_id",)),
    (AlumniProfile, ("person_id",)),
    (Opportunity, ("posted_by_id",)),
    (OpportunityInterest, ("person_id",)),
    (NewsItem, ("author_id",)),
    (AlumniAsk, ("asker_id",)),
    (AlumniAskAnswer, ("answerer_id",)),
    (Learning, ("person_id",)),
    (GuidelineAck, ("person_id",)),
    (NetworkingBudget, ("person_id",)),
    (Expense, ("person_id", "approver_id")),
)
# Rows of the tours where the person is the employee: their statement and its reviews.
ABOUT_THEIR_TOURS: tuple[type[Base], ...] = (TourVersion, AlignmentReview, Gap)


# --- export -----------------------------------------------------------------------------------


def export_records(database: Database, *, team_id: str, user_id: str, now: datetime) -> str:
    """Every record the bot holds about the person, as JSON text. Raises PrivacyRefusal."""
    with database.session() as session:
        person = _person(session, team_id, user_id)
        records: dict[str, Any] = {
            "exported_at": now.isoformat(),
            "person": _row(person),
        }
        for model, columns in ABOUT_PERSON:
            records[model.__tablename__] = [
                _row(row)
                for row in session.scalars(
                    select(model)
                    .where(or_(*(getattr(model, column) == person.id for column in columns)))
                    .order_by(model.id)  # type: ignore[attr-defined]
                ).unique()
            ]
        tour_ids = _their_tours(session, person)
        for model in ABOUT_THEIR_TOURS:
            records[model.__tablename__] = [
                _row(row)
                for row in session.scalars(
                    select(model)
                    .where(model.tour_id.in_(tour_ids))  # type: ignore[attr-defined]
                    .order_by(model.id)  # type: ignore[attr-defined]
                ).unique()
            ]
        records[AuditEntry.__tablename__] = [
            _row(row)
            for row in session.scalars(
                select(AuditEntry)
                .where(AuditEntry.team_id == team_id, AuditEntry.actor == user_id)
                .order_by(AuditEntry.id)
            )
        ]
        record_audit(
            session,
            team_id=team_id,
            actor=user_id,
            action="privacy.exported",
            subject=f"person:{person.id}",
            now=now,
        )
    return json.dumps(records, indent=2, ensure_ascii=False, default=_json_value)


def _row(row: Base) -> dict[str, Any]:
    return {column.name: getattr(row, column.key) for column in row.__table__.columns}


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    raise TypeError(f"{type(value).__name__} is not exported")


def _person(session: Session, team_id: str, user_id: str) -> Person:
    person = get_person(session, team_id, user_id)
    if person is None or person.forgotten_at is not None:
        raise PrivacyRefusal("I hold nothing about you: there is nothing to export or forget.")
    return person


def _their_tours(session: Session, person: Person) -> list[int]:
    return list(session.scalars(select(Tour.id).where(Tour.employee_id == person.id)))


# --- forget -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Forgotten:
    person_id: int
    former_names: tuple[str, ...]


def forget_person(
    database: Database, *, team_id: str, user_id: str, by_user_id: str, now: datetime
) -> Forgotten:
    """Erase the person's personal data in one transaction, keeping rows and counts, as
    docs/data-model.md ("Privacy") sets out. Raises PrivacyRefusal."""
    with database.session() as session:
        person = _person(session, team_id, user_id)
        names = tuple(
            name for name in {person.real_name, person.name} if len(name) >= SHORTEST_NAME
        )
        former_id = f"{FORGOTTEN}:{person.id}"
        # 1. The person's own row.
        person.user_id, person.name, person.real_name, person.tz = former_id, "", "", None
        person.forgotten_at = now
        # 2. What only makes sense with them.
        for model, columns in (
            (ValueStatement, ("person_id",)),
            (ValueShare, ("owner_id", "viewer_id")),
            (Conversation, ("person_id",)),
            (AwayPeriod, ("person_id",)),
        ):
            session.execute(
                delete(model).where(
                    or_(*(getattr(model, column) == person.id for column in columns))
                )
            )
        # 3. Text they wrote or that is about them; types, dates and ratings stay.
        tours = _their_tours(session, person)
        for statement in (
            update(TourVersion)
            .where(TourVersion.tour_id.in_(tours))
            .values(
                objective=None, success_company=None, success_employee=None, employee_success=None
            ),
            update(Gap).where(Gap.tour_id.in_(tours)).values(label=None),
            update(ReviewResponse)
            .where(ReviewResponse.respondent_id == person.id)
            .values(to_address=None, learned=None),
            update(Offboarding)
            .where(Offboarding.person_id == person.id)
            .values(personal_email=None, directory_line=None),
            update(AlumniProfile)
            .where(AlumniProfile.person_id == person.id)
            .values(
                current_role=None,
                expertise=None,
                directory_line=None,
                listed=False,
                withdrawn_at=now,
            ),
            update(Opportunity)
            .where(Opportunity.posted_by_id == person.id)
            .values(title=None, description=None, link=None, contact=None),
            update(NewsItem).where(NewsItem.author_id == person.id).values(text=None),
            update(Learning)
            .where(Learning.person_id == person.id)
            .values(text=None, source=None, link=None),
            update(Expense)
            .where(Expense.person_id == person.id)
            .values(description=None, decline_reason=None),
            update(AlumniAsk).where(AlumniAsk.asker_id == person.id).values(question=None),
            update(AlumniAskAnswer)
            .where(
                or_(
                    AlumniAskAnswer.answerer_id == person.id,
                    AlumniAskAnswer.answerer_slack_id == user_id,
                )
            )
            .values(text=None, answerer_slack_id=FORGOTTEN),
        ):
            session.execute(statement)
        # 4. Messages waiting for them, and the traces of who they were.
        cancel_pending(session, recipient_id=person.id, now=now)
        session.execute(
            update(Outbox)
            .where(Outbox.team_id == team_id, Outbox.target == user_id)
            .values(target=FORGOTTEN, updated_at=now)
        )
        session.execute(
            update(AuditEntry)
            .where(AuditEntry.team_id == team_id, AuditEntry.actor == user_id)
            .values(actor=former_id)
        )
        # 5. Their name in what others wrote.
        _replace_names(session, team_id, names)
        record_audit(
            session,
            team_id=team_id,
            actor=by_user_id if by_user_id != user_id else former_id,
            action="privacy.forgotten",
            subject=f"person:{person.id}",
            now=now,
        )
        return Forgotten(person.id, names)


# The free-text columns of the workspace where a name may have been written by someone else.
OTHERS_TEXT: tuple[tuple[type[Base], tuple[str, ...]], ...] = (
    (TourVersion, ("objective", "success_company", "success_employee")),
    (ReviewResponse, ("to_address", "learned")),
    (Gap, ("label",)),
    (Offboarding, ("directory_line",)),
    (AlumniProfile, ("current_role", "expertise", "directory_line")),
    (Opportunity, ("title", "description", "contact")),
    (NewsItem, ("text",)),
    (AlumniAsk, ("question",)),
    (AlumniAskAnswer, ("text",)),
    (Learning, ("text", "source")),
    (Expense, ("description", "decline_reason")),
)


def _replace_names(session: Session, team_id: str, names: tuple[str, ...]) -> None:
    """Others' text that names the forgotten person names "a former colleague" instead."""
    if not names:
        return
    for model, columns in OTHERS_TEXT:
        mentions = or_(
            *(getattr(model, column).contains(name) for column in columns for name in names)
        )
        for row in session.scalars(
            select(model).where(model.team_id == team_id, mentions)  # type: ignore[attr-defined]
        ).unique():
            for column in columns:
                text = getattr(row, column)
                if text:
                    for name in names:
                        text = text.replace(name, FORMER)
                    setattr(row, column, text)
