"""A person's records: everything the bot holds about them, as JSON (`/alliance export`), and
forgetting them (`/alliance forget`): personal data erased, rows kept so that counts survive."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    ColumnElement,
    String,
    Table,
    Text,
    and_,
    cast,
    delete,
    literal,
    or_,
    select,
    update,
)
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
    Inbox,
    Learning,
    NetworkingBudget,
    NewsItem,
    Offboarding,
    Opportunity,
    OpportunityInterest,
    Outbox,
    Person,
    ReportingLine,
    ReviewResponse,
    RolloutAside,
    Tour,
    TourVersion,
    ValueShare,
    ValueStatement,
)
from db.privacy import Privacy, privacy_of
from services.audit import record_audit
from services.opportunities import forget_posts
from services.outbox import cancel_pending
from services.people import get_person
from services.refusals import Refusal

FORMER = "a former colleague"
FORGOTTEN = "forgotten"
SHORTEST_NAME = 3  # shorter names are not searched for in others' text: too many false hits


class PrivacyRefusal(Refusal):
    """An export or a forget is not possible."""


@dataclass(frozen=True)
class PersonRows:
    """Which rows of a table are a person's, by the columns that point at them."""

    model: type[Base]
    own: tuple[str, ...]  # ids of `people`: rows they wrote, or that are about them
    party: tuple[str, ...] = ()  # ids of `people`: rows they took part in, owned by someone else
    slack_ids: tuple[str, ...] = ()  # their Slack user id: rows kept before the bot knew them


# Rows about a person: all exported; forgetting them deletes or erases their own (steps 2, 3).
ABOUT_PERSON: tuple[PersonRows, ...] = (
    PersonRows(Tour, ("employee_id", "manager_id")),
    # Their place in the org chart; a report's line keeps naming them only by id.
    PersonRows(ReportingLine, ("person_id",), party=("manager_id",)),
    # Put aside in a rollout campaign by their manager, and why.
    PersonRows(RolloutAside, ("person_id",), party=("set_by_id",)),
    PersonRows(ValueStatement, ("person_id",)),
    PersonRows(ValueShare, ("owner_id", "viewer_id")),
    PersonRows(Conversation, ("person_id",)),
    PersonRows(ReviewResponse, ("respondent_id",)),
    PersonRows(AwayPeriod, ("person_id",)),
    PersonRows(Offboarding, ("person_id",)),
    PersonRows(AlumniProfile, ("person_id",)),
    PersonRows(Opportunity, ("posted_by_id",)),
    PersonRows(OpportunityInterest, ("person_id",)),
    PersonRows(NewsItem, ("author_id",)),
    PersonRows(AlumniAsk, ("asker_id",)),
    PersonRows(AlumniAskAnswer, ("answerer_id",), slack_ids=("answerer_slack_id",)),
    PersonRows(Learning, ("person_id",)),
    PersonRows(GuidelineAck, ("person_id",)),
    PersonRows(NetworkingBudget, ("person_id",)),
    # The spender's request, decline reason included: the approver's forget leaves it to them.
    PersonRows(Expense, ("person_id",), party=("approver_id",)),
    # A request of theirs whose work is not finished yet (the inbox), by their Slack id.
    PersonRows(Inbox, (), slack_ids=("user_id",)),
)
# Rows of the tours where the person is the employee: their statement and its reviews. Only
# theirs: the manager's own forget leaves the employee's statement alone.
ABOUT_THEIR_TOURS: tuple[type[Base], ...] = (TourVersion, AlignmentReview, Gap)
# Step 2: rows that only make sense with the person are deleted, not erased.
DELETED_WITH_THEM: frozenset[type[Base]] = frozenset(
    {ValueStatement, ValueShare, Conversation, AwayPeriod, Inbox}
)


# --- export -----------------------------------------------------------------------------------


def export_records(database: Database, *, team_id: str, user_id: str, now: datetime) -> str:
    """Every record the bot holds about the person, as JSON text. Raises PrivacyRefusal."""
    with database.session() as session:
        person = _person(session, team_id, user_id)
        records: dict[str, Any] = {
            "exported_at": now.isoformat(),
            "person": _row(person),
        }
        for rows in ABOUT_PERSON:
            records[rows.model.__tablename__] = _rows(
                session, rows.model, _theirs(rows, person, user_id, with_party=True)
            )
        tour_ids = _their_tours(session, person)
        for model in ABOUT_THEIR_TOURS:
            records[model.__tablename__] = _rows(
                session,
                model,
                model.tour_id.in_(tour_ids),  # type: ignore[attr-defined]
            )
        records[AuditEntry.__tablename__] = _rows(
            session, AuditEntry, and_(AuditEntry.team_id == team_id, AuditEntry.actor == user_id)
        )
        record_audit(
            session,
            team_id=team_id,
            actor=user_id,
            action="privacy.exported",
            subject=f"person:{person.id}",
            now=now,
        )
    return json.dumps(records, indent=2, ensure_ascii=False, default=_json_value)


def _rows(session: Session, model: type[Base], where: ColumnElement[bool]) -> list[dict[str, Any]]:
    return [
        _row(row)
        for row in session.scalars(
            select(model).where(where).order_by(model.id)  # type: ignore[attr-defined]
        ).unique()
    ]


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


