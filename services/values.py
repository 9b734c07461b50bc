"""Value statements: save, share, and the reads each person is allowed; the company's values.

A statement is private to its owner. Anyone else reads it only through a live (unrevoked)
`ValueShare` made by the owner; being an admin grants nothing. Every read that is refused
returns None, the same None whether the person, the statement or the share is missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from db.engine import Database
from db.models import Conversation, Person, Tour, ValueShare, ValueStatement, Workspace
from db.upsert import insert_if_absent
from domain.conversations import FlowName
from domain.tours import OPEN_STATUSES
from domain.values import Alignment, Party, ValuesDraft, alignment
from services.audit import record_audit
from services.people import get_person
from services.refusals import Refusal
from services.tours import current_manager


class ValuesRefusal(Refusal):
    """A values action is not possible."""


NOTHING_TO_SHARE = (
    "There's nothing to share yet: tell me your aspirations and values first with "
    "`/alliance values`."
)
NO_MANAGER = (
    "You don't have a manager in Alliance yet. Once you and your manager have a tour of duty "
    "(proposed or agreed), you can share your values with them."
)
NO_REPORTS = (
    "Nobody has a tour of duty with you as their manager yet, so there's no one to share with."
)
ADMINS_ONLY = "Only Alliance admins can change the company's values and aspirations."


def person_label(person: Person) -> str:
    return person.real_name or person.name or person.user_id


@dataclass(frozen=True)
class StatementRead:
    """A statement as a permitted reader sees it."""

    owner_user_id: str
    owner_name: str
    aspirations: tuple[str, ...]
    core_values: tuple[str, ...]
    note_for_manager: str | None
    updated_at: datetime


@dataclass(frozen=True)
class OwnStatement:
    """The owner's own view: the statement (if any) and to whom it is shared."""

    statement: StatementRead | None
    shared_with: tuple[str, ...]  # user ids, oldest share first
    manages_anyone: bool
    manager_user_id: str | None = None  # the manager on the person's open tour

    @property
    def shared_with_manager(self) -> bool:
        return self.manager_user_id is not None and self.manager_user_id in self.shared_with


@dataclass(frozen=True)
class CompanyValues:
    values: tuple[str, ...] = ()
    aspirations: tuple[str, ...] = ()

    @property
    def is_set(self) -> bool:
        return bool(self.values or self.aspirations)


class ManagerSide(StrEnum):
    """What the viewer may know about the subject's manager's values."""

    NONE = "none"  # the subject has no manager (only ever told to the subject themselves)
    HIDDEN = "hidden"  # not shared with the viewer (or not written: the viewer can't tell)
    SHOWN = "shown"


@dataclass(frozen=True)
class AlignmentRead:
    """The alignment view of one subject, with only the parts the viewer may see."""

    viewer_user_id: str
    viewer_role: Party | None  # EMPLOYEE: the subject; MANAGER: the subject's manager
    subject_user_id: str
    subject_name: str
    subject: StatementRead | None
    manager_side: ManagerSide
    manager: StatementRead | None
    company: CompanyValues
    alignment: Alignment


# ---------------------------------------------------------------------------- reads


def _statement_of(session: Session, person: Person) -> ValueStatement | None:
    return session.scalars(
        select(ValueStatement).where(
            ValueStatement.team_id == person.team_id, ValueStatement.person_id == person.id
        )
    ).one_or_none()


def _read(person: Person, row: ValueStatement) -> StatementRead:
    return StatementRead(
        owner_user_id=person.user_id,
        owner_name=person_label(person),
        aspirations=tuple(row.aspirations or ()),
        core_values=tuple(row.core_values or ()),
        note_for_manager=row.note_for_manager,
        updated_at=row.updated_at,
    )


def _has_live_share(session: Session, owner: Person, viewer: Person) -> bool:
    return (
        session.scalars(
            select(ValueShare.id).where(
                ValueShare.owner_id == owner.id,
                ValueShare.viewer_id == viewer.id,
                ValueShare.revoked_at.is_(None),
            )
        ).first()
        is not None
    )


