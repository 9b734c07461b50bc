"""The scheduler's jobs, with time under the test's control."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from slack_sdk import WebClient
from sqlalchemy import delete, select

from bot.sandbox.fake_slack import FakeSlack
from db.engine import Database
from db.models import Outbox, ProcessedEvent
from domain.delivery import OutboxStatus
from handlers.delivery import RENDERERS, SlackSender
from scheduler.jobs import JOBS, forget_old_event_ids, run_due_work
from scheduler.runner import build_scheduler
from services.deps import Deps
from services.events import PROCESSED_EVENT_RETENTION, claim_event

NOW = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # the night European clocks go forward


def test_claiming_an_event_twice_succeeds_once(migrated_database: Database) -> None:
    claims = []
    for _ in range(2):
        with migrated_database.session() as session:
            claims.append(
                claim_event(
                    session, event_id="EvTWICE", team_id="T1", event_type="app_home_opened", now=NOW
                )
            )
    assert claims == [True, False]


def test_tick_forgets_event_ids_past_retention_only(migrated_database: Database) -> None:
    with migrated_database.session() as session:
        session.execute(delete(ProcessedEvent))
    old = NOW - PROCESSED_EVENT_RETENTION - timedelta(seconds=1)
    recent = NOW - PROCESSED_EVENT_RETENTION + timedelta(seconds=1)
    for event_id, at in (("EvOLD", old), ("EvRECENT", recent)):
        with migrated_database.session() as session:
            claim_event(session, event_id=event_id, team_id="T1", event_type="x", now=at)

    forget_old_event_ids(Deps(database=migrated_database, clock=lambda: NOW), NOW)

    with migrated_database.session() as session:
        assert session.scalars(select(ProcessedEvent.event_id)).all() == ["EvRECENT"]


def test_scheduler_has_one_job_per_id_that_never_overlaps(migrated_database: Database) -> None:
    deps = Deps(
        database=migrated_database, clock=lambda: NOW, delivery_interval=timedelta(seconds=3)
    )
    scheduler = build_scheduler(deps)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {job.id for job in JOBS}
    for job in jobs.values():
        assert job.coalesce is True and job.max_instances == 1
        # The first pass runs at once; APScheduler paces passes in real time, whatever the
        # bot's clock says.
        assert abs(job.next_run_time - datetime.now(UTC)) < timedelta(seconds=5)
    assert jobs["deliver-outbox"].trigger.interval == timedelta(seconds=3)


def test_idle_conversations_expire_after_a_week_with_a_note_sent_once(
    migrated_database: Database, fake_slack: FakeSlack
) -> None:
    from db.models import Person
    from domain.conversations import EXPIRED_NOTE, FlowName
    from services.conversations import start_conversation

    # Far beyond the real clock, so the shared test bot's own jobs never expire it first.
    started = datetime(2041, 3, 30, 0, 30, tzinfo=UTC)
    with migrated_database.session() as session:
        person = Person(
            team_id="T1",
            user_id="UIDLE1",
            name="idle",
            real_name="",
            tz=None,
            is_bot=False,
            deleted=False,
            first_seen_at=started,
            profile_refreshed_at=started,
        )
        session.add(person)
        session.flush()
        person_id = person.id
    start_conversation(
        migrated_database, person_id=person_id, team_id="T1", flow=FlowName.VALUES, now=started
    )
    now = started
    client = WebClient(base_url=fake_slack.url, retry_handlers=[])
    deps = Deps(
        database=migrated_database,
        clock=lambda: now,
        outbox_sender=SlackSender(client, RENDERERS),
    )

    def notes() -> list[str]:
        return [
            call.args["text"]
            for call in fake_slack.calls("chat.postMessage")
            if call.args["channel"] == "UIDLE1"
        ]

    now = started + timedelta(days=6, hours=23)
    run_due_work(deps)
    assert notes() == []
    now = started + timedelta(days=7)
    run_due_work(deps)
    assert notes() == [EXPIRED_NOTE]
    with migrated_database.read() as session:
        row = session.scalars(select(Outbox).where(Outbox.recipient_id == person_id)).one()
    assert (row.purpose, row.subject) == (
        "conversation_expired",
        f"conversation:{row.payload['conversation_id']}",
    )
    assert (row.status, row.occurrence) == (OutboxStatus.SENT, "2041-04-06T00:30:00+00:00")
    now = started + timedelta(days=8)
    run_due_work(deps)
    assert notes() == [EXPIRED_NOTE]
