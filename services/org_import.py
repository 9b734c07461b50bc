"""Importing an org chart: who each row is in Slack, who they report to, what would change in
the reporting lines, and the change applied in one transaction. Importing the same file again
changes nothing, and asks Slack about no one the last import already found."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Protocol

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session, aliased

from db.engine import Database, in_batches
from db.models import Person, ReportingLine
from domain.org_chart import OrgChart, OrgRow, RefusedRow, reporting_loops
from domain.people import Profile
from domain.schedule import WorkingHours
from services.hand_over import plan_hand_overs
from services.people import store_profiles


class Directory(Protocol):
    """Who is who in Slack; None when Slack knows no such person."""

    def by_email(self, email: str) -> Profile | None: ...

    def by_id(self, user_id: str) -> Profile | None: ...


Progress = Callable[[int, int], None]  # (looked up so far, to look up at most)


class ChangeKind(StrEnum):
    NEW = "new"
    MANAGER = "manager"
    DEPARTMENT = "department"
    DETAILS = "details"  # title, location, start date or email
    GONE = "gone"  # has a reporting line, is not in the file


@dataclass(frozen=True, slots=True)
class Change:
    kind: ChangeKind
    who: str  # as the file names them, or their Slack id
    line: int | None = None
    before: str = ""
    after: str = ""


@dataclass(frozen=True, slots=True)
class Place:
    """Where a person stands in the org chart: what a reporting line holds."""

    manager: str | None  # the manager's Slack id
    department: str
    title: str
    location: str
    start_date: date | None
    email: str | None


@dataclass(frozen=True, slots=True)
class Placement:
    row: OrgRow
    user_id: str
    place: Place


@dataclass(frozen=True)
class ImportPlan:
    rows: int  # usable and refused
    placements: tuple[Placement, ...]
    refused: tuple[RefusedRow, ...]
    changes: tuple[Change, ...]
    profiles: tuple[Profile, ...]  # people found in Slack, to store

    def count(self, kind: ChangeKind) -> int:
        return sum(1 for change in self.changes if change.kind is kind)


@dataclass(frozen=True)
class Applied:
    people: int  # stored from Slack
    lines: int  # reporting lines opened
    hand_overs: int  # open tours whose manager is asked to hand them over


@dataclass
class _Known:
    """The workspace as the last import left it: current lines by Slack id, and the emails
    they were found by."""

    places: dict[str, Place]
    by_email: dict[str, str]
    people: set[str]  # Slack ids of everyone the bot has stored


def plan_import(
    database: Database,
    chart: OrgChart,
    directory: Directory,
    *,
    team_id: str,
    progress: Progress | None = None,
) -> ImportPlan:
    """What importing `chart` would change; reads only, and asks `directory` about people
    neither the file nor an earlier import identifies by Slack id."""
    with database.read() as session:
        known = _known(session, team_id)
    finder = _Finder(known, directory, progress, len(chart.rows))
    refused = list(chart.refused)
    found: dict[int, str] = {}  # line -> Slack id
    for row in chart.rows:
        user_id, reason = finder.person(row.slack_id, row.email)
        if reason is not None:
            refused.append(RefusedRow(row.line, reason))
        else:
            assert user_id is not None
            found[row.line] = user_id
    in_file = {
        key: found[row.line]
        for row in chart.rows
        if row.line in found
        for key in (row.email, row.slack_id)
        if key
    }
    placements: list[Placement] = []
    for row in chart.rows:
        if row.line not in found:
            continue
        manager: str | None = None
        if row.manager_key:
            manager = in_file.get(row.manager_key)
            if manager is None:
                manager, _ = finder.person(row.manager_slack_id, row.manager_email)
            if manager is None:
                refused.append(
                    RefusedRow(
                        row.line, f"the manager {row.manager_key} is not in the file or in Slack"
                    )
                )
                continue
        place = Place(
            manager, row.department, row.title, row.location, row.start_date, row.email or None
        )
        placements.append(Placement(row, found[row.line], place))
    placements, looped = _without_loops(placements)
    refused += looped
    placed = {placement.user_id for placement in placements}
    unplaced = set(found.values()) - placed
    stored = placed | {p.place.manager for p in placements if p.place.manager}
    return ImportPlan(
        rows=len(chart.rows) + len(chart.refused),
        placements=tuple(placements),
        refused=tuple(sorted(refused, key=lambda refusal: refusal.line)),
        changes=tuple(_changes(placements, known, unplaced, finder.names)),
        profiles=tuple(
            profile for user_id, profile in finder.profiles.items() if user_id in stored
        ),
    )


def apply_import(
    database: Database, plan: ImportPlan, *, team_id: str, now: datetime, hours: WorkingHours
) -> Applied:
    """Store the people found in Slack and open a reporting line for each placement that
    changed, closing the one it replaces, and ask about the tours whose employee now reports
    to someone else (services/hand_over.py); all in one transaction."""
    with database.session() as session:
        store_profiles(session, plan.profiles, now)
        ids = dict(
            session.execute(
                select(Person.user_id, Person.id).where(Person.team_id == team_id)
            ).all()
        )
        current = _known(session, team_id).places
        changed = [p for p in plan.placements if current.get(p.user_id) != p.place]
        closed = [ids[p.user_id] for p in changed if p.user_id in current]
        for batch in in_batches(closed):
            session.execute(
                update(ReportingLine)
                .where(
                    ReportingLine.team_id == team_id,
                    ReportingLine.valid_to.is_(None),
                    ReportingLine.person_id.in_(batch),
                )
                .values(valid_to=now)
            )
        if changed:
            session.execute(
                insert(ReportingLine),
                [
                    {
                        "team_id": team_id,
                        "person_id": ids[p.user_id],
                        "manager_id": ids[p.place.manager] if p.place.manager else None,
                        "department": p.place.department,
                        "title": p.place.title or None,
                        "location": p.place.location or None,
                        "start_date": p.place.start_date,
                        "email": p.place.email,
                        "valid_from": now,
                    }
                    for p in changed
                ],
            )
        hand_overs = plan_hand_overs(session, team_id=team_id, opened_at=now, hours=hours)
    return Applied(people=len(plan.profiles), lines=len(changed), hand_overs=hand_overs)


def current_places(database: Database, team_id: str) -> dict[str, Place]:
    """Each person's current place by Slack id."""
    with database.read() as session:
        return _known(session, team_id).places


