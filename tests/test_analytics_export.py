"""`alliance export`: the analytics copy of the live database (SQLite or PostgreSQL), written by the
real command and read back with sqlite-utils, as Datasette would read it."""

from __future__ import annotations

import subprocess
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlite_utils import Database as SQLiteFile

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
    LeadershipDigest,
    Learning,
    NetworkingBudget,
    NewsItem,
    Offboarding,
    Opportunity,
    OpportunityInterest,
    Outbox,
    Person,
    ProcessedEvent,
    ReportingLine,
    ReviewResponse,
    RolloutAside,
    RolloutCampaign,
    Tour,
    TourVersion,
    ValueShare,
    ValueStatement,
    Workspace,
)
from db.privacy import Privacy, privacy_of
from domain.alumni import JoinMethod, OffboardingStatus, OpportunityKind, OpportunityStatus
from domain.conversations import FlowName
from domain.delivery import OutboxStatus
from domain.money import ExpenseStatus
from domain.reviews import GapKind, Progress, ReviewKind, ReviewStatus
from domain.rollout import AsideReason
from domain.tours import Side, TourStatus, TourType, VersionSource
from services.analytics_export import DEPARTMENTS, export_analytics
from tests.test_cli import bare_env, run_cli

# docs/data-model.md ("Privacy"): never exported.
NEVER_EXPORTED = {
    "value_statements",
    "conversations",
    "audit_log",
    "processed_events",
    "outbox",
    "inbox",
}
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
START, END = date(2025, 1, 6), date(2025, 12, 19)


@dataclass(frozen=True)
class Seeded:
    """A row in every table of a workspace of its own; its words all carry `word`."""

    team_id: str
    word: str
    rows: list[Base]
    tour: Tour

    def personal_values(self, *marks: Privacy, tables: set[str] | None = None) -> list[str]:
        """What the seeded rows (of these tables) hold in the columns with these marks."""
        return [
            str(value)
            for row in self.rows
            if tables is None or row.__table__.name in tables
            for column in row.__table__.columns
            if privacy_of(column) in marks and (value := getattr(row, column.key)) is not None
        ]


