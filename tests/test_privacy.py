"""Export and forget, end to end on a bot and a database of their own, so that "nothing about
them remains" can be checked by scanning every row of every table; and forget's rules on a row
of every table, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text, update

from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.signed_requests import SignedRequests
from db.engine import Database
from db.models import (
    AlumniAsk,
    AlumniAskAnswer,
    Base,
    Expense,
    NewsItem,
    Opportunity,
    Outbox,
    Person,
    Tour,
    TourVersion,
    ValueStatement,
)
from db.privacy import Privacy
from domain.alumni import OpportunityKind, OpportunityStatus
from domain.delivery import OutboxStatus
from domain.reviews import Progress
from handlers.ids import ACTION_PRIVACY_FORGET
from services.alumni_asks import record_answer_in_thread
from services.opportunities import (
    CLOSED,
    INTEREST,
    POST,
    SUMMARY,
    close_due,
    get_opportunity,
    plan_posts,
    record_interest,
)
from services.privacy import DELETED_WITH_THEM, FORMER, forget_person
from services.reviews import record_answer, start_checkin
from tests import clock
from tests.alumni_steps import LINE, alum
from tests.botprocess import ALUMNI_CHANNEL, SIGNING_SECRET, BotProcess, bot_environment
from tests.helpers import EphemeralMessage, answer_with, eventually, new_user_id, wait_until
from tests.review_steps import HOURS
from tests.test_analytics_export import NOW, START, Seeded, seed_every_table
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
    start_checkin(database, team_id="T0001", user_id=agreed.pair.employee, now=clock.now())
    with database.read() as session:
        response_id = session.scalar(
            text("SELECT id FROM review_responses WHERE side = 'employee' ORDER BY id DESC")
        )
    record_answer(
        database,
        response_id=int(response_id),
        by_user_id=agreed.pair.employee,
        now=clock.now(),
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


# --- forget's rules, on a row of every table ---------------------------------------------------


def team_rows(database: Database, team_id: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the workspace, by table."""
    with database.engine.connect() as connection:
        return {
            table.name: [
                tuple(row)
                for row in connection.execute(select(table).where(table.c.team_id == team_id))
            ]
            for table in Base.metadata.sorted_tables
            if "team_id" in table.c
        }


def team_values(database: Database, team_id: str) -> list[str]:
    return [
        str(value)
        for rows in team_rows(database, team_id).values()
        for row in rows
        for value in row
        if value is not None
    ]


def dana_and_lee(seeded: Seeded) -> tuple[Person, Person]:
    """The seeded employee and her manager."""
    dana, lee = (row for row in seeded.rows if isinstance(row, Person))
    return dana, lee


def forget(database: Database, seeded: Seeded, person: Person) -> None:
    forget_person(
        database,
        team_id=seeded.team_id,
        user_id=person.user_id,
        by_user_id=person.user_id,
        now=NOW,
    )


def test_forgetting_both_parties_erases_every_marked_value_and_keeps_the_rows(
    own_database: Database,
) -> None:
    seeded = seed_every_table(own_database)
    counts = {table: len(rows) for table, rows in team_rows(own_database, seeded.team_id).items()}
    dana, lee = dana_and_lee(seeded)
    for person in (lee, dana):
        forget(own_database, seeded, person)

    after = team_values(own_database, seeded.team_id)
    personal = seeded.personal_values(Privacy.TEXT, Privacy.IDENTIFIER)
    assert any(f"1700000002.{seeded.word}" == value for value in personal)  # an ask's ts
    assert [value for value in personal if any(value in found for found in after)] == []
    deleted = {model.__tablename__ for model in DELETED_WITH_THEM}
    kept = {table: len(rows) for table, rows in team_rows(own_database, seeded.team_id).items()}
    assert kept == {
        table: 0 if table in deleted else count + 2 if table == "audit_log" else count
        for table, count in counts.items()
    }