def _theirs(
    rows: PersonRows, person: Person, user_id: str, *, with_party: bool
) -> ColumnElement[bool]:
    """Picks the person's own rows of the table, and with_party those they took part in."""
    model = rows.model
    by_id = rows.own + rows.party if with_party else rows.own
    in_their_team = model.team_id == person.team_id  # type: ignore[attr-defined]
    return or_(
        *(getattr(model, column) == person.id for column in by_id),
        *(and_(in_their_team, getattr(model, column) == user_id) for column in rows.slack_ids),
    )


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
        for rows in ABOUT_PERSON:
            if rows.model in DELETED_WITH_THEM:
                session.execute(
                    delete(rows.model).where(_theirs(rows, person, user_id, with_party=False))
                )
        # 3. Their personal columns; types, dates, statuses, amounts and ratings stay.
        _erase_their_rows(session, person, user_id)
        # Like a withdrawal, forgetting takes an alum out of the directory.
        session.execute(
            update(AlumniProfile)
            .where(AlumniProfile.person_id == person.id)
            .values(listed=False, withdrawn_at=now)
        )
        # 4. Messages waiting for them, and the traces of who they were.
        cancel_pending(session, recipient_id=person.id, now=now)
        forget_posts(session, poster_id=person.id, now=now)
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


def _table(model: type[Base]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


# Personal columns that may not be empty, and what forgetting writes in them instead of NULL.
# (Steps 1 and 4 rewrite `people`, `outbox.target` and `audit_log.actor` themselves.)
STAND_INS: dict[Column[Any], Any] = {
    _table(AlumniAskAnswer).c.answerer_slack_id: FORGOTTEN,
    # Unique within the ask, as the reply's ts was.
    _table(AlumniAskAnswer).c.slack_ts: literal(f"{FORGOTTEN}:").concat(
        cast(AlumniAskAnswer.id, String)
    ),
}


def erased_values(model: type[Base]) -> dict[Column[Any], Any]:
    """Step 3: what forgetting writes over each personal (T or I) column of a row of theirs:
    NULL, or its stand-in. A column that may not be empty and has none is left out."""
    return {
        column: STAND_INS.get(column)
        for column in _table(model).columns
        if privacy_of(column) is not None and (column.nullable or column in STAND_INS)
    }


def _erase_their_rows(session: Session, person: Person, user_id: str) -> None:
    """Step 3: erase the personal columns of the rows that are theirs."""
    for rows in ABOUT_PERSON:
        if rows.model not in DELETED_WITH_THEM:
            _erase(session, rows.model, _theirs(rows, person, user_id, with_party=False))
    tour_ids = _their_tours(session, person)
    for model in ABOUT_THEIR_TOURS:
        _erase(session, model, model.tour_id.in_(tour_ids))  # type: ignore[attr-defined]


def _erase(session: Session, model: type[Base], where: ColumnElement[bool]) -> None:
    if values := erased_values(model):
        session.execute(update(model).where(where).values(values))


# Besides free text, a column where people type someone's name: "Contact: Dana in Finance".
TYPED_NAMES: frozenset[Column[Any]] = frozenset({_table(Opportunity).c.contact})


def naming_columns(model: type[Base]) -> list[Column[Any]]:
    """Step 5: the columns of a table where someone may have written a forgotten person's name:
    every free-text (T) column, JSON included."""
    return [
        column
        for column in _table(model).columns
        if privacy_of(column) is Privacy.TEXT or column in TYPED_NAMES
    ]


def _replace_names(session: Session, team_id: str, names: tuple[str, ...]) -> None:
    """Others' text that names the forgotten person names "a former colleague" instead."""
    if not names:
        return
    for model in _models():
        if columns := naming_columns(model):
            _rename(session, model, columns, team_id, names)


def _rename(
    session: Session,
    model: type[Base],
    columns: list[Column[Any]],
    team_id: str,
    names: tuple[str, ...],
) -> None:
    mentions = or_(*(_mentions(column, name) for column in columns for name in names))
    for row in session.scalars(
        select(model).where(model.team_id == team_id, mentions)  # type: ignore[attr-defined]
    ).unique():
        for column in columns:
            setattr(row, column.key, _renamed(getattr(row, column.key), names))


def _mentions(column: Column[Any], name: str) -> ColumnElement[bool]:
    """The column holds the name; in JSON, as json.dumps wrote it (non-ASCII letters escaped)."""
    if isinstance(column.type, JSON):
        return cast(column, Text).contains(json.dumps(name)[1:-1], autoescape=True)
    return column.contains(name, autoescape=True)


def _renamed(value: Any, names: tuple[str, ...]) -> Any:
    """The value with each name replaced, in JSON lists and objects too."""
    if isinstance(value, str):
        for name in names:
            value = value.replace(name, FORMER)
        return value
    if isinstance(value, list):
        return [_renamed(item, names) for item in value]
    if isinstance(value, dict):
        return {key: _renamed(item, names) for key, item in value.items()}
    return value


def _models() -> list[type[Base]]:
    """Every model, in the order of their tables' dependencies."""
    model_of = {mapper.class_.__tablename__: mapper.class_ for mapper in Base.registry.mappers}
    return [model_of[table.name] for table in Base.metadata.sorted_tables]
