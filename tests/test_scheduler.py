"""The scheduler's jobs, with time under the test's control."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select

from db.engine import Database
from db.models import ProcessedEvent
from scheduler.jobs import JOBS, expire_idle_conversations, forget_old_event_ids
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

    forget_old_event_ids(Deps(database=migrated_database, clock=lambda: NOW), NOW)

    with migrated_database.session() as session:
        assert session.scalars(select(ProcessedEvent.event_id)).all() == ["EvRECENT"]


def test_scheduler_has_one_job_per_id_that_never_overlaps(migrated_database: Database) -> None:
    scheduler = build_scheduler(Deps(database=migrated_database, clock=lambda: NOW))
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {job.id for job in JOBS}
    for job in jobs.values():
        assert job.coalesce is True and job.max_instances == 1
        assert job.next_run_time == NOW


def test_idle_conversations_expire_after_a_week_with_a_note(migrated_database: Database) -> None:
    from db.models import Person
    from domain.conversations import EXPIRED_NOTE, FlowName
    from services.conversations import start_conversation

    with migrated_database.session() as session:
        person = Person(
            team_id="T1",
            user_id="UIDLE1",
            name="idle",
            real_name="",
            tz=None,
            is_bot=False,
            deleted=False,
            first_seen_at=NOW,
            profile_refreshed_at=NOW,
        )
        session.add(person)
        session.flush()
        person_id = person.id
    start_conversation(
        migrated_database, person_id=person_id, team_id="T1", flow=FlowName.VALUES, now=NOW
    )
    sent: list[tuple[str, str]] = []
    deps = Deps(database=migrated_database, send_dm=lambda user, text: sent.append((user, text)))

    expire_idle_conversations(deps, NOW + timedelta(days=6, hours=23))
    assert sent == []
    expire_idle_conversations(deps, NOW + timedelta(days=7))
    assert sent == [("UIDLE1", EXPIRED_NOTE)]
    expire_idle_conversations(deps, NOW + timedelta(days=8))
    assert len(sent) == 1