def test_a_forgotten_manager_leaves_the_employees_words_but_not_their_own_name_in_them(
    migrated_database: Database,
) -> None:
    seeded = seed_every_table(migrated_database)
    dana, lee = dana_and_lee(seeded)
    word, renee = seeded.word, f"Renée {seeded.word}"  # escaped in JSON as Ren\u00e9e
    with migrated_database.session() as session:
        session.execute(update(Person).where(Person.id == lee.id).values(real_name=renee))
        session.execute(
            update(TourVersion)
            .where(TourVersion.tour_id == seeded.tour.id)
            .values(employee_success={"recognition": [f"Thanks from {renee}"]})
        )
        session.execute(
            update(ValueStatement)
            .where(ValueStatement.person_id == dana.id)
            .values(aspirations=[f"Lead like {renee}"])
        )

    forget(migrated_database, seeded, lee)

    with migrated_database.read() as session:
        version = session.scalars(
            select(TourVersion).where(TourVersion.tour_id == seeded.tour.id)
        ).one()
        statement = session.scalars(
            select(ValueStatement).where(ValueStatement.person_id == dana.id)
        ).one()
        expense = session.scalars(select(Expense).where(Expense.team_id == seeded.team_id)).one()
        answer = session.scalars(
            select(AlumniAskAnswer).where(AlumniAskAnswer.team_id == seeded.team_id)
        ).one()
        ask = session.scalars(select(AlumniAsk).where(AlumniAsk.team_id == seeded.team_id)).one()
        opportunity = session.scalars(
            select(Opportunity).where(Opportunity.team_id == seeded.team_id)
        ).one()
        news = session.scalars(select(NewsItem).where(NewsItem.team_id == seeded.team_id)).one()
    # The employee's statement, request and answer stay hers; only the manager's name goes.
    assert version.objective == f"Take {word} checkout from 3 steps to 1"
    assert version.employee_success == {"recognition": [f"Thanks from {FORMER}"]}
    assert statement.aspirations == [f"Lead like {FORMER}"]
    assert (expense.description, expense.decline_reason) == (
        f"Meetup {word} tickets",
        f"Not {word} this quarter",
    )
    assert (answer.text, answer.slack_ts) == (f"Ask {word} freight", f"1700000003.{word}")
    # What the manager wrote, and the links to their posts, are gone.
    assert (ask.question, ask.slack_ts) == (None, None)
    assert (opportunity.title, opportunity.contact, opportunity.slack_ts) == (None, None, None)
    assert news.text is None


def test_a_forgotten_answerers_replies_keep_their_place_in_the_thread(
    migrated_database: Database,
) -> None:
    seeded = seed_every_table(migrated_database)
    dana, _ = dana_and_lee(seeded)
    forget(migrated_database, seeded, dana)
    with migrated_database.read() as session:
        answer = session.scalars(
            select(AlumniAskAnswer).where(AlumniAskAnswer.team_id == seeded.team_id)
        ).one()
    assert (answer.answerer_slack_id, answer.text) == ("forgotten", None)
    assert answer.slack_ts == f"forgotten:{answer.id}"  # unique in the ask, as the ts was


def test_a_reply_in_the_thread_of_a_forgotten_askers_question_is_ignored(
    own_database: Database,
) -> None:
    seeded = seed_every_table(own_database)
    dana, lee = dana_and_lee(seeded)
    thread = f"1700000002.{seeded.word}"  # the seeded question's post

    def reply(ts: str) -> bool:
        return record_answer_in_thread(
            own_database,
            team_id=seeded.team_id,
            channel="CALUMNI",
            thread_ts=thread,
            answerer_slack_id=dana.user_id,
            text=f"Ask {dana.real_name}",
            ts=ts,
            now=NOW,
            hours=HOURS,
        )

    assert reply(f"1700000005.{seeded.word}")
    forget(own_database, seeded, lee)
    assert not reply(f"1700000006.{seeded.word}")
    with own_database.read() as session:
        answers = session.scalars(
            select(AlumniAskAnswer.slack_ts).where(AlumniAskAnswer.team_id == seeded.team_id)
        ).all()
    assert sorted(answers) == [f"1700000003.{seeded.word}", f"1700000005.{seeded.word}"]


def posted_opportunity(database: Database, seeded: Seeded) -> int:
    """The manager's opportunity, posted to the alumni channel and due to close."""
    _, lee = dana_and_lee(seeded)
    with database.session() as session:
        opportunity = Opportunity(
            team_id=seeded.team_id,
            created_at=NOW,
            posted_by_id=lee.id,
            kind=OpportunityKind.EVENT,
            title=f"Alumni evening {seeded.word}",
            closes_on=START,
            status=OpportunityStatus.POSTED,
            slack_channel="CALUMNI",
            posted_at=NOW,
            updated_at=NOW,
        )
        session.add(opportunity)
        session.flush()
        session.add(
            Outbox(
                team_id=seeded.team_id,
                created_at=NOW,
                purpose=POST,
                subject=f"opportunity:{opportunity.id}",
                occurrence="post",
                target="CALUMNI",
                payload={"opportunity_id": opportunity.id},
                status=OutboxStatus.SENT,
                sent_at=NOW,
                slack_channel="CALUMNI",
                slack_ts=f"1700000007.{seeded.word}",
                updated_at=NOW,
            )
        )
        return opportunity.id


