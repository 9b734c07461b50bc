"""The weekly leadership digest over a large workspace: time and peak memory of each step, on
SQLite and PostgreSQL.

Seeds one workspace with N employees on active tours and about a year of their history (reviews
with both sides' responses, gaps, alumni, opportunities and interest, learnings, expenses), keeps
last week's and this week's digests, then times each step of the digest in fresh processes
(the median of three runs): the figures, the chart's 12 weeks, the chart itself, the whole
outbox renderer (the stored digest compared with the one before, its text, its chart), and
`/alliance report` (the same, as of now).

    python bench/digest.py                           # SQLite, 1,000 / 10,000 / 100,000 employees
    python bench/digest.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/test
    python bench/digest.py --employees 10000         # one size only
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import Connection, Table, insert, select, text  # noqa: E402

from bench.planning import ZONES, fresh_database  # noqa: E402
from db.engine import Database  # noqa: E402
from db.migrate import upgrade  # noqa: E402
from db.models import (  # noqa: E402
    AlignmentReview,
    AlumniProfile,
    Expense,
    Gap,
    LeadershipDigest,
    Learning,
    NetworkingBudget,
    Opportunity,
    OpportunityInterest,
    Person,
    ReportingLine,
    ReviewResponse,
    Tour,
    Workspace,
)
from domain.alumni import OpportunityKind, OpportunityStatus  # noqa: E402
from domain.figures import DEFAULT_MIN_GROUP_SIZE  # noqa: E402
from domain.leadership import DIGEST_WEEK  # noqa: E402
from domain.money import ExpenseStatus  # noqa: E402
from domain.reviews import GapKind, Progress, ReviewKind, ReviewStatus, closing_date  # noqa: E402
from domain.tour_end import EndDecision  # noqa: E402
from domain.tours import Side, TourStatus, TourType  # noqa: E402
from handlers.leadership import ON_REQUEST_TITLE, renderers  # noqa: E402
from handlers.leadership_views import chart_upload, digest_text  # noqa: E402
from services.leadership import compute_figures, store_digest  # noqa: E402
from services.leadership_chart import render_history_png  # noqa: E402
from services.leadership_digest import DIGEST, report_now, stored_report  # noqa: E402
from services.leadership_history import weekly_history  # noqa: E402

TEAM = "T1"
# A Monday at 09:00 UTC: when the weekly digest goes by default.
NOW = datetime(2027, 3, 1, 9, tzinfo=UTC)
TODAY = NOW.date()
YEAR = timedelta(days=365)
SIZES = (1_000, 10_000, 100_000)
STEPS = ("compute_figures", "weekly_history", "render_history_png", "digest_renderer", "report_now")
SLOW_SECONDS = 5.0
REPORT_TARGET_SECONDS = 2.0  # `/alliance report`, at every size up to 100,000 employees
RUNS = 3
CHUNK = 5000
TEXT = "bench text"


@dataclass(frozen=True)
class Workforce:
    """Whom the workspace holds, by id: people are inserted managers first, then the employees
    on active tours, then the alumni, so that a person's id follows from their place."""

    employees: int

    @property
    def managers(self) -> int:
        return max(self.employees // 8, 1)

    @property
    def alumni(self) -> int:
        return self.employees // 10

    @property
    def people(self) -> int:
        return self.managers + self.employees + self.alumni

    def manager_of(self, employee: int) -> int:
        return employee % self.managers + 1

    def employee_id(self, employee: int) -> int:
        return self.managers + employee + 1

    def alum_id(self, alum: int) -> int:
        return self.managers + self.employees + alum + 1

    def any_employee(self, rng: random.Random) -> int:
        """The number (not the id) of an employee picked at random."""
        return rng.randrange(self.employees)


@dataclass(frozen=True)
class TourPlan:
    """What the reviews of a tour follow from."""

    tour_id: int
    employee_id: int
    manager_id: int
    start: date
    cadence_weeks: int
    ended_on: date | None


# --- seeding --------------------------------------------------------------------------------


def seed(url: str, workforce: Workforce) -> dict[str, int]:
    """Migrate an empty database, fill it, and keep last week's and this week's digests.
    Returns how many rows each table got."""
    database = Database(url)
    try:
        upgrade(database)
        with database.engine.begin() as connection:
            counts = _fill(connection, workforce)
        if database.engine.dialect.name == "postgresql":
            with database.engine.connect() as connection:
                connection.execution_options(isolation_level="AUTOCOMMIT").execute(
                    text("VACUUM ANALYZE")
                )
        for moment in (NOW - DIGEST_WEEK, NOW):
            store_digest(database, compute_figures(database, team_id=TEAM, now=moment))
    finally:
        database.dispose()
    return counts


def _fill(connection: Connection, workforce: Workforce) -> dict[str, int]:
    rng = random.Random(workforce.employees)
    insert_rows(connection, Workspace.__table__, [_workspace()])
    counts = {"people": insert_rows(connection, Person.__table__, _people(workforce))}
    counts["reporting_lines"] = insert_rows(
        connection, ReportingLine.__table__, _reporting_lines(workforce)
    )
    tours = [*_active_tours(workforce, rng), *_alumni_tours(workforce, rng)]
    counts["tours"] = insert_rows(connection, Tour.__table__, [row for row, _ in tours])
    counts["tours"] += insert_rows(connection, Tour.__table__, _next_tours(workforce, rng))
    counts |= _insert_reviews(connection, [plan for _, plan in tours], rng)
    counts["alumni_profiles"] = insert_rows(
        connection, AlumniProfile.__table__, _alumni_profiles(tours[workforce.employees :], rng)
    )
    counts |= _insert_opportunities(connection, workforce, rng)
    counts["learnings"] = insert_rows(connection, Learning.__table__, _learnings(workforce, rng))
    counts |= _insert_expenses(connection, workforce, rng)
    return counts


def insert_rows(connection: Connection, table: Table, rows: Iterable[dict[str, Any]]) -> int:
    """Insert in chunks of executemany, never holding more than a chunk; returns the count."""
    inserted = 0
    iterator = iter(rows)
    while chunk := list(itertools.islice(iterator, CHUNK)):
        connection.execute(insert(table), chunk)
        inserted += len(chunk)
    return inserted


def _workspace() -> dict[str, Any]:
    return {
        "team_id": TEAM,
        "name": "Bench",
        "company_values": [],
        "company_aspirations": [],
        "settings": {},
        "created_at": NOW - 3 * YEAR,
    }


def _people(workforce: Workforce) -> Iterator[dict[str, Any]]:
    for n in range(workforce.people):
        yield {
            "team_id": TEAM,
            "user_id": f"U{n:09d}",
            "name": f"person{n}",
            "real_name": f"Person {n}",
            "tz": ZONES[n % len(ZONES)],
            "is_bot": False,
            "deleted": n >= workforce.managers + workforce.employees,
            "first_seen_at": NOW - 3 * YEAR,
            "profile_refreshed_at": NOW,
        }


DEPARTMENTS = ("Sales", "Engineering", "Support", "Finance", "People", "Marketing", "Legal")


def _reporting_lines(workforce: Workforce) -> Iterator[dict[str, Any]]:
    """The org chart: each employee under their manager, in one of seven departments (one in
    twenty not in the chart), so that the digest's figures by department have work to do."""
    for employee in range(workforce.employees):
        if employee % 20 == 19:
            continue
        yield {
            "team_id": TEAM,
            "person_id": workforce.employee_id(employee),
            "manager_id": workforce.manager_of(employee),
            "department": DEPARTMENTS[employee % len(DEPARTMENTS)],
            "valid_from": NOW - YEAR,
        }


def _at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, clock(hour), UTC)