def seed_every_table(database: Database) -> Seeded:
    """A departed employee's history, from tour to learning; done and dated in the past, so the
    running bot's scheduler finds nothing to do with it."""
    unique = uuid.uuid4().hex
    word, team = f"zq{unique[:8]}", f"T{unique[8:16]}"  # a word no other row holds; no team id
    std = {"team_id": team, "created_at": NOW}
    with database.session() as session:
        workspace = Workspace(
            team_id=team,
            name="Acme",
            company_values=["Candor"],
            company_aspirations=["Grow"],
            settings={},
            created_at=NOW,
        )
        dana, lee = (
            Person(
                team_id=team,
                user_id=f"U{word}{n}",
                name=f"{who.lower()}.{word}",
                real_name=f"{who} {word}",
                tz="Pacific/Chatham",
                first_seen_at=NOW,
                profile_refreshed_at=NOW,
            )
            for n, who in enumerate(("Dana", "Lee"))
        )
        session.add_all([workspace, dana, lee])
        session.flush()
        tour = Tour(
            **std,
            employee_id=dana.id,
            manager_id=lee.id,
            status=TourStatus.ENDED,
            current_version_no=1,
            agreed_version_no=1,
            tour_type=TourType.TRANSFORMATIONAL,
            start_date=START,
            end_date=END,
            cadence_weeks=4,
            ended_at=NOW,
            end_reason="completed",
            updated_at=NOW,
        )
        campaign = RolloutCampaign(
            team_id=team, department="Engineering", started_by_id=lee.id, started_at=NOW
        )
        session.add_all([tour, campaign])
        session.flush()
        review = AlignmentReview(
            **std,
            tour_id=tour.id,
            occurrence=1,
            kind=ReviewKind.SCHEDULED,
            due_on=START,
            closes_on=START,
            status=ReviewStatus.CLOSED,
            opened_at=NOW,
        )
        offboarding = Offboarding(
            **std,
            person_id=dana.id,
            requested_by_id=lee.id,
            tour_id=tour.id,
            last_day=END,
            good_standing=True,
            personal_email=f"dana.{word}@example.org",
            directory_line=f"Rebuilt the {word} checkout",
            status=OffboardingStatus.JOINED,
            join_method=JoinMethod.CHANNEL_INVITE,
            updated_at=NOW,
        )
        opportunity = Opportunity(
            **std,
            posted_by_id=lee.id,
            kind=OpportunityKind.CONSULTING,
            title=f"Pricing review {word}",
            description=f"Two weeks on our {word} subscription pricing",
            link=f"https://example.org/{word}",
            contact=f"lee.{word}@example.org",
            status=OpportunityStatus.CLOSED,
            slack_channel="CALUMNI",
            slack_ts=f"1700000001.{word}",
            updated_at=NOW,
        )
        ask = AlumniAsk(
            **std,
            asker_id=lee.id,
            question=f"Who knows {word} logistics?",
            slack_channel="CALUMNI",
            slack_ts=f"1700000002.{word}",
        )
        budget = NetworkingBudget(
            **std,
            person_id=dana.id,
            year=2025,
            amount_minor=100_000,
            self_approval_limit_minor=25_000,
            currency="EUR",
        )
        session.add_all([review, offboarding, opportunity, ask, budget])
        session.flush()
        expense = Expense(
            **std,
            person_id=dana.id,
            budget_id=budget.id,
            amount_minor=4_200,
            currency="EUR",
            description=f"Meetup {word} tickets",
            event_date=START,
            status=ExpenseStatus.DECLINED,
            approver_id=lee.id,
            decline_reason=f"Not {word} this quarter",
            updated_at=NOW,
        )
        session.add(expense)
        session.flush()
        rows: list[Base] = [
            workspace,
            dana,
            lee,
            tour,
            review,
            offboarding,
            opportunity,
            ask,
            budget,
            expense,
            TourVersion(
                **std,
                tour_id=tour.id,
                version_no=1,
                proposed_by_id=lee.id,
                source=VersionSource.FORM,
                tour_type=TourType.TRANSFORMATIONAL,
                start_date=START,
                end_date=END,
                cadence_weeks=4,
                objective=f"Take {word} checkout from 3 steps to 1",
                success_company=f"Conversion up for {word}",
                success_employee=f"Lead the {word} team",
                employee_success={"skills": f"{word} negotiation"},
            ),
            ValueStatement(
                **std,
                person_id=dana.id,
                aspirations=[f"{word} founder"],
                core_values=[f"{word} candor"],
                note_for_manager=f"Ask me about {word}",
                completed_at=NOW,
                updated_at=NOW,
            ),
            ValueShare(**std, owner_id=dana.id, viewer_id=lee.id, shared_at=NOW),
            Conversation(
                **std,
                person_id=dana.id,
                flow=FlowName.VALUES,
                state="done",
                answers={"aspirations": f"{word} founder"},
                context={},
                started_at=NOW,
                updated_at=NOW,
            ),
            ReviewResponse(
                **std,
                review_id=review.id,
                side=Side.EMPLOYEE,
                respondent_id=dana.id,
                progress=Progress.AT_RISK,
                alignment=3,
                to_address=f"Quarterly {word} planning eats my Fridays",
                learned=f"A {word} tip from a former colleague",
                updated_at=NOW,
            ),
            Gap(
                **std,
                tour_id=tour.id,
                kind=GapKind.NAMED,
                label=f"{word} Fridays",
                raised_in_review_id=review.id,
                raised_at=NOW,
            ),
            AwayPeriod(**std, person_id=dana.id, starts_on=START, ends_on=START),
            AlumniProfile(
                **std,
                person_id=dana.id,
                offboarding_id=offboarding.id,
                joined_at=NOW,
                listed=True,
                current_role=f"CTO at {word}",
                expertise=f"{word} payments",
                directory_line=f"Rebuilt the {word} checkout",
                updated_at=NOW,
            ),
            OpportunityInterest(**std, opportunity_id=opportunity.id, person_id=dana.id),
            NewsItem(
                **std,
                author_id=lee.id,
                text=f"We opened a {word} office",
                digest_period="2026-02",
                included_at=NOW,
            ),
            AlumniAskAnswer(
                **std,
                ask_id=ask.id,
                answerer_slack_id=f"W{word}",
                answerer_id=dana.id,
                text=f"Ask {word} freight",
                slack_ts=f"1700000003.{word}",
            ),
            Learning(
                **std,
                person_id=dana.id,
                text=f"Annual plans halve churn at {word}",
                source=f"A founder at {word}",
                link=f"https://example.org/{word}/churn",
                expense_id=expense.id,
                slack_channel="CLEARN",
                slack_ts=f"1700000004.{word}",
                posted_at=NOW,
            ),
            GuidelineAck(**std, person_id=dana.id, guideline_hash="0" * 64, acknowledged_at=NOW),
            LeadershipDigest(
                **std,
                period_key="2026-W10",
                period_start=START,
                period_end=START,
                figures={"active_tours": {"value": 7, "by": {}}},
                min_group_size=5,
                generated_at=NOW,
            ),
            Outbox(
                **std,
                purpose="review_prompt",
                subject=f"review_response:{word}",
                occurrence="1",
                recipient_id=dana.id,
                target=f"U{word}0",
                payload={},
                status=OutboxStatus.CANCELLED,
                updated_at=NOW,
            ),
            AuditEntry(team_id=team, actor=f"U{word}1", action="test", detail={}, at=NOW),
            ProcessedEvent(event_id=f"Ev{word}", team_id=team, event_type="test", received_at=NOW),
            ReportingLine(
                team_id=team,
                person_id=dana.id,
                email=f"dana.{word}@example.com",
                manager_id=lee.id,
                department="Engineering",
                title=f"Engineer {word}",
                location=f"Lisbon {word}",
                start_date=START,
                valid_from=NOW,
            ),
            campaign,
            RolloutAside(
                team_id=team,
                campaign_id=campaign.id,
                person_id=dana.id,
                reason=AsideReason.ON_LEAVE,
                set_by_id=lee.id,
                set_at=NOW,
            ),
            Inbox(
                team_id=team,
                user_id=dana.user_id,
                kind="command expense",
                body={"text": f"expense 7 {word}"},
                claimed_by="host:1:x",
                received_at=NOW,
            ),
        ]
        session.add_all(rows)
    return Seeded(team, word, rows, tour)


