"""The scheduler's jobs, with time under the test's control."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select

from db.engine import Database
from db.models import ProcessedEvent
from scheduler.jobs import JOBS, run_due_work
from scheduler.runner import build_scheduler
from services.deps import Deps
from services.events import PROCESSED_EVENT_RETENTION, claim_event

NOW = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # the night European clocks go forward


def test_claiming_an_event_twice_succeeds_once(migrated_database: Database) -> None:
    claims = [
        claim_event(
            migrated_database,
            event_id="EvTWICE",
            team_id="T1",
            event_type="app_home_opened",
            now=NOW,
        )
        for _ in range(2)
    ]
    assert claims == [True, False]


def test_tick_forgets_event_ids_past_retention_only(migrated_database: Database) -> None:
    with migrated_database.session() as session:
        session.execute(delete(ProcessedEvent))
    old = NOW - PROCESSED_EVENT_RETENTION - timedelta(seconds=1)
    recent = NOW - PROCESSED_EVENT_RETENTION + timedelta(seconds=1)
    for event_id, at in (("EvOLD", old), ("EvRECENT", recent)):
        claim_event(migrated_database, event_id=event_id, team_id="T1", event_type="x", now=at)

    run_due_work(Deps(database=migrated_database, clock=lambda: NOW))

    with migrated_database.session() as session:
        assert session.scalars(select(ProcessedEvent.event_id)).all() == ["EvRECENT"]


def test_scheduler_has_one_job_per_id_that_never_overlaps(migrated_database: Database) -> None:
    scheduler = build_scheduler(Deps(database=migrated_database, clock=lambda: NOW))
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {job.id for job in JOBS}
    for job in jobs.values():
        assert job.coalesce is True and job.max_instances == 1
        assert job.next_run_time == NOW