def messages_about(database: Database, opportunity_id: int) -> dict[str, OutboxStatus]:
    with database.read() as session:
        rows = session.execute(
            select(Outbox.purpose, Outbox.status).where(
                Outbox.subject == f"opportunity:{opportunity_id}"
            )
        ).all()
    return {purpose: status for purpose, status in rows}


def test_a_forgotten_posters_opportunity_closes_without_rewriting_its_post(
    own_database: Database,
) -> None:
    seeded = seed_every_table(own_database)
    _, lee = dana_and_lee(seeded)
    opportunity_id = posted_opportunity(own_database, seeded)
    before = get_opportunity(own_database, opportunity_id)
    assert before is not None and before.post == ("CALUMNI", f"1700000007.{seeded.word}")

    forget(own_database, seeded, lee)
    assert close_due(own_database, now=NOW, hours=HOURS) == 1

    after = get_opportunity(own_database, opportunity_id)
    assert after is not None and after.post is None  # the outbox no longer leads to the post
    assert after.status is OpportunityStatus.CLOSED
    assert messages_about(own_database, opportunity_id) == {POST: OutboxStatus.SENT}


def test_a_closing_rewrite_planned_before_the_poster_is_forgotten_is_cancelled(
    own_database: Database,
) -> None:
    seeded = seed_every_table(own_database)
    _, lee = dana_and_lee(seeded)
    opportunity_id = posted_opportunity(own_database, seeded)
    assert close_due(own_database, now=NOW, hours=HOURS) == 1
    assert messages_about(own_database, opportunity_id) == {
        POST: OutboxStatus.SENT,
        CLOSED: OutboxStatus.PENDING,
        SUMMARY: OutboxStatus.PENDING,
    }

    forget(own_database, seeded, lee)

    assert messages_about(own_database, opportunity_id) == {
        POST: OutboxStatus.SENT,
        CLOSED: OutboxStatus.CANCELLED,
        SUMMARY: OutboxStatus.CANCELLED,
    }


def test_a_forgotten_posters_opportunities_not_yet_posted_are_withdrawn(
    own_database: Database,
) -> None:
    seeded = seed_every_table(own_database)
    _, lee = dana_and_lee(seeded)
    queued, planned = (queued_opportunity(own_database, seeded) for _ in range(2))
    plan_posts(own_database, channel="CALUMNI", now=NOW, hours=HOURS)  # both planned, not sent
    later = queued_opportunity(own_database, seeded)  # still queued

    forget(own_database, seeded, lee)

    for opportunity_id in (queued, planned, later):
        withdrawn = get_opportunity(own_database, opportunity_id)
        assert withdrawn is not None and withdrawn.status is OpportunityStatus.WITHDRAWN
    assert messages_about(own_database, planned) == {POST: OutboxStatus.CANCELLED}
    assert messages_about(own_database, later) == {}
    assert plan_posts(own_database, channel="CALUMNI", now=NOW, hours=HOURS) == 0


def queued_opportunity(database: Database, seeded: Seeded) -> int:
    """The manager's opportunity, waiting to be posted."""
    _, lee = dana_and_lee(seeded)
    with database.session() as session:
        opportunity = Opportunity(
            team_id=seeded.team_id,
            created_at=NOW,
            posted_by_id=lee.id,
            kind=OpportunityKind.EVENT,
            title=f"Meetup {seeded.word}",
            closes_on=START,
            status=OpportunityStatus.QUEUED,
            updated_at=NOW,
        )
        session.add(opportunity)
        session.flush()
        return opportunity.id


def test_interest_in_a_forgotten_posters_opportunity_is_kept_with_no_one_to_tell(
    own_database: Database,
) -> None:
    seeded = seed_every_table(own_database)
    dana, lee = dana_and_lee(seeded)
    opportunity_id = posted_opportunity(own_database, seeded)
    forget(own_database, seeded, lee)
    assert record_interest(
        own_database,
        team_id=seeded.team_id,
        opportunity_id=opportunity_id,
        user_id=dana.user_id,
        now=NOW,
        hours=HOURS,
    )
    with own_database.read() as session:
        notices = session.scalars(select(Outbox).where(Outbox.purpose == INTEREST)).all()
    assert all(notice.payload["opportunity_id"] != opportunity_id for notice in notices)