@pytest.fixture(scope="module")
def seeded(migrated_database: Database) -> Seeded:
    return seed_every_table(migrated_database)


def export(url: str, path: Path, *options: str) -> subprocess.CompletedProcess[str]:
    """`alliance export PATH [options]` on the database at `url`."""
    return run_cli("export", str(path), *options, env=bare_env(DATABASE_URL=url), cwd=path.parent)


@pytest.fixture(scope="module")
def plain_run(
    database_url: str, seeded: Seeded, tmp_path_factory: pytest.TempPathFactory
) -> tuple[subprocess.CompletedProcess[str], Path]:
    path = tmp_path_factory.mktemp("export") / "analytics.db"
    return export(database_url, path), path


@pytest.fixture(scope="module")
def plain(plain_run: tuple[subprocess.CompletedProcess[str], Path]) -> SQLiteFile:
    """The export with its defaults."""
    result, path = plain_run
    assert result.returncode == 0, result.stderr
    return SQLiteFile(path)


@pytest.fixture(scope="module")
def with_text(
    database_url: str, seeded: Seeded, tmp_path_factory: pytest.TempPathFactory
) -> SQLiteFile:
    path = tmp_path_factory.mktemp("export") / "analytics.db"
    result = export(database_url, path, "--include-text")
    assert result.returncode == 0, result.stderr
    return SQLiteFile(path)


def every_value(output: SQLiteFile) -> list[str]:
    """Every value of every row of every table in the file, full-text indexes included."""
    return [
        str(value)
        for name in output.table_names()
        for row in output.execute(f"SELECT * FROM [{name}]").fetchall()
        for value in row
        if value is not None
    ]


def seeded_row(output: SQLiteFile, table: str, seeded: Seeded) -> dict[str, Any]:
    [row] = output.table(table).rows_where("team_id = ?", [seeded.team_id])
    return row


def test_the_seeding_covers_every_table(seeded: Seeded) -> None:
    tables = {row.__table__.name for row in seeded.rows}
    assert tables == {table.name for table in Base.metadata.sorted_tables}


