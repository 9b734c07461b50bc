"""The rollout campaign: an admin starts it, every manager whose reports (in the org chart) have
no tour of duty gets one DM a week in their working hours listing them, until each is covered
by a tour or put aside; the coverage by department; the campaign ends by itself when every
report is covered, or when an admin stops it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db.engine import Database
from db.models import Person, ReportingLine, RolloutAside, RolloutCampaign, Tour
from db.upsert import insert_if_absent
from domain.rollout import (
    AsideReason,
    CampaignEnd,
    Coverage,
    Report,
    Standing,
    coverage,
    is_covered,
    reminder_week,
    standing_of,
)
from domain.schedule import WorkingHours, next_delivery_time
from domain.tours import TourStatus
from services.audit import record_audit
from services.outbox import PlannedMessage, enqueue, enqueue_many
from services.people import display_name, get_person
from services.refusals import NOT_YOURS, Refusal
from services.reporting_lines import chart_manager_id

PROMPT = "rollout_prompt"  # to a manager: the reports still without a tour
DONE = "rollout_done"  # to the admin who started it: every report is covered


class RolloutRefusal(Refusal):
    """The campaign cannot do what was asked."""


@dataclass(frozen=True, slots=True)
class Campaign:
    id: int
    team_id: str
    department: str | None
    started_at: datetime
    ended_at: datetime | None
    end_reason: CampaignEnd | None

    @classmethod
    def of(cls, row: RolloutCampaign) -> Campaign:
        return cls(
            row.id, row.team_id, row.department, row.started_at, row.ended_at, row.end_reason
        )

    @property
    def scope(self) -> str:
        return self.department or "the whole company"


@dataclass(frozen=True, slots=True)
class ReportToCover:
    """A report with no tour yet: what the manager's list shows."""

    user_id: str
    name: str


@dataclass(frozen=True, slots=True)
class _Standing:
    person_id: int
    manager_id: int
    department: str
    standing: Standing


@dataclass(frozen=True)
class CoverageReport:
    campaign: Campaign | None  # the running one, else the latest
    coverage: Coverage


def start_rollout(
    database: Database, *, team_id: str, department: str | None, by_user_id: str, now: datetime
) -> Campaign:
    """Start a campaign over the company or one department (as the org chart spells it)."""
    with database.session() as session:
        admin = get_person(session, team_id, by_user_id)
        if admin is None:
            raise RolloutRefusal("I couldn't find you in Slack.")
        lines = select(ReportingLine.department).where(
            ReportingLine.team_id == team_id,
            ReportingLine.valid_to.is_(None),
            ReportingLine.manager_id.is_not(None),
        )
        if department is not None:
            spelled = session.scalar(
                lines.where(ReportingLine.department.ilike(department)).limit(1)
            )
            if spelled is None:
                raise RolloutRefusal(
                    f"No one in the org chart reports to a manager in “{department}”. "
                    "Check the spelling in the chart, or leave the department out to roll out "
                    "to the whole company."
                )
            department = spelled
        elif session.scalar(lines.limit(1)) is None:
            raise RolloutRefusal(
                "The org chart is empty: import it first (`alliance people import FILE.csv`), "
                "so that I know who reports to whom."
            )
        row = RolloutCampaign(
            team_id=team_id, department=department, started_by_id=admin.id, started_at=now
        )
        session.add(row)
        try:
            session.flush()
        except IntegrityError as error:
            raise RolloutRefusal(
                "A rollout is already running: `/alliance rollout status` shows where it stands, "
                "and `/alliance rollout stop` ends it."
            ) from error
        record_audit(
            session,
            team_id=team_id,
            actor=by_user_id,
            action="rollout.started",
            subject=f"rollout:{row.id}",
            detail={"department": department},
            now=now,
        )
        return Campaign.of(row)


def stop_rollout(database: Database, *, team_id: str, by_user_id: str, now: datetime) -> Campaign:
    with database.session() as session:
        row = _running(session, team_id)
        if row is None:
            raise RolloutRefusal("No rollout is running: `/alliance rollout` starts one.")
        _end(session, row, CampaignEnd.STOPPED, now, actor=by_user_id)
        return Campaign.of(row)


def plan_rollout(database: Database, *, now: datetime, hours: WorkingHours) -> int:
    """For each running campaign: its week's DM to every manager with reports still without a
    tour (once per manager and week, whatever restarts), or its end when there are none; returns
    how many prompts were planned."""
    planned = 0
    with database.session() as session:
        for row in session.scalars(
            select(RolloutCampaign).where(RolloutCampaign.ended_at.is_(None))
        ):
            standings = _standings(session, row)
            waiting = sorted(
                {s.manager_id for s in standings if s.standing is Standing.NOT_STARTED}
            )
            if is_covered(s.standing for s in standings):
                _end(session, row, CampaignEnd.COVERED, now, actor="alliance")
                continue
            week = reminder_week(row.started_at, now)
            managers = session.execute(
                select(Person.id, Person.user_id, Person.tz).where(Person.id.in_(waiting))
            ).all()
            enqueue_many(
                session,
                [
                    PlannedMessage(
                        row.team_id,
                        PROMPT,
                        f"rollout:{row.id}:{person_id}",
                        f"week:{week}",
                        user_id,
                        {"campaign_id": row.id, "manager_id": person_id},
                        next_delivery_time(now, tz, hours),
                        person_id,
                    )
                    for person_id, user_id, tz in managers
                ],
                now=now,
            )
            planned += len(managers)
    return planned