def read_values(
    session: Session, team_id: str, viewer_user_id: str, owner_user_id: str
) -> StatementRead | None:
    """The owner's statement if the viewer is the owner or holds a live share; None otherwise."""
    owner = get_person(session, team_id, owner_user_id)
    if owner is None:
        return None
    row = _statement_of(session, owner)
    if row is None:
        return None
    if viewer_user_id != owner_user_id:
        viewer = get_person(session, team_id, viewer_user_id)
        if viewer is None or not _has_live_share(session, owner, viewer):
            return None
    return _read(owner, row)


def own_statement(session: Session, team_id: str, user_id: str) -> OwnStatement:
    person = get_person(session, team_id, user_id)
    if person is None:
        return OwnStatement(None, (), False)
    row = _statement_of(session, person)
    shared_with = session.scalars(
        select(Person.user_id)
        .join(ValueShare, ValueShare.viewer_id == Person.id)
        .where(ValueShare.owner_id == person.id, ValueShare.revoked_at.is_(None))
        .order_by(ValueShare.shared_at, ValueShare.id)
    ).all()
    manager = current_manager(session, person.id)
    return OwnStatement(
        _read(person, row) if row is not None else None,
        tuple(shared_with),
        bool(_reports_of(session, person)),
        manager.user_id if manager is not None else None,
    )


def get_company_values(session: Session, team_id: str) -> CompanyValues:
    workspace = session.get(Workspace, team_id)
    if workspace is None:
        return CompanyValues()
    return CompanyValues(
        tuple(workspace.company_values or ()), tuple(workspace.company_aspirations or ())
    )


def alignment_for(
    session: Session, team_id: str, viewer_user_id: str, subject_user_id: str
) -> AlignmentRead | None:
    """The subject's alignment with their manager and the company, as the viewer may see it.

    None when the viewer may not read the subject's values (anyone but the subject, without a
    share). The manager's values appear only when the viewer may read them too.
    """
    subject = read_values(session, team_id, viewer_user_id, subject_user_id)
    if subject is None and viewer_user_id != subject_user_id:
        return None
    subject_person = get_person(session, team_id, subject_user_id)
    manager_person = current_manager(session, subject_person.id) if subject_person else None
    manager: StatementRead | None = None
    side = ManagerSide.NONE
    if manager_person is not None:
        manager = read_values(session, team_id, viewer_user_id, manager_person.user_id)
        side = ManagerSide.SHOWN if manager is not None else ManagerSide.HIDDEN
    elif viewer_user_id != subject_user_id:
        side = ManagerSide.HIDDEN  # others are not told whether the subject has a manager
    company = get_company_values(session, team_id)
    role: Party | None = None
    if viewer_user_id == subject_user_id:
        role = Party.EMPLOYEE
    elif manager_person is not None and manager_person.user_id == viewer_user_id:
        role = Party.MANAGER
    return AlignmentRead(
        viewer_user_id=viewer_user_id,
        viewer_role=role,
        subject_user_id=subject_user_id,
        subject_name=person_label(subject_person) if subject_person else "",
        subject=subject,
        manager_side=side,
        manager=manager,
        company=company,
        alignment=alignment(
            subject.core_values if subject else None,
            manager.core_values if manager else None,
            company.values,
        ),
    )


# ---------------------------------------------------------------------------- writes


