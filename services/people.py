"""People the bot has met: stored on first meeting, refreshed when their profile grows stale."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.engine import Database, in_batches
from db.models import Person
from db.upsert import upsert, upsert_many
from domain.people import PROFILE_MAX_AGE, Profile, is_stale
from services.audit import record_audit
from services.refusals import Refusal

FetchProfile = Callable[[str], Profile]


class RecentlySeen:
    """People this process has met lately, so their next request needs no database read.

    Each entry keeps the profile's own refresh time, so it stops counting once the profile
    is stale. The database stays the authority; this only saves looking.
    """

    LIMIT = 50_000

    def __init__(self) -> None:
        self._refreshed_at: dict[tuple[str, str], datetime] = {}

    def is_fresh(self, team_id: str, user_id: str, now: datetime) -> bool:
        refreshed_at = self._refreshed_at.get((team_id, user_id))
        return refreshed_at is not None and not is_stale(refreshed_at, now)

    def saw(self, person: Person) -> None:
        if len(self._refreshed_at) >= self.LIMIT:
            self._refreshed_at.clear()
        self._refreshed_at[(person.team_id, person.user_id)] = person.profile_refreshed_at


class ProfileUnavailable(Refusal):
    """Slack could not say who this is: not in the workspace, or no answer in time."""


def meet(
    database: Database,
    seen: RecentlySeen,
    *,
    team_id: str,
    user_id: str,
    name: str,
    now: datetime,
    fetch: FetchProfile,
) -> None:
    """Make sure the bot knows the person acting; free for someone this process met lately.
    When Slack cannot say who they are, what is known (their id, the name their request
    carried) is kept, marked stale so that the next request fetches the profile again."""
    if seen.is_fresh(team_id, user_id, now):
        return
    try:
        person = remember_person(database, team_id=team_id, user_id=user_id, now=now, fetch=fetch)
    except ProfileUnavailable:
        with database.read() as session:
            if get_person(session, team_id, user_id) is not None:
                return
        provisional = Profile(user_id, team_id, name, "", None, is_bot=False, deleted=False)
        save_profile(database, provisional, now, refreshed_at=now - PROFILE_MAX_AGE)
        return
    seen.saw(person)


def remember_person(
    database: Database, *, team_id: str, user_id: str, now: datetime, fetch: FetchProfile
) -> Person:
    """The stored person, fetching their Slack profile first when it is unknown or stale."""
    with database.read() as session:
        person = get_person(session, team_id, user_id)
        if person is not None and not is_stale(person.profile_refreshed_at, now):
            return person
    profile = fetch(user_id)  # outside the transaction: a Slack call may be slow
    return save_profile(database, profile, now)


def save_profile(
    database: Database, profile: Profile, now: datetime, *, refreshed_at: datetime | None = None
) -> Person:
    """Store the profile, as fetched at `refreshed_at` (now unless given)."""
    with database.session() as session:
        return store_profile(session, profile, now, refreshed_at=refreshed_at)


def store_profile(
    session: Session, profile: Profile, now: datetime, *, refreshed_at: datetime | None = None
) -> Person:
    """Store the profile in the caller's transaction; a person's deactivation or return is
    written to the audit log."""
    _audit_changes(session, [profile], now)
    # One statement, so many newcomers at once keep SQLite's single writer moving.
    row = upsert(
        session,
        Person.__table__,  # type: ignore[arg-type]
        key=("team_id", "user_id"),
        values=_person_row(profile, now, refreshed_at or now),
        on_conflict=_profile_fields(profile, refreshed_at or now),
    )
    return Person(**row._asdict())


def store_profiles(session: Session, profiles: Sequence[Profile], now: datetime) -> None:
    """Store many profiles in the caller's transaction, in one statement (an import's)."""
    if not profiles:
        return
    _audit_changes(session, profiles, now)
    upsert_many(
        session,
        Person.__table__,  # type: ignore[arg-type]
        key=("team_id", "user_id"),
        rows=[_person_row(profile, now, now) for profile in profiles],
        updated=tuple(_profile_fields(profiles[0], now)),
    )


def _profile_fields(profile: Profile, refreshed_at: datetime) -> dict[str, Any]:
    return {
        "name": profile.name,
        "real_name": profile.real_name,
        "tz": profile.tz,
        "is_bot": profile.is_bot,
        "deleted": profile.deleted,
        "profile_refreshed_at": refreshed_at,
    }


def _person_row(profile: Profile, now: datetime, refreshed_at: datetime) -> dict[str, Any]:
    return {
        "team_id": profile.team_id,
        "user_id": profile.user_id,
        "first_seen_at": now,
        **_profile_fields(profile, refreshed_at),
    }


def _audit_changes(session: Session, profiles: Sequence[Profile], now: datetime) -> None:
    """Write each stored person's deactivation or return to the audit log."""
    for team_id in {profile.team_id for profile in profiles}:
        theirs = {p.user_id: p for p in profiles if p.team_id == team_id}
        known = [
            row
            for batch in in_batches(list(theirs))
            for row in session.execute(
                select(Person.user_id, Person.deleted).where(
                    Person.team_id == team_id, Person.user_id.in_(batch)
                )
            )
        ]
        for user_id, was_deleted in known:
            if was_deleted != theirs[user_id].deleted:
                record_audit(
                    session,
                    team_id=team_id,
                    actor="slack",
                    action="person.deactivated"
                    if theirs[user_id].deleted
                    else "person.reactivated",
                    subject=user_id,
                    now=now,
                )


def display_name(person: Person) -> str:
    """How a person is named in messages: their full name, else their handle, else their ID."""
    return person.real_name or person.name or person.user_id


def name_of(database: Database, team_id: str, user_id: str) -> str:
    """How the person is named in messages; their user ID when the bot has not met them."""
    with database.read() as session:
        person = get_person(session, team_id, user_id)
        return display_name(person) if person else user_id


def get_person(
    session: Session, team_id: str, user_id: str, *, for_update: bool = False
) -> Person | None:
    query = select(Person).where(Person.team_id == team_id, Person.user_id == user_id)
    if for_update:
        query = query.with_for_update()
    return session.scalars(query.execution_options(populate_existing=True)).one_or_none()
