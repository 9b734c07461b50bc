"""The leadership digest through Slack: weekly at its time through the outbox to each admin (or
the leadership channel) with its chart uploaded alongside, once; and `/alliance report` for
admins on request. Counts only, with each figure's change since the previous digest."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from functools import partial
from typing import Any

from sqlalchemy import func, select

from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.signed_requests import SignedRequests
from db.engine import Database
from db.models import LeadershipDigest, Outbox, Workspace
from domain.digest_schedule import DigestSchedule
from domain.tours import TourType
from handlers.delivery import upload_name
from handlers.leadership import renderers
from handlers.leadership_views import CHART_NAME
from scheduler.jobs import leadership_digest
from services.deps import Deps
from services.leadership import compute_figures, store_digest
from services.leadership_digest import DIGEST, stored_report
from tests.helpers import eventually, new_user_id, wait_until
from tests.leadership_seed import SECRET, Seed
from tests.review_steps import deliver
from tests.test_leadership_chart import png_size

MOMENT = datetime(2031, 3, 10, 9, tzinfo=UTC)  # a Monday, 09:00: the digest's time
MONDAYS_NINE = DigestSchedule(0, time(9))
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def workspace(database: Database, now: datetime) -> Seed:
    """A workspace of its own, with the bot's row for it, as meeting its first person makes."""
    seed = Seed(database, now)
    with database.session() as session:
        session.add(Workspace(team_id=seed.team_id, name="Acme", created_at=now))
    return seed


def run_job(database: Database, now: datetime, **settings: Any) -> None:
    """One pass of the scheduler's `leadership-digest` job at `now`."""
    deps = Deps(database=database, clock=lambda: now, digest_schedule=MONDAYS_NINE, **settings)
    leadership_digest(deps, now)


def planned_for(database: Database, team_id: str) -> list[Outbox]:
    with database.read() as session:
        return list(
            session.scalars(
                select(Outbox).where(Outbox.purpose == DIGEST, Outbox.team_id == team_id)
            )
        )


def shared_to(fake: FakeSlack, channel: str) -> Any:
    """The first file shared into `channel` with its comment, once it has been."""
    return wait_until(
        fake, "files.completeUploadExternal", lambda c: c.args.get("channel_id") == channel
    )[0]


def comment_of(fake: FakeSlack, row: Outbox) -> str:
    """The comment of the chart this outbox row shared, found by the file's name."""
    name = upload_name(row.id, CHART_NAME)

    def shared() -> str | None:
        channel = row.target if row.target.startswith("C") else fake.dm_channel(row.target)
        for message in fake.messages(channel):
            if any(file.get("name") == name for file in message.get("files") or []):
                return str(message["text"])
        return None

    text = eventually(shared)
    assert text is not None, f"nothing shared for outbox row {row.id}"
    return text


def test_each_admin_gets_the_weekly_digest_once_with_changes_and_the_chart(
    migrated_database: Database, fake_slack: FakeSlack
) -> None:
    seed = workspace(migrated_database, MOMENT)
    for _ in range(5):
        seed.tour()
        seed.tour(tour_type=TourType.TRANSFORMATIONAL)
    store_digest(  # last week's digest, with ten active tours
        migrated_database,
        compute_figures(migrated_database, team_id=seed.team_id, now=MOMENT - timedelta(days=7)),
    )
    seed.tour()  # one more since
    seed.learning(seed.person(), MOMENT - timedelta(days=1))
    admins = frozenset({new_user_id(), new_user_id()})

    run_job(migrated_database, MOMENT - timedelta(minutes=1), admins=admins)
    assert planned_for(migrated_database, seed.team_id) == []  # not yet its time
    for minutes in (1, 30, 60 * 23):  # the job passes again and again during the day
        run_job(migrated_database, MOMENT + timedelta(minutes=minutes), admins=admins)
    planned = planned_for(migrated_database, seed.team_id)
    assert sorted(row.target for row in planned) == sorted(admins)  # once each

    deliver(migrated_database, fake_slack, MOMENT + timedelta(minutes=2))
    for row in planned:
        comment = comment_of(fake_slack, row)
        assert "*The Alliance this week*: the week of 3 Mar to 9 Mar 2031" in comment
        assert "• Active: 11 (+1) — 6 rotational, 5 transformational" in comment
        assert "Changes are since the previous digest." in comment
        assert "fewer than 5 people is withheld" in comment
        assert SECRET not in comment  # no free text, ever
    uploads = [
        call.body for call in fake_slack.calls("file_upload") if call.body.startswith(PNG_SIGNATURE)
    ]
    assert len(uploads) >= len(admins)
    assert {png_size(png) for png in uploads} == {(1200, 675)}


def test_with_a_leadership_channel_it_is_posted_there_instead(
    migrated_database: Database, fake_slack: FakeSlack
) -> None:
    seed = workspace(migrated_database, MOMENT)
    seed.tour()
    channel = f"CLEAD{new_user_id()[-4:]}"
    run_job(
        migrated_database,
        MOMENT + timedelta(minutes=5),
        admins=frozenset({new_user_id()}),
        leadership_channel=channel,
    )
    [row] = planned_for(migrated_database, seed.team_id)
    assert row.target == channel
    deliver(migrated_database, fake_slack, MOMENT + timedelta(minutes=6))
    comment = comment_of(fake_slack, row)
    assert "• Active: withheld (fewer than 5)" in comment  # one tour: one person
    assert "This is the first digest" in comment


def test_a_digest_missed_by_more_than_a_day_is_not_sent_late(
    migrated_database: Database,
) -> None:
    seed = workspace(migrated_database, MOMENT)
    run_job(migrated_database, MOMENT + timedelta(days=1, minutes=1), admins=frozenset({"UA1"}))
    assert planned_for(migrated_database, seed.team_id) == []


def test_report_gives_an_admin_the_digest_as_of_now_and_no_one_else(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    someone = new_user_id()
    fake_slack.add_user(someone, name="curious")
    refused = slack.slash_command("report", user_id=someone).json()["text"]
    assert "The leadership report is for Alliance admins" in refused

    admin = "UADMIN1"  # ALLIANCE_ADMINS of the test bot
    fake_slack.add_user(admin, name="people-ops")
    kept_before = digests_kept(bot_database)
    answer = slack.slash_command("report", user_id=admin).json()["text"]
    assert "Putting the report together" in answer
    comment = shared_to(fake_slack, fake_slack.dm_channel(admin)).args["initial_comment"]
    assert "*The Alliance so far*" in comment and "*Alignment reviews*" in comment
    [chart] = [c for c in fake_slack.calls("file_upload") if c.body.startswith(PNG_SIGNATURE)]
    assert png_size(chart.body) == (1200, 675)
    assert digests_kept(bot_database) == kept_before  # on request, nothing is kept


def digests_kept(database: Database) -> int:
    with database.read() as session:
        return int(session.scalar(select(func.count()).select_from(LeadershipDigest)) or 0)


def test_each_copy_of_a_weeks_digest_is_drawn_once(migrated_database: Database) -> None:
    seed = workspace(migrated_database, MOMENT)
    seed.tour()
    digest_id = store_digest(
        migrated_database, compute_figures(migrated_database, team_id=seed.team_id, now=MOMENT)
    )
    render = renderers(partial(stored_report, migrated_database))[DIGEST]
    first = render({"digest_id": digest_id})
    assert first.upload is not None and first.upload.content.startswith(PNG_SIGNATURE)
    assert render({"digest_id": digest_id}) is first  # the second admin's copy: no redraw