def _days(rng: random.Random, low: float, high: float) -> timedelta:
    return timedelta(days=rng.uniform(low, high))


# Set on some tours only; every row of one executemany names the same columns.
TOUR_LATER_COLUMNS = (
    "awaiting",
    "next_review_on",
    "ended_at",
    "end_reason",
    "end_decision",
    "end_decided_at",
)


def _tour_row(plan: TourPlan, end: date, rng: random.Random, **columns: Any) -> dict[str, Any]:
    weights = (50, 35, 15)
    return {
        "team_id": TEAM,
        "employee_id": plan.employee_id,
        "manager_id": plan.manager_id,
        "current_version_no": 1,
        "agreed_version_no": 1,
        "tour_type": rng.choices(list(TourType), weights)[0],
        "start_date": plan.start,
        "end_date": end,
        "cadence_weeks": plan.cadence_weeks,
        "agreed_at": _at(plan.start, 0) - _days(rng, 1, 14),
        "activated_at": _at(plan.start, 0),
        "created_at": _at(plan.start - timedelta(days=14)),
        "updated_at": NOW,
        **dict.fromkeys(TOUR_LATER_COLUMNS),
        **columns,
    }


def _cadence(rng: random.Random) -> int:
    return rng.choices((4, 6, 12), (30, 50, 20))[0]