def test_every_table_is_exported_but_the_private_ones(plain: SQLiteFile) -> None:
    live = {table.name for table in Base.metadata.sorted_tables}
    assert set(plain.table_names()) == (live - NEVER_EXPORTED) | {DEPARTMENTS}


def test_departments_are_a_dimension_to_join_the_reporting_lines_on(
    plain: SQLiteFile, seeded: Seeded
) -> None:
    [department] = plain.table(DEPARTMENTS).rows_where("team_id = ?", [seeded.team_id])
    assert department == {
        "team_id": seeded.team_id,
        "name": "Engineering",
        "people": 1,
        "managers": 1,
    }
    [joined] = plain.query(
        "select d.people from reporting_lines r join departments d "
        "on d.team_id = r.team_id and d.name = r.department where r.team_id = ?",
        [seeded.team_id],
    )
    assert joined == {"people": 1}


def test_no_personal_column_and_no_personal_value_by_default(
    plain: SQLiteFile, seeded: Seeded
) -> None:
    for table in Base.metadata.sorted_tables:
        if table.name in NEVER_EXPORTED:
            continue
        unmarked = {column.name for column in table.columns if privacy_of(column) is None}
        assert set(plain.table(table.name).columns_dict) == unmarked, table.name
    values = every_value(plain)
    for personal in seeded.personal_values(Privacy.TEXT, Privacy.IDENTIFIER):
        assert not [value for value in values if personal in value], personal
    assert not [value for value in values if seeded.word in value]


def test_people_are_ids_that_rows_join_on(plain: SQLiteFile, seeded: Seeded) -> None:
    assert set(plain.table("people").columns_dict) == {
        "id",
        "team_id",
        "is_bot",
        "deleted",
        "first_seen_at",
        "profile_refreshed_at",
        "forgotten_at",
    }
    [(employee, manager)] = plain.execute(
        "SELECT e.id, m.id FROM tours JOIN people e ON e.id = tours.employee_id "
        "JOIN people m ON m.id = tours.manager_id WHERE tours.id = ?",
        [seeded.tour.id],
    ).fetchall()
    assert (employee, manager) == (seeded.tour.employee_id, seeded.tour.manager_id)


def test_values_are_plain_sqlite_values(plain: SQLiteFile, seeded: Seeded) -> None:
    tour = seeded_row(plain, "tours", seeded)
    assert tour["status"] == "ended" and tour["tour_type"] == "transformational"
    assert tour["start_date"] == "2025-01-06" and tour["created_at"] == "2026-03-02T09:30:00+00:00"
    assert tour["agreed_at"] is None and tour["cadence_weeks"] == 4
    workspace = plain.table("workspaces").get(seeded.team_id)
    assert workspace["company_values"] == '["Candor"]' and workspace["settings"] == "{}"
    assert seeded_row(plain, "offboardings", seeded)["good_standing"] == 1
    assert seeded_row(plain, "expenses", seeded)["amount_minor"] == 4_200
    assert plain.table("tours").columns_dict["cadence_weeks"] is int


def test_foreign_keys_and_indexes_are_those_of_the_live_database(plain: SQLiteFile) -> None:
    keys = {
        (key.column, key.other_table, key.other_column)
        for key in plain.table("expenses").foreign_keys
    }
    assert keys == {
        ("person_id", "people", "id"),
        ("budget_id", "networking_budgets", "id"),
        ("approver_id", "people", "id"),
    }
    assert ("previous_tour_id", "tours", "id") in {
        (key.column, key.other_table, key.other_column) for key in plain.table("tours").foreign_keys
    }
    tour_indexes = {tuple(index.columns) for index in plain.table("tours").indexes}
    assert {("status", "next_review_on"), ("team_id", "employee_id", "status")} <= tour_indexes
    assert ("employee_id",) in tour_indexes  # every foreign key column leads an index
    learning_indexes = {tuple(index.columns) for index in plain.table("learnings").indexes}
    assert ("team_id", "person_id", "created_at") in learning_indexes
    # people's UQ (team_id, user_id) holds a Slack id, which is not exported
    assert not [index for index in plain.table("people").indexes if "user_id" in index.columns]


