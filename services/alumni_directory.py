"""The alumni directory: each alum decides what it shows about them, and only opted-in entries
are ever listed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.engine import Database
from db.models import AlumniProfile, Person, Tour
from domain.alumni import DirectoryForm, matches
from domain.tours import OPEN_STATUSES
from services.audit import record_audit
from services.people import display_name, get_person
from services.refusals import Refusal

ALUMNI_ONLY = (
    "The alumni directory entry is for alumni: it is there once you've joined the alumni "
    "network after leaving."
)
SHOWN_AT_MOST = 20


class DirectoryRefusal(Refusal):
    """A directory action is not possible."""


@dataclass(frozen=True)
class DirectoryEntry:
    user_id: str
    name: str
    current_role: str
    expertise: str
    directory_line: str
    open_to_consulting: bool
    open_to_returning: bool


def get_own_entry(database: Database, *, team_id: str, user_id: str) -> DirectoryForm:
    """The alum's own entry, as the form shows it; raises DirectoryRefusal for non-alumni."""
    with database.read() as session:
        profile = _profile(session, team_id, user_id)
        return DirectoryForm(
            current_role=profile.current_role or "",
            expertise=profile.expertise or "",
            open_to_consulting=bool(profile.open_to_consulting),
            open_to_returning=bool(profile.open_to_returning),
            listed=profile.listed and profile.withdrawn_at is None,
        )


def save_own_entry(
    database: Database, *, team_id: str, user_id: str, form: DirectoryForm, now: datetime
) -> None:
    """Change or withdraw the alum's entry (unlisting hides every field of it)."""
    with database.session() as session:
        profile = _profile(session, team_id, user_id)
        profile.current_role = form.current_role.strip() or None
        profile.expertise = form.expertise.strip() or None
        profile.open_to_consulting = form.open_to_consulting
        profile.open_to_returning = form.open_to_returning
        profile.listed = form.listed
        profile.withdrawn_at = None if form.listed else now
        profile.updated_at = now
        record_audit(
            session,
            team_id=team_id,
            actor=user_id,
            action="alumni.entry_listed" if form.listed else "alumni.entry_withdrawn",
            subject=f"alumni_profile:{profile.id}",
            now=now,
        )


def _profile(session: Session, team_id: str, user_id: str) -> AlumniProfile:
    person = get_person(session, team_id, user_id)
    profile = (
        None
        if person is None
        else session.scalar(
            select(AlumniProfile).where(
                AlumniProfile.team_id == team_id, AlumniProfile.person_id == person.id
            )
        )
    )
    if profile is None:
        raise DirectoryRefusal(ALUMNI_ONLY)
    return profile


def is_alum(database: Database, *, team_id: str, user_id: str) -> bool:
    """Whether the person left and joined the alumni network, and has not been offered a tour
    of duty since (someone rehired is an employee again)."""
    with database.read() as session:
        person = get_person(session, team_id, user_id)
        if person is None:
            return False
        joined_at = session.scalar(
            select(AlumniProfile.created_at).where(
                AlumniProfile.team_id == team_id, AlumniProfile.person_id == person.id
            )
        )
        if joined_at is None:
            return False
        rehired = session.scalar(
            select(Tour.id)
            .where(
                Tour.employee_id == person.id,
                Tour.status.in_(OPEN_STATUSES),
                Tour.created_at > joined_at,
            )
            .limit(1)
        )
        return rehired is None


def search(database: Database, *, team_id: str, keyword: str) -> list[DirectoryEntry]:
    """Listed alumni whose entry matches every word of `keyword` (all of them when empty)."""
    with database.read() as session:
        rows = session.execute(
            select(AlumniProfile, Person)
            .join(Person, Person.id == AlumniProfile.person_id)
            .where(
                AlumniProfile.team_id == team_id,
                AlumniProfile.listed.is_(True),
                AlumniProfile.withdrawn_at.is_(None),
            )
            .order_by(Person.real_name, Person.name)
        ).all()
        found = [
            DirectoryEntry(
                user_id=person.user_id,
                name=display_name(person),
                current_role=profile.current_role or "",
                expertise=profile.expertise or "",
                directory_line=profile.directory_line or "",
                open_to_consulting=bool(profile.open_to_consulting),
                open_to_returning=bool(profile.open_to_returning),
            )
            for profile, person in rows
        ]
    return [
        entry
        for entry in found
        if matches(keyword, entry.name, entry.current_role, entry.expertise, entry.directory_line)
    ]