def _active_tours(
    workforce: Workforce, rng: random.Random
) -> Iterator[tuple[dict[str, Any], TourPlan]]:
    """One active tour per employee: started in the last two years, ending within the next
    two (a few already past their end). For three in five, what comes next is decided 10 to 90
    days before the end: those decided by now."""
    for n in range(workforce.employees):
        start = TODAY - timedelta(days=rng.randrange(730))
        end = max(TODAY + timedelta(days=rng.randrange(-30, 700)), start + timedelta(days=180))
        plan = TourPlan(
            n + 1, workforce.employee_id(n), workforce.manager_of(n), start, _cadence(rng), None
        )
        decided_at = _by_now(_at(end) - _days(rng, 10, 90)) if rng.random() < 0.6 else None
        yield (
            _tour_row(
                plan,
                end,
                rng,
                status=TourStatus.ACTIVE,
                next_review_on=_next_due(plan),
                end_decision=EndDecision.NEW_TOUR if decided_at else None,
                end_decided_at=decided_at,
            ),
            plan,
        )


def _next_due(plan: TourPlan) -> date:
    step = timedelta(weeks=plan.cadence_weeks)
    return plan.start + step * ((TODAY - plan.start) // step + 1)


def _alumni_tours(
    workforce: Workforce, rng: random.Random
) -> Iterator[tuple[dict[str, Any], TourPlan]]:
    """The alumni's last tours, ended on their last day within the last two years."""
    for n in range(workforce.alumni):
        last_day = TODAY - timedelta(days=rng.randrange(1, 730))
        start = last_day - timedelta(days=rng.randrange(365, 1000))
        plan = TourPlan(
            workforce.employees + n + 1,
            workforce.alum_id(n),
            workforce.manager_of(n),
            start,
            _cadence(rng),
            last_day,
        )
        yield (
            _tour_row(
                plan,
                last_day,
                rng,
                status=TourStatus.ENDED,
                ended_at=_at(last_day, 18),
                end_reason="left",
                end_decision=EndDecision.TRANSITION,
                end_decided_at=_at(last_day - timedelta(days=30)),
            ),
            plan,
        )


def _next_tours(workforce: Workforce, rng: random.Random) -> Iterator[dict[str, Any]]:
    """The next tours of one employee in 25, starting within four months: half of them agreed
    in the last three weeks, half proposed and waiting for the employee's answer."""
    for n in range(0, workforce.employees, 25):
        start = TODAY + timedelta(days=rng.randrange(10, 120))
        plan = TourPlan(0, workforce.employee_id(n), workforce.manager_of(n), start, 6, None)
        proposed = rng.random() < 0.5
        created = NOW - _days(rng, 6, 21)
        yield _tour_row(
            plan,
            start + timedelta(days=540),
            rng,
            status=TourStatus.PROPOSED if proposed else TourStatus.AGREED,
            awaiting=Side.EMPLOYEE if proposed else None,
            agreed_version_no=None if proposed else 1,
            agreed_at=None if proposed else created + _days(rng, 0.5, 5),
            activated_at=None,
            created_at=created,
        )


# --- reviews --------------------------------------------------------------------------------


@dataclass
class Answers:
    """How one review goes, planned in full; what the store holds is what happened by NOW."""

    opened: datetime
    employee: datetime | None
    manager: datetime | None
    escalated: Side | None


def _plan_answers(opened: datetime, rng: random.Random) -> Answers:
    """70% answered on time, 15% late after an escalation, 10% overdue (a side escalated and
    silent), 5% missed while away (nobody escalated, nobody answered)."""
    roll = rng.random()
    first, second = opened + _days(rng, 0.1, 5), opened + _days(rng, 0.1, 6)
    side = Side.EMPLOYEE if rng.random() < 0.7 else Side.MANAGER
    if roll < 0.70:
        return Answers(opened, first, second, None)
    if roll < 0.85:
        late = opened + _days(rng, 7.5, 20)
        return Answers(opened, *((late, second) if side is Side.EMPLOYEE else (first, late)), side)
    if roll < 0.95:
        other = second if rng.random() < 0.5 else None
        return Answers(opened, *((None, other) if side is Side.EMPLOYEE else (other, None)), side)
    return Answers(opened, None, None, None)


def _by_now(moment: datetime | None) -> datetime | None:
    return moment if moment is not None and moment <= NOW else None


def _due_dates(plan: TourPlan) -> Iterator[tuple[int, date]]:
    """(occurrence, due date) of the tour's reviews due in the last year, up to today or its
    end."""
    last = plan.ended_on or TODAY
    step = timedelta(weeks=plan.cadence_weeks)
    for occurrence in itertools.count(1):
        due = plan.start + step * occurrence
        if due > last:
            return
        if due >= TODAY - YEAR:
            yield occurrence, due


@dataclass
class ReviewRows:
    reviews: list[dict[str, Any]]
    responses: list[dict[str, Any]]
    gaps: list[dict[str, Any]]


def _insert_reviews(
    connection: Connection, plans: list[TourPlan], rng: random.Random
) -> dict[str, int]:
    """Each tour's reviews with both sides' responses and the gaps they raised, written a chunk
    of reviews at a time (their ids follow the order of insertion)."""
    counts = dict.fromkeys(("alignment_reviews", "review_responses", "gaps"), 0)
    rows = ReviewRows([], [], [])
    review_ids = itertools.count(1)
    for plan in plans:
        for occurrence, due in _due_dates(plan):
            _add_review(rows, next(review_ids), plan, occurrence, due, rng)
        if len(rows.reviews) >= CHUNK:
            _write(connection, rows, counts)
            rows = ReviewRows([], [], [])
    _write(connection, rows, counts)
    return counts


def _write(connection: Connection, rows: ReviewRows, counts: dict[str, int]) -> None:
    counts["alignment_reviews"] += insert_rows(connection, AlignmentReview.__table__, rows.reviews)
    counts["review_responses"] += insert_rows(connection, ReviewResponse.__table__, rows.responses)
    counts["gaps"] += insert_rows(connection, Gap.__table__, rows.gaps)


def _add_review(
    rows: ReviewRows,
    review_id: int,
    plan: TourPlan,
    occurrence: int,
    due: date,
    rng: random.Random,
) -> None:
    answers = _plan_answers(_at(due), rng)
    closes_on = closing_date(due, plan.cadence_weeks)
    employee, manager = _by_now(answers.employee), _by_now(answers.manager)
    answered_at = max(employee, manager) if employee and manager else None
    closed_at = _by_now(_at(closes_on + timedelta(days=1), 12))
    gaps = _raised_gaps(review_id, plan.tour_id, answered_at, rng) if answered_at else []
    rows.reviews.append(
        {
            "team_id": TEAM,
            "tour_id": plan.tour_id,
            "occurrence": occurrence,
            "kind": ReviewKind.SCHEDULED,
            "due_on": due,
            "closes_on": closes_on,
            "status": ReviewStatus.CLOSED
            if closed_at
            else ReviewStatus.ANSWERED
            if answered_at
            else ReviewStatus.OPEN,
            "opened_at": answers.opened,
            "answered_at": answered_at,
            "closed_at": closed_at,
            "progress_gap": any(gap["kind"] is GapKind.PROGRESS for gap in gaps),
            "alignment_gap": any(gap["kind"] is GapKind.ALIGNMENT for gap in gaps),
            "gap_flagged_at": answered_at if gaps else None,
            "created_at": answers.opened,
        }
    )
    for side, person_id, answered in (
        (Side.EMPLOYEE, plan.employee_id, employee),
        (Side.MANAGER, plan.manager_id, manager),
    ):
        rows.responses.append(
            _response(review_id, side, person_id, answered, answers, closed_at is None, rng)
        )
    rows.gaps.extend(gaps)


def _response(
    review_id: int,
    side: Side,
    person_id: int,
    answered_at: datetime | None,
    answers: Answers,
    still_open: bool,
    rng: random.Random,
) -> dict[str, Any]:
    opened = answers.opened
    reminded = None if answered_at else _by_now(opened + timedelta(days=3))
    escalated = _by_now(opened + timedelta(days=7)) if answers.escalated is side else None
    waiting = still_open and answered_at is None
    return {
        "team_id": TEAM,
        "review_id": review_id,
        "side": side,
        "respondent_id": person_id,
        "progress": rng.choices(list(Progress), (75, 20, 5))[0] if answered_at else None,
        "alignment": rng.randint(2, 5) if answered_at else None,
        "answered_at": answered_at,
        "updated_at": answered_at or opened,
        "prompted_at": opened,
        "reminded_at": reminded,
        "escalated_at": escalated,
        "next_nudge_at": _next_nudge(opened, reminded, escalated) if waiting else None,
        "created_at": opened,
    }


def _next_nudge(
    opened: datetime, reminded: datetime | None, escalated: datetime | None
) -> datetime | None:
    if reminded is None:
        return opened + timedelta(days=3)
    return opened + timedelta(days=7) if escalated is None else None


GAP_CHANCES = (
    (GapKind.PROGRESS, 0.06),
    (GapKind.ALIGNMENT, 0.05),
    (GapKind.VALUES, 0.03),
    (GapKind.NAMED, 0.02),
)


def _raised_gaps(
    review_id: int, tour_id: int, raised_at: datetime, rng: random.Random
) -> list[dict[str, Any]]:
    """The gaps an answered review raised; nine in ten are resolved within two months."""
    gaps = []
    for kind, chance in GAP_CHANCES:
        if rng.random() >= chance:
            continue
        resolved = _by_now(raised_at + _days(rng, 3, 60)) if rng.random() < 0.9 else None
        gaps.append(
            {
                "team_id": TEAM,
                "tour_id": tour_id,
                "kind": kind,
                "label": TEXT if kind is GapKind.NAMED else None,
                "raised_in_review_id": review_id,
                "raised_at": raised_at,
                "resolved_at": resolved,
                "created_at": raised_at,
            }
        )
    return gaps


# --- the network ----------------------------------------------------------------------------


def _alumni_profiles(
    alumni_tours: list[tuple[dict[str, Any], TourPlan]], rng: random.Random
) -> Iterator[dict[str, Any]]:
    """Four alumni in five joined the network the day after their last day."""
    for _, plan in alumni_tours:
        assert plan.ended_on is not None
        joined = _by_now(_at(plan.ended_on + timedelta(days=1), 10))
        if joined is None or rng.random() >= 0.8:
            continue
        yield {
            "team_id": TEAM,
            "person_id": plan.employee_id,
            "joined_at": joined,
            "listed": rng.random() < 0.6,
            "directory_line": TEXT,
            "updated_at": joined,
            "created_at": joined,
        }


def _insert_opportunities(
    connection: Connection, workforce: Workforce, rng: random.Random
) -> dict[str, int]:
    """One opportunity a year for each hundred employees, each drawing up to 12 alumni."""
    posted = [NOW - _days(rng, 0, 365) for _ in range(workforce.employees // 100)]
    opportunities = insert_rows(
        connection,
        Opportunity.__table__,
        (_opportunity(workforce, posted_at, rng) for posted_at in posted),
    )
    interests = insert_rows(
        connection,
        OpportunityInterest.__table__,
        (
            row
            for opportunity_id, posted_at in enumerate(posted, start=1)
            for row in _interest(workforce, opportunity_id, posted_at, rng)
        ),
    )
    return {"opportunities": opportunities, "opportunity_interests": interests}


def _opportunity(workforce: Workforce, posted_at: datetime, rng: random.Random) -> dict[str, Any]:
    closed = posted_at < NOW - timedelta(days=30) and rng.random() < 0.7
    return {
        "team_id": TEAM,
        "posted_by_id": workforce.employee_id(workforce.any_employee(rng)),
        "kind": rng.choice(list(OpportunityKind)),
        "title": TEXT,
        "description": TEXT,
        "status": OpportunityStatus.CLOSED if closed else OpportunityStatus.POSTED,
        "posted_at": posted_at,
        "closed_at": posted_at + timedelta(days=30) if closed else None,
        "updated_at": posted_at,
        "created_at": posted_at - timedelta(hours=2),
    }


def _interest(
    workforce: Workforce, opportunity_id: int, posted_at: datetime, rng: random.Random
) -> Iterator[dict[str, Any]]:
    interested = rng.sample(range(workforce.alumni), min(rng.randint(0, 12), workforce.alumni))
    for alum in interested:
        at = _by_now(posted_at + _days(rng, 0, 14))
        if at is not None:
            yield {
                "team_id": TEAM,
                "opportunity_id": opportunity_id,
                "person_id": workforce.alum_id(alum),
                "created_at": at,
            }


def _learnings(workforce: Workforce, rng: random.Random) -> Iterator[dict[str, Any]]:
    """About one learning per employee a year; one in twelve written but not posted."""
    for _ in range(workforce.employees):
        written = NOW - _days(rng, 0, 365)
        posted = written if rng.random() >= 1 / 12 else None
        yield {
            "team_id": TEAM,
            "person_id": workforce.employee_id(workforce.any_employee(rng)),
            "text": TEXT,
            "source": TEXT,
            "slack_channel": "CLEARNING" if posted else None,
            "posted_at": posted,
            "created_at": written,
        }


EXPENSE_STATUSES = (
    (ExpenseStatus.APPROVED_AUTO, 60),
    (ExpenseStatus.APPROVED, 20),
    (ExpenseStatus.PENDING, 8),
    (ExpenseStatus.DECLINED, 7),
    (ExpenseStatus.CANCELLED, 5),
)


def _insert_expenses(
    connection: Connection, workforce: Workforce, rng: random.Random
) -> dict[str, int]:
    """One expense a year for every other employee, each against its year's budget (one in ten
    people budgets in USD, the others in EUR)."""
    asked = [
        (workforce.any_employee(rng), NOW - _days(rng, 0, 365))
        for _ in range(workforce.employees // 2)
    ]
    budget_ids = {
        key: number
        for number, key in enumerate(dict.fromkeys((who, at.year) for who, at in asked), start=1)
    }
    budgets = insert_rows(
        connection,
        NetworkingBudget.__table__,
        (_budget(workforce.employee_id(who), year) for who, year in budget_ids),
    )
    expenses = insert_rows(
        connection,
        Expense.__table__,
        (_expense(who, at, budget_ids[who, at.year], workforce, rng) for who, at in asked),
    )
    return {"networking_budgets": budgets, "expenses": expenses}


def _currency(person_id: int) -> str:
    return "USD" if person_id % 10 == 0 else "EUR"


def _budget(person_id: int, year: int) -> dict[str, Any]:
    return {
        "team_id": TEAM,
        "person_id": person_id,
        "year": year,
        "amount_minor": 100_000,
        "self_approval_limit_minor": 25_000,
        "currency": _currency(person_id),
        "created_at": _at(date(year, 1, 1)),
    }


def _expense(
    employee: int, asked_at: datetime, budget_id: int, workforce: Workforce, rng: random.Random
) -> dict[str, Any]:
    statuses, weights = zip(*EXPENSE_STATUSES, strict=True)
    status = rng.choices(statuses, weights)[0]
    decided = status in (ExpenseStatus.APPROVED, ExpenseStatus.DECLINED)
    decided_at = _by_now(asked_at + _days(rng, 0.1, 5)) if decided else None
    if decided and decided_at is None:
        status = ExpenseStatus.PENDING
    person_id = workforce.employee_id(employee)
    return {
        "team_id": TEAM,
        "person_id": person_id,
        "budget_id": budget_id,
        "amount_minor": rng.randrange(1_000, 30_000, 100),
        "currency": _currency(person_id),
        "description": TEXT,
        "status": status,
        "approver_id": workforce.manager_of(employee),
        "decided_at": decided_at,
        "updated_at": decided_at or asked_at,
        "created_at": asked_at,
    }


# --- measuring ------------------------------------------------------------------------------


def _report_now(database: Database) -> None:
    """What `/alliance report` does before it uploads: the figures as of now, compared with the
    last digest kept, as text and chart."""
    report = report_now(database, team_id=TEAM, now=NOW, min_group_size=DEFAULT_MIN_GROUP_SIZE)
    digest_text(report, ON_REQUEST_TITLE)
    chart_upload(report)


def _digest_renderer(database: Database) -> Callable[[], object]:
    """The outbox's renderer for this week's kept digest: the figures compared with last week's,
    as text, and the chart."""
    with database.read() as session:
        digest_id = session.scalar(
            select(LeadershipDigest.id).order_by(LeadershipDigest.id.desc()).limit(1)
        )
    render = renderers(partial(stored_report, database))[DIGEST]
    return partial(render, {"digest_id": digest_id})


def _prepared_step(name: str, database: Database) -> Callable[[], object]:
    """The step to time, with what it needs but does not itself do made ready beforehand."""
    if name == "compute_figures":
        return partial(compute_figures, database, team_id=TEAM, now=NOW)
    if name == "weekly_history":
        return partial(weekly_history, database, team_id=TEAM, now=NOW)
    if name == "render_history_png":
        return partial(render_history_png, weekly_history(database, team_id=TEAM, now=NOW))
    if name == "digest_renderer":
        return _digest_renderer(database)
    if name == "report_now":
        return partial(_report_now, database)
    raise ValueError(f"no step {name!r}; the steps are {', '.join(STEPS)}")


def _peak_rss_mb() -> float:
    """This process's peak resident memory. Not `ru_maxrss`: Linux carries that across exec, so
    a child started by a large parent reports the parent's size."""
    status = Path("/proc/self/status").read_text()
    return int(status.split("VmHWM:")[1].split()[0]) / 1024


def measure_step(name: str, url: str) -> dict[str, float]:
    """Run in a fresh process: the step's wall time and the process's peak resident memory
    before and after its first run, then the peak of what Python allocated during a second,
    traced run."""
    database = Database(url)
    with database.read() as session:  # connect before the clock starts
        session.execute(text("SELECT 1"))
    step = _prepared_step(name, database)
    ready_mb = _peak_rss_mb()
    started = time.perf_counter()
    step()
    elapsed = time.perf_counter() - started
    peak_mb = _peak_rss_mb()
    tracemalloc.start()
    step()
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    database.dispose()
    return {
        "seconds": elapsed,
        "ready_mb": ready_mb,
        "peak_mb": peak_mb,
        "traced_mb": traced_peak / 2**20,
    }


def measure(name: str, url: str) -> dict[str, float]:
    """The step measured in RUNS fresh processes: the run of median time (the machine is shared,
    and single runs vary by tens of percent)."""
    runs = sorted((_measure_once(name, url) for _ in range(RUNS)), key=lambda run: run["seconds"])
    return runs[len(runs) // 2]


def _measure_once(name: str, url: str) -> dict[str, float]:
    result = subprocess.run(
        [sys.executable, __file__, "--step", name, url],
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


@dataclass
class Findings:
    """What the runs found besides the table: how each store was seeded, and the slow steps."""

    seeded: list[str]
    slow: list[str]
    report_seconds: dict[str, float]


def run(kind: str, postgres: str | None, workforce: Workforce, findings: Findings) -> None:
    """Seed a fresh database and measure every step on it, printing a table row each."""
    with fresh_database(kind, postgres) as url:
        started = time.perf_counter()
        counts = seed(url, workforce)
        findings.seeded.append(
            f"{kind}, {workforce.employees:,} employees, seeded in "
            f"{time.perf_counter() - started:.0f} s: "
            + ", ".join(f"{table} {count:,}" for table, count in counts.items())
        )
        for name in STEPS:
            figures = measure(name, url)
            print(
                f"| {kind} | {workforce.employees:,} | {counts['alignment_reviews']:,} | "
                f"{name} | {figures['seconds']:.3f} | {figures['ready_mb']:.0f} | "
                f"{figures['peak_mb']:.0f} | {figures['traced_mb']:.1f} |",
                flush=True,
            )
            if name == "report_now":
                findings.report_seconds[f"{kind}, {workforce.employees:,}"] = figures["seconds"]
            if figures["seconds"] > SLOW_SECONDS:
                findings.slow.append(
                    f"{kind}, {workforce.employees:,}: {name} {figures['seconds']:.1f} s"
                )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", help="an admin URL; each size gets its own database")
    parser.add_argument("--employees", type=int, action="append", help="a size (repeatable)")
    parser.add_argument("--step", nargs=2, metavar=("NAME", "URL"), help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.step:
        print(json.dumps(measure_step(*options.step)))
        return 0
    kinds = ["sqlite"] + (["postgresql"] if options.postgres else [])
    findings = Findings([], [], {})
    print("| database | employees | reviews | step | s | ready MB | peak MB | traced MB |")
    print("|---|---:|---:|---|---:|---:|---:|---:|")
    for kind in kinds:
        for employees in options.employees or SIZES:
            run(kind, options.postgres, Workforce(employees), findings)
    print()
    print("\n".join(findings.seeded))
    print(f"slower than {SLOW_SECONDS:.0f} s: " + ("; ".join(findings.slow) or "none"))
    fast = all(seconds < REPORT_TARGET_SECONDS for seconds in findings.report_seconds.values())
    print(
        f"{'PASS' if fast else 'FAIL'} /alliance report (report_now) < "
        f"{REPORT_TARGET_SECONDS:g} s: "
        + ", ".join(
            f"{where} {seconds:.2f} s" for where, seconds in findings.report_seconds.items()
        )
    )
    return 0 if fast else 1


if __name__ == "__main__":
    raise SystemExit(main())