def save_statement(
    database: Database,
    *,
    team_id: str,
    user_id: str,
    draft: ValuesDraft,
    now: datetime,
    keep_unanswered: bool = False,
    conversation_id: int | None = None,
) -> StatementRead:
    """Store the person's statement, replacing the previous one.

    With `keep_unanswered`, a field the draft leaves as None keeps its stored value (a skipped
    question in a repeat conversation). With `conversation_id`, that conversation's answers are
    cleared in the same transaction, so the text lives in one place only.
    """
    with database.session() as session:
        person = get_person(session, team_id, user_id)
        if person is None:
            raise ValuesRefusal("I don't know you yet; type `/alliance values` to start.")
        fresh = insert_if_absent(
            session,
            ValueStatement.__table__,  # type: ignore[arg-type]
            {
                "team_id": team_id,
                "person_id": person.id,
                "completed_at": now,
                "updated_at": now,
                "created_at": now,
            },
        )
        row = _statement_of(session, person)
        assert row is not None
        for field, value in (
            ("aspirations", list(draft.aspirations) if draft.aspirations else None),
            ("core_values", list(draft.core_values) if draft.core_values else None),
            ("note_for_manager", draft.note_for_manager or None),
        ):
            if value is not None or not keep_unanswered:
                setattr(row, field, value)
        row.updated_at = now
        row.completed_at = now
        if conversation_id is not None:
            session.execute(
                update(Conversation).where(Conversation.id == conversation_id).values(answers=None)
            )
        record_audit(
            session,
            team_id=team_id,
            actor=user_id,
            action="values.created" if fresh else "values.updated",
            subject=f"values:{row.id}",
            now=now,
        )
        session.flush()
        return _read(person, row)


def _share(session: Session, owner: Person, viewer: Person, now: datetime) -> bool:
    """A live share from owner to viewer; False when one was live already."""
    inserted = insert_if_absent(
        session,
        ValueShare.__table__,  # type: ignore[arg-type]
        {
            "team_id": owner.team_id,
            "owner_id": owner.id,
            "viewer_id": viewer.id,
            "shared_at": now,
            "revoked_at": None,
            "created_at": now,
        },
    )
    if inserted:
        return True
    revived = session.execute(
        update(ValueShare)
        .where(
            ValueShare.owner_id == owner.id,
            ValueShare.viewer_id == viewer.id,
            ValueShare.revoked_at.is_not(None),
        )
        .values(revoked_at=None, shared_at=now)
    ).rowcount  # type: ignore[attr-defined]
    return bool(revived)


def _owner_with_statement(session: Session, team_id: str, user_id: str) -> Person:
    owner = get_person(session, team_id, user_id)
    if owner is None or _statement_of(session, owner) is None:
        raise ValuesRefusal(NOTHING_TO_SHARE)
    return owner


@dataclass(frozen=True)
class Shared:
    """Whom a statement was shared with: each viewer's user id, and whether it is new to them."""

    viewers: tuple[tuple[str, bool], ...]

    @property
    def newly_shared(self) -> tuple[str, ...]:
        return tuple(user_id for user_id, new in self.viewers if new)


def share_with_manager(database: Database, *, team_id: str, user_id: str, now: datetime) -> Shared:
    """Let the person's current manager read their statement; ValuesRefusal if there is none."""
    with database.session() as session:
        owner = _owner_with_statement(session, team_id, user_id)
        manager = current_manager(session, owner.id)
        if manager is None:
            raise ValuesRefusal(NO_MANAGER)
        new = _share(session, owner, manager, now)
        if new:
            record_audit(
                session,
                team_id=team_id,
                actor=user_id,
                action="values.shared",
                subject=f"person:{manager.user_id}",
                now=now,
            )
        return Shared(((manager.user_id, new),))


def _reports_of(session: Session, manager: Person) -> list[Person]:
    return list(
        session.scalars(
            select(Person)
            .join(Tour, Tour.employee_id == Person.id)
            .where(Tour.manager_id == manager.id, Tour.status.in_(OPEN_STATUSES))
            .order_by(Person.id)
            .distinct()
        ).all()
    )