def reports_to_cover(database: Database, campaign_id: int, manager_id: int) -> list[ReportToCover]:
    """The manager's reports in the campaign still without a tour, by name: read when the DM
    goes, so a report covered since is not listed."""
    with database.read() as session:
        row = session.get(RolloutCampaign, campaign_id)
        if row is None or row.ended_at is not None:
            return []
        return _to_cover(session, row, manager_id)


def my_reports_to_cover(
    database: Database, team_id: str, manager_user_id: str
) -> list[ReportToCover]:
    """For the manager's Home: their reports still without a tour in the running campaign."""
    with database.read() as session:
        row = _running(session, team_id)
        manager = get_person(session, team_id, manager_user_id)
        if row is None or manager is None:
            return []
        return _to_cover(session, row, manager.id)


def put_aside(
    database: Database,
    *,
    team_id: str,
    manager_user_id: str,
    report_user_id: str,
    reason: AsideReason,
    is_admin: bool,
    now: datetime,
) -> str:
    """The report is left out of the running campaign, with why; their name."""
    with database.session() as session:
        row = _running(session, team_id)
        if row is None:
            raise RolloutRefusal("The rollout has ended: nothing to put aside.")
        manager = get_person(session, team_id, manager_user_id)
        report = get_person(session, team_id, report_user_id)
        if manager is None or report is None:
            raise RolloutRefusal(NOT_YOURS)
        if chart_manager_id(session, team_id, report.id) != manager.id and not is_admin:
            raise RolloutRefusal(NOT_YOURS)
        insert_if_absent(
            session,
            RolloutAside.__table__,  # type: ignore[arg-type]
            {
                "team_id": team_id,
                "campaign_id": row.id,
                "person_id": report.id,
                "reason": reason.value,
                "set_by_id": manager.id,
                "set_at": now,
            },
        )
        return display_name(report)


def coverage_report(database: Database, team_id: str, min_group_size: int) -> CoverageReport | None:
    """Where the running campaign stands (else the latest); None if there never was one."""
    with database.read() as session:
        row = (
            _running(session, team_id)
            or session.scalars(
                select(RolloutCampaign)
                .where(RolloutCampaign.team_id == team_id)
                .order_by(RolloutCampaign.id.desc())
                .limit(1)
            ).first()
        )
        if row is None:
            return None
        reports = [Report(s.person_id, s.department, s.standing) for s in _standings(session, row)]
        return CoverageReport(Campaign.of(row), coverage(reports, min_group_size))


def campaign_of(database: Database, campaign_id: int) -> Campaign | None:
    with database.read() as session:
        row = session.get(RolloutCampaign, campaign_id)
        return Campaign.of(row) if row is not None else None


def _running(session: Session, team_id: str) -> RolloutCampaign | None:
    return session.scalars(
        select(RolloutCampaign).where(
            RolloutCampaign.team_id == team_id, RolloutCampaign.ended_at.is_(None)
        )
    ).first()


def _end(
    session: Session, row: RolloutCampaign, reason: CampaignEnd, now: datetime, *, actor: str
) -> None:
    row.ended_at, row.end_reason = now, reason
    record_audit(
        session,
        team_id=row.team_id,
        actor=actor,
        action=f"rollout.{reason.value}",
        subject=f"rollout:{row.id}",
        now=now,
    )
    if reason is CampaignEnd.COVERED:
        admin = session.get(Person, row.started_by_id)
        assert admin is not None
        enqueue(
            session,
            team_id=row.team_id,
            purpose=DONE,
            subject=f"rollout:{row.id}",
            occurrence="covered",
            target=admin.user_id,
            recipient_id=admin.id,
            payload={"campaign_id": row.id},
            not_before=now,
            now=now,
        )


def _standings(
    session: Session, row: RolloutCampaign, manager_id: int | None = None
) -> list[_Standing]:
    """Every report in the campaign's scope (a current line with a manager; not a bot or a
    deactivated account), or only `manager_id`'s, with where they stand: one set-based read."""
    line = ReportingLine
    agreed = exists().where(
        Tour.employee_id == line.person_id,
        Tour.status.in_((TourStatus.AGREED, TourStatus.ACTIVE)),
    )
    proposed = exists().where(
        Tour.employee_id == line.person_id, Tour.status == TourStatus.PROPOSED
    )
    aside = exists().where(
        RolloutAside.campaign_id == row.id, RolloutAside.person_id == line.person_id
    )
    query = (
        select(line.person_id, line.manager_id, line.department, agreed, proposed, aside)
        .join(Person, Person.id == line.person_id)
        .where(
            line.team_id == row.team_id,
            line.valid_to.is_(None),
            line.manager_id.is_not(None),
            Person.is_bot.is_(False),
            Person.deleted.is_(False),
        )
    )
    if row.department is not None:
        query = query.where(line.department == row.department)
    if manager_id is not None:
        query = query.where(line.manager_id == manager_id)
    return [
        _Standing(
            person_id,
            manager,
            department,
            standing_of(agreed=has_agreed, proposed=has_proposed, aside=is_aside),
        )
        for person_id, manager, department, has_agreed, has_proposed, is_aside in session.execute(
            query
        )
        if manager is not None
    ]


def _to_cover(session: Session, row: RolloutCampaign, manager_id: int) -> list[ReportToCover]:
    waiting = [
        s.person_id
        for s in _standings(session, row, manager_id)
        if s.standing is Standing.NOT_STARTED
    ]
    if not waiting:
        return []
    people = session.scalars(select(Person).where(Person.id.in_(waiting)))
    return sorted(
        (ReportToCover(person.user_id, display_name(person)) for person in people),
        key=lambda report: report.name.lower(),
    )
