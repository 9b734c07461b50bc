"""Export and forget, end to end on a bot and a database of their own, so that "nothing about
them remains" can be checked by scanning every row of every table."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from db.engine import Database
from db.models import Base, Person, Tour
from domain.reviews import Progress
from handlers.ids import ACTION_PRIVACY_FORGET
from services.reviews import record_answer, start_checkin
from tests.alumni_steps import LINE, alum
from tests.botprocess import ALUMNI_CHANNEL, SIGNING_SECRET, BotProcess, bot_environment
from tests.fakeslack import FakeSlack
from tests.helpers import EphemeralMessage, answer_with, eventually, new_user_id, wait_until
from tests.review_steps import HOURS
from tests.slack_requests import SlackSender as SignedRequests
from tests.tour_steps import press

OBJECTIVE = "Take checkout from 3 steps to 1"  # the tour form's mission
TO_ADDRESS = "Quarterly planning eats my Fridays"
EMAIL = "dana.private@example.org"


@pytest.fixture
def own_bot(session_fake_slack: FakeSlack, tmp_path: Path) -> Iterator[tuple[Any, Database]]:
    url = f"sqlite:///{tmp_path / 'privacy.db'}"
    env = bot_environment(
        session_fake_slack.url,
        url,
        ALLIANCE_ADMINS="UADMIN1",
        ALLIANCE_ALUMNI_CHANNEL=ALUMNI_CHANNEL,
    )
    bot = BotProcess(env, tmp_path / "bot.log").start()
    database = Database(url)
    yield bot, database
    bot.stop()
    database.dispose()


def every_value(database: Database) -> list[str]:
    """Every value of every column of every row of every table, as text."""
    found: list[str] = []
    with database.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            for row in connection.execute(text(f'SELECT * FROM "{table.name}"')):
                found += [str(value) for value in row if value is not None]
    return found


def dana_with_history(slack: SignedRequests, fake: FakeSlack, database: Database) -> Any:
    """Dana: a tour, a review answer, a departure, the alumni network, a question asked."""
    agreed = alum(slack, fake, database, email=EMAIL)
    start_checkin(database, team_id="T0001", user_id=agreed.pair.employee, now=datetime.now(UTC))
    with database.read() as session:
        response_id = session.scalar(
            text("SELECT id FROM review_responses WHERE side = 'employee' ORDER BY id DESC")
        )
    record_answer(
        database,
        response_id=int(response_id),
        by_user_id=agreed.pair.employee,
        now=datetime.now(UTC),
        hours=HOURS,
        progress=Progress.AT_RISK,
        alignment=3,
        to_address=TO_ADDRESS,
    )
    return agreed


def test_export_sends_every_record_as_json(
    own_bot: tuple[Any, Database], fake_slack: FakeSlack
) -> None:
    bot, database = own_bot
    with SignedRequests(
        bot.url, SIGNING_SECRET, response_url_base=fake_slack.response_url_base
    ) as slack:
        agreed = dana_with_history(slack, fake_slack, database)
        reply = slack.slash_command("export", user_id=agreed.pair.employee).json()["text"]
        assert "it arrives as a file in our DM" in reply
        [complete] = wait_until(
            fake_slack,
            "files.completeUploadExternal",
            lambda c: "Everything Alliance holds about you" in str(c.args),
        )
    [upload] = [c for c in fake_slack.calls("file_upload") if b'"exported_at"' in c.body][-1:]
    records = json.loads(upload.body)
    assert records["person"]["user_id"] == agreed.pair.employee
    assert [tour["id"] for tour in records["tours"]] == [agreed.tour_id]
    assert OBJECTIVE in records["tour_versions"][0]["objective"]
    assert any(r["to_address"] == TO_ADDRESS for r in records["review_responses"])
    assert records["offboardings"][0]["personal_email"] == EMAIL
    assert records["alumni_profiles"][0]["directory_line"] == LINE
    assert complete.args["channel_id"] == fake_slack.dm_channel(agreed.pair.employee)


def test_forget_leaves_nothing_personal_anywhere_and_keeps_the_counts(
    own_bot: tuple[Any, Database], fake_slack: FakeSlack
) -> None:
    bot, database = own_bot
    with SignedRequests(
        bot.url, SIGNING_SECRET, response_url_base=fake_slack.response_url_base
    ) as slack:
        agreed = dana_with_history(slack, fake_slack, database)
        colleague = new_user_id()
        fake_slack.add_user(colleague, name="ari", real_name="Ari Cohen")
        slack.slash_command("ask Has anyone kept in touch with Dana Okafor?", user_id=colleague)
        asked = "kept in touch with Dana Okafor"
        assert eventually(lambda: any(asked in value for value in every_value(database)))
        before = every_value(database)
        for seeded in (OBJECTIVE, TO_ADDRESS, EMAIL, LINE, "Dana Okafor", agreed.pair.employee):
            assert any(seeded in value for value in before), seeded

        confirm = slack.slash_command("forget", user_id=agreed.pair.employee).json()
        assert "It cannot be undone." in confirm["text"]
        press(
            slack,
            EphemeralMessage.of(confirm["text"], confirm["blocks"], agreed.pair.employee),
            ACTION_PRIVACY_FORGET,
            agreed.pair.employee,
        )
        answer_with(fake_slack, "I've forgotten you")

    after = every_value(database)
    for seeded in (OBJECTIVE, TO_ADDRESS, EMAIL, LINE, "Dana Okafor", agreed.pair.employee):
        assert not any(seeded in value for value in after), f"{seeded!r} is still stored"
    assert any("Has anyone kept in touch with a former colleague?" in v for v in after)
    with database.read() as session:
        tours = session.scalars(select(Tour)).unique().all()
        forgotten = session.scalars(select(Person).where(Person.forgotten_at.is_not(None))).one()
    assert len(tours) == 1 and tours[0].status in ("active", "ended")  # the count survives
    assert forgotten.user_id.startswith("forgotten:") and forgotten.real_name == ""


def test_only_admins_may_forget_someone_else(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    someone, other = new_user_id(), new_user_id()
    for user in (someone, other):
        fake_slack.add_user(user, name="x")
    reply = slack.slash_command(f"forget <@{other}|x>", user_id=someone).json()["text"]
    assert "Only Alliance admins can ask me to forget someone else" in reply
    fake_slack.add_user("UADMIN1", name="hr")
    on_request = slack.slash_command(f"forget <@{other}|x>", user_id="UADMIN1").json()
    assert f"Forget <@{other}>, at their request?" in on_request["text"]
    assert "Forget them" in json.dumps(on_request["blocks"])