def _known(session: Session, team_id: str) -> _Known:
    person, manager = aliased(Person), aliased(Person)
    rows = session.execute(
        select(
            person.user_id,
            manager.user_id,
            ReportingLine.department,
            ReportingLine.title,
            ReportingLine.location,
            ReportingLine.start_date,
            ReportingLine.email,
        )
        .join(person, person.id == ReportingLine.person_id)
        .outerjoin(manager, manager.id == ReportingLine.manager_id)
        .where(ReportingLine.team_id == team_id, ReportingLine.valid_to.is_(None))
    ).all()
    places = {
        user_id: Place(manager, department, title or "", location or "", start, email)
        for user_id, manager, department, title, location, start, email in rows
    }
    people = set(session.scalars(select(Person.user_id).where(Person.team_id == team_id)))
    by_email = {place.email: user_id for user_id, place in places.items() if place.email}
    return _Known(places, by_email, people)


class _Finder:
    """Slack ids for the file's people: known ones without asking, the rest from Slack once."""

    def __init__(
        self, known: _Known, directory: Directory, progress: Progress | None, most: int
    ) -> None:
        self.known = known
        self.directory = directory
        self.progress = progress
        self.most = most
        self.asked = 0
        self.profiles: dict[str, Profile] = {}
        self.answers: dict[str, Profile | None] = {}
        self.names: dict[str, str] = {}  # Slack id -> how the file names them

    def person(self, slack_id: str, email: str) -> tuple[str | None, str | None]:
        """Their Slack id, or why there is none."""
        if slack_id:
            if slack_id in self.known.people or slack_id in self.profiles:
                return self._named(slack_id, email or slack_id), None
            profile = self._ask(slack_id, self.directory.by_id)
            missing = f"no one in Slack has the id {slack_id}"
        else:
            if email in self.known.by_email:
                return self._named(self.known.by_email[email], email), None
            profile = self._ask(email, self.directory.by_email)
            missing = f"no one in Slack has the email {email}"
        if profile is None:
            return None, missing
        if profile.deleted:
            return None, f"{email or slack_id} is deactivated in Slack"
        if profile.is_bot:
            return None, f"{email or slack_id} is a bot in Slack"
        self.profiles[profile.user_id] = profile
        return self._named(profile.user_id, email or slack_id), None

    def _named(self, user_id: str, name: str) -> str:
        self.names.setdefault(user_id, name)
        return user_id

    def _ask(self, key: str, ask: Callable[[str], Profile | None]) -> Profile | None:
        if key not in self.answers:
            self.answers[key] = ask(key)
            self.asked += 1
            if self.progress is not None:
                self.progress(self.asked, self.most)
        return self.answers[key]


def _without_loops(placements: list[Placement]) -> tuple[list[Placement], list[RefusedRow]]:
    managers = {p.user_id: p.place.manager for p in placements if p.place.manager}
    looped: dict[str, str] = {}
    by_user = {p.user_id: p for p in placements}
    for loop in reporting_loops(managers):
        shown = " → ".join(by_user[user_id].row.key for user_id in [*loop, loop[0]])
        looped.update((user_id, f"a reporting loop: {shown}") for user_id in loop)
    return (
        [p for p in placements if p.user_id not in looped],
        [RefusedRow(p.row.line, looped[p.user_id]) for p in placements if p.user_id in looped],
    )


def _changes(
    placements: Iterable[Placement],
    known: _Known,
    unplaced: set[str],
    names: Mapping[str, str],
) -> Iterable[Change]:
    def name(user_id: str | None) -> str:
        return "no one" if user_id is None else names.get(user_id, user_id)

    placed: set[str] = set()
    for p in placements:
        placed.add(p.user_id)
        who, line, before = p.row.key, p.row.line, known.places.get(p.user_id)
        if before is None:
            yield Change(ChangeKind.NEW, who, line, after=name(p.place.manager))
            continue
        if before.manager != p.place.manager:
            yield Change(ChangeKind.MANAGER, who, line, name(before.manager), name(p.place.manager))
        if before.department != p.place.department:
            yield Change(ChangeKind.DEPARTMENT, who, line, before.department, p.place.department)
        if replace(before, manager=None, department="") != replace(
            p.place, manager=None, department=""
        ):
            yield Change(ChangeKind.DETAILS, who, line)
    for user_id in sorted(set(known.places) - placed - unplaced):
        yield Change(ChangeKind.GONE, known.places[user_id].email or user_id)