def share_with_reports(database: Database, *, team_id: str, user_id: str, now: datetime) -> Shared:
    """Let everyone the person manages now (an open tour) read their statement."""
    with database.session() as session:
        owner = _owner_with_statement(session, team_id, user_id)
        reports = _reports_of(session, owner)
        if not reports:
            raise ValuesRefusal(NO_REPORTS)
        viewers = tuple((report.user_id, _share(session, owner, report, now)) for report in reports)
        for report_user_id, new in viewers:
            if new:
                record_audit(
                    session,
                    team_id=team_id,
                    actor=user_id,
                    action="values.shared",
                    subject=f"person:{report_user_id}",
                    now=now,
                )
        return Shared(viewers)


def stop_sharing(database: Database, *, team_id: str, user_id: str, now: datetime) -> int:
    """Revoke every live share of the person's statement; returns how many were revoked."""
    with database.session() as session:
        owner = get_person(session, team_id, user_id)
        if owner is None:
            return 0
        revoked = session.execute(
            update(ValueShare)
            .where(ValueShare.owner_id == owner.id, ValueShare.revoked_at.is_(None))
            .values(revoked_at=now)
        ).rowcount  # type: ignore[attr-defined]
        if revoked:
            record_audit(
                session,
                team_id=team_id,
                actor=user_id,
                action="values.unshared",
                subject=f"person:{user_id}",
                detail={"shares": revoked},
                now=now,
            )
        return int(revoked)


def set_company_values(
    database: Database,
    *,
    team_id: str,
    user_id: str,
    admins: frozenset[str],
    values: tuple[str, ...],
    aspirations: tuple[str, ...],
    now: datetime,
) -> CompanyValues:
    """Replace the company's values and aspirations. Raises ValuesRefusal unless an admin."""
    if user_id not in admins:
        raise ValuesRefusal(ADMINS_ONLY)
    with database.session() as session:
        insert_if_absent(
            session,
            Workspace.__table__,  # type: ignore[arg-type]
            {
                "team_id": team_id,
                "name": "",
                "company_values": [],
                "company_aspirations": [],
                "settings": {},
                "created_at": now,
            },
        )
        admin = get_person(session, team_id, user_id)
        session.execute(
            update(Workspace)
            .where(Workspace.team_id == team_id)
            .values(
                company_values=list(values),
                company_aspirations=list(aspirations),
                company_values_updated_by_id=admin.id if admin else None,
                company_values_updated_at=now,
            )
        )
        record_audit(
            session,
            team_id=team_id,
            actor=user_id,
            action="company_values.updated",
            subject=f"workspace:{team_id}",
            detail={"values": len(values), "aspirations": len(aspirations)},
            now=now,
        )
        return CompanyValues(values, aspirations)


# ---------------------------------------------------------------------------- one-call reads


def own_values(database: Database, team_id: str, user_id: str) -> OwnStatement:
    with database.session() as session:
        return own_statement(session, team_id, user_id)


def has_values(database: Database, team_id: str, user_id: str) -> bool:
    return own_values(database, team_id, user_id).statement is not None


def company_values(database: Database, team_id: str) -> CompanyValues:
    with database.session() as session:
        return get_company_values(session, team_id)


def alignment_view(
    database: Database, team_id: str, viewer_user_id: str, subject_user_id: str
) -> AlignmentRead | None:
    with database.session() as session:
        return alignment_for(session, team_id, viewer_user_id, subject_user_id)


@dataclass(frozen=True)
class StartFacts:
    """What starting the values conversation needs to know and say."""

    person_id: int
    has_statement: bool
    other_conversation_live: bool


def values_start_facts(database: Database, team_id: str, user_id: str) -> StartFacts | None:
    with database.session() as session:
        person = get_person(session, team_id, user_id)
        if person is None:
            return None
        live = session.scalars(
            select(Conversation.flow).where(
                Conversation.person_id == person.id,
                Conversation.expires_at.is_not(None),
                Conversation.flow != FlowName.VALUES,
            )
        ).first()
        return StartFacts(person.id, _statement_of(session, person) is not None, live is not None)