def test_without_text_there_is_nothing_to_search(plain: SQLiteFile) -> None:
    assert plain.table("learnings").detect_fts() is None
    assert plain.table("opportunities").detect_fts() is None
    assert not [name for name in plain.table_names() if name.endswith("_fts")]


def test_progress_goes_to_stderr_and_the_summary_to_stdout(
    plain_run: tuple[subprocess.CompletedProcess[str], Path], plain: SQLiteFile
) -> None:
    result, path = plain_run
    lines = result.stderr.splitlines()
    for name in plain.table_names():
        count = plain.table(name).count
        assert f"{name}: {count:,} of {count:,} rows" in lines
    assert f"Wrote {path}: {len(plain.table_names())} tables," in result.stdout
    assert "--include-text adds it" in result.stdout


def test_include_text_adds_free_text_and_never_an_identifier(
    with_text: SQLiteFile, seeded: Seeded
) -> None:
    for table in Base.metadata.sorted_tables:
        if table.name in NEVER_EXPORTED:
            continue
        public = {
            column.name for column in table.columns if privacy_of(column) != Privacy.IDENTIFIER
        }
        assert set(with_text.table(table.name).columns_dict) == public, table.name
    learning = seeded_row(with_text, "learnings", seeded)
    assert learning["text"] == f"Annual plans halve churn at {seeded.word}"
    version = seeded_row(with_text, "tour_versions", seeded)
    assert version["employee_success"] == f'{{"skills": "{seeded.word} negotiation"}}'
    values = every_value(with_text)
    hidden = seeded.personal_values(Privacy.IDENTIFIER)
    hidden += seeded.personal_values(Privacy.TEXT, tables=NEVER_EXPORTED)
    for personal in hidden:
        assert not [value for value in values if personal in value], personal


def test_full_text_search_finds_learnings_and_opportunities(
    with_text: SQLiteFile, seeded: Seeded
) -> None:
    [learning] = with_text.table("learnings").search(f"churn {seeded.word}")
    assert learning["text"] == f"Annual plans halve churn at {seeded.word}"
    [by_source] = with_text.table("learnings").search(f"founder {seeded.word}")
    assert by_source["id"] == learning["id"]
    [opportunity] = with_text.table("opportunities").search(f"subscription {seeded.word}")
    assert opportunity["title"] == f"Pricing review {seeded.word}"
    assert not list(with_text.table("learnings").search(f"pricing {seeded.word}"))


def test_an_existing_file_is_replaced_only_with_force(
    database_url: str, seeded: Seeded, tmp_path: Path
) -> None:
    path = tmp_path / "analytics.db"
    path.write_text("someone's notes")
    refused = export(database_url, path)
    assert refused.returncode == 2
    assert f"{path} already exists: add --force to replace it." in refused.stderr
    assert path.read_text() == "someone's notes"
    assert sorted(tmp_path.iterdir()) == [path]

    replaced = export(database_url, path, "--force")
    assert replaced.returncode == 0, replaced.stderr
    assert "people" in SQLiteFile(path).table_names()
    assert sorted(tmp_path.iterdir()) == [path]  # no partial file left beside it


def test_a_large_table_reports_progress_every_batch(
    migrated_database: Database, seeded: Seeded, tmp_path: Path
) -> None:
    reported: list[tuple[str, int, int]] = []
    export_analytics(
        migrated_database,
        tmp_path / "analytics.db",
        include_text=False,
        replace=False,
        progress=lambda *step: reported.append(step),
        batch_rows=2,
    )
    people = [(written, total) for table, written, total in reported if table == "people"]
    total = people[-1][1]
    assert total >= 2 and people == [(min(n, total), total) for n in range(2, total + 2, 2)]


def test_an_unmigrated_database_is_refused(tmp_path: Path) -> None:
    refused = export(f"sqlite:///{tmp_path / 'empty.db'}", tmp_path / "analytics.db")
    assert refused.returncode == 2
    assert "run `alliance db upgrade` first" in refused.stderr
    assert not (tmp_path / "analytics.db").exists()


def test_the_help_says_what_is_in_the_export(tmp_path: Path) -> None:
    shown = run_cli("export", "--help", env=bare_env(), cwd=tmp_path).stdout
    for words in ("--include-text", "--force", "Datasette", "People appear by id only"):
        assert words in shown
