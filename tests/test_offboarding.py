"""Leaving in good standing, end to end: the departure recorded with `/alliance offboard`, the
thank-you and invitation on the last day, and joining the alumni channel by invitation, by
Slack Connect, or by an admin's hand; or declining."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.signed_requests import SignedRequests
from db.engine import Database
from db.models import AlumniProfile, Offboarding, Person, Tour
from handlers.alumni_views import CHANNEL_UNSET
from handlers.ids import (
    ACTION_ALUMNI_DECLINE,
    ACTION_ALUMNI_JOIN,
    BLOCK_OFFBOARD_EMAIL,
    BLOCK_OFFBOARD_LAST_DAY,
)
from services.offboarding import plan_invitations
from services.tour_end import run_tour_transitions
from tests.alumni_steps import (
    LAST_DAY,
    LINE,
    invited,
    leaving,
    offboard_modal,
    offboarding_of,
    submit_form,
)
from tests.botprocess import ALUMNI_CHANNEL, SIGNING_SECRET, BotProcess, bot_environment
from tests.helpers import (
    answer_with,
    block_texts,
    eventually,
    new_user_id,
    wait_for_call,
    wait_until,
)
from tests.review_steps import HOURS, Agreed, agree_tour
from tests.tour_steps import TODAY, press


def status_of(database: Database, agreed: Agreed) -> tuple[str, str | None]:
    offboarding = offboarding_of(database, agreed)
    assert offboarding is not None
    return offboarding.status, offboarding.join_method


def posts_to(fake: FakeSlack, channel: str, words: str) -> list[Any]:
    """The messages posted to `channel` with these words, waiting for the first."""
    return wait_until(
        fake,
        "chat.postMessage",
        lambda call: call.args.get("channel") == channel and words in call.args.get("text", ""),
    )


# --- recording a departure --------------------------------------------------------------------


def test_a_manager_records_a_departure_and_is_told_what_happens_next(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    agreed = agree_tour(slack, fake_slack, bot_database)
    modal = offboard_modal(slack, fake_slack, agreed.pair.manager, agreed.pair.employee)
    assert "Dana Okafor" in block_texts(modal["blocks"])
    assert CHANNEL_UNSET not in block_texts(modal["blocks"])

    past = submit_form(slack, modal, agreed.pair.manager, last_day=TODAY - timedelta(days=1))
    assert past.json() == {
        "response_action": "errors",
        "errors": {BLOCK_OFFBOARD_LAST_DAY: "Their last day can't be in the past."},
    }
    bad_email = submit_form(slack, modal, agreed.pair.manager, email="dana at home")
    assert BLOCK_OFFBOARD_EMAIL in bad_email.json()["errors"]
    assert offboarding_of(bot_database, agreed) is None

    assert submit_form(slack, modal, agreed.pair.manager, email="dana@example.org").content == b""
    offboarding = eventually(lambda: offboarding_of(bot_database, agreed))
    assert (offboarding.status, offboarding.last_day, offboarding.good_standing) == (
        "scheduled",
        LAST_DAY,
        True,
    )
    assert (offboarding.personal_email, offboarding.directory_line) == ("dana@example.org", LINE)
    assert offboarding.tour_id == agreed.tour_id
    [note] = posts_to(fake_slack, agreed.pair.manager, "Recorded: Dana Okafor's last day")
    assert "invite them to the alumni network" in note.args["text"]


def test_only_their_manager_or_an_admin_may_record_it(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    agreed = agree_tour(slack, fake_slack, bot_database)
    stranger = new_user_id()
    fake_slack.add_user(stranger, name="nosy")
    trigger = f"trigger-{new_user_id()}"
    slack.slash_command(
        f"offboard <@{agreed.pair.employee}|dana>", user_id=stranger, trigger_id=trigger
    )
    answer_with(fake_slack, "Only their manager or an Alliance admin")
    assert [c for c in fake_slack.calls("views.open") if c.args.get("trigger_id") == trigger] == []
    usage = slack.slash_command("offboard", user_id=agreed.pair.manager).json()["text"]
    assert "/alliance offboard @dana" in usage


def test_leaving_not_in_good_standing_brings_no_invitation(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    _, offboarding = leaving(slack, fake_slack, bot_database, good_standing="no")
    assert offboarding.status == "not_invited"
    plan_invitations(
        bot_database, now=datetime.combine(LAST_DAY, time(12), tzinfo=UTC), hours=HOURS
    )
    with bot_database.read() as session:
        planned = session.scalars(select(Offboarding).where(Offboarding.id == offboarding.id)).one()
    assert planned.status == "not_invited" and planned.invited_at is None


@pytest.mark.parametrize("good_standing", ["yes", "no"])
def test_the_tour_ends_after_the_last_day_and_no_review_follows(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database, good_standing: str
) -> None:
    agreed, _ = leaving(slack, fake_slack, bot_database, good_standing=good_standing)

    def transitions_at(day: date) -> None:
        noon = datetime.combine(day, time(12), tzinfo=UTC)
        run_tour_transitions(bot_database, now=noon, hours=HOURS, admins=())

    transitions_at(LAST_DAY)
    assert tour_of(bot_database, agreed).status == "active"  # still theirs on the last day
    transitions_at(LAST_DAY + timedelta(days=2))  # over wherever they are
    tour = tour_of(bot_database, agreed)
    assert (tour.status, tour.end_reason) == ("ended", "transition")
    assert (tour.next_review_on, tour.next_end_prompt_on) == (None, None)
    # Once ended, a later pass leaves it alone.
    transitions_at(LAST_DAY + timedelta(days=3))
    assert tour_of(bot_database, agreed).ended_at == tour.ended_at


def tour_of(database: Database, agreed: Agreed) -> Tour:
    with database.read() as session:
        return session.scalars(select(Tour).where(Tour.id == agreed.tour_id)).one()


# --- the invitation ---------------------------------------------------------------------------


def test_on_the_last_day_they_are_thanked_and_invited(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    agreed, invitation = invited(slack, fake_slack, bot_database)
    shown = block_texts(invitation.json("blocks"))
    assert "Thank you for what you built with us" in shown
    assert "Take checkout from 3 steps to 1" in shown  # their tour's mission
    assert LINE in shown
    assert status_of(bot_database, agreed) == ("invited", None)


def test_join_adds_them_to_the_alumni_channel_with_a_welcome(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    agreed, invitation = invited(slack, fake_slack, bot_database)
    press(slack, invitation, ACTION_ALUMNI_JOIN, agreed.pair.employee)
    answer_with(fake_slack, "Welcome to the alumni network!")
    invite = wait_for_call(fake_slack, "conversations.invite", users=agreed.pair.employee)
    assert invite.args["channel"] == ALUMNI_CHANNEL
    [post] = posts_to(fake_slack, ALUMNI_CHANNEL, agreed.pair.employee)
    welcome_line = f"Please welcome <@{agreed.pair.employee}> to the alumni network! {LINE}"
    assert welcome_line in post.args["text"]
    assert status_of(bot_database, agreed) == ("joined", "channel_invite")
    with bot_database.read() as session:
        profile = session.scalars(
            select(AlumniProfile)
            .join(Person, Person.id == AlumniProfile.person_id)
            .where(Person.user_id == agreed.pair.employee)
        ).one()
    assert (profile.listed, profile.directory_line) == (False, LINE)

    press(slack, invitation, ACTION_ALUMNI_JOIN, agreed.pair.employee)
    answer_with(fake_slack, "answered this invitation")


def test_an_account_that_cannot_be_invited_joins_by_slack_connect(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    agreed, invitation = invited(slack, fake_slack, bot_database, email="dana@example.org")
    fake_slack.fail_next("conversations.invite", "cant_invite", users=agreed.pair.employee)
    press(slack, invitation, ACTION_ALUMNI_JOIN, agreed.pair.employee)
    shared = wait_for_call(fake_slack, "conversations.inviteShared", channel=ALUMNI_CHANNEL)
    assert shared.args["emails"] == "dana@example.org"
    assert eventually(lambda: status_of(bot_database, agreed) == ("joined", "slack_connect"))
    offboarding = offboarding_of(bot_database, agreed)
    assert offboarding is not None and offboarding.join_error == "cant_invite"


def test_with_no_way_in_the_admins_are_asked_to_invite_them(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    agreed, invitation = invited(slack, fake_slack, bot_database)
    fake_slack.fail_next("conversations.invite", "cant_invite", users=agreed.pair.employee)
    press(slack, invitation, ACTION_ALUMNI_JOIN, agreed.pair.employee)
    [ask] = posts_to(fake_slack, "UADMIN1", "Dana Okafor joined")
    assert "Please invite them by hand" in ask.args["text"]
    assert eventually(lambda: status_of(bot_database, agreed) == ("joined", "manual"))


def test_no_thanks_is_respected(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    agreed, invitation = invited(slack, fake_slack, bot_database)
    press(slack, invitation, ACTION_ALUMNI_DECLINE, agreed.pair.employee)
    answer_with(fake_slack, "all the best")
    assert eventually(lambda: status_of(bot_database, agreed) == ("declined", None))
    to_channel = [
        call
        for call in fake_slack.calls("chat.postMessage") + fake_slack.calls("conversations.invite")
        if call.args.get("channel") == ALUMNI_CHANNEL
    ]
    assert not any(agreed.pair.employee in str(call.args) for call in to_channel)


def test_someone_else_cannot_answer_the_invitation(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    agreed, invitation = invited(slack, fake_slack, bot_database)
    press(slack, invitation, ACTION_ALUMNI_JOIN, agreed.pair.manager)
    answer_with(fake_slack, "isn't something you can do")
    assert status_of(bot_database, agreed) == ("invited", None)


# --- without an alumni channel ----------------------------------------------------------------


@pytest.fixture
def bot_without_channel(session_fake_slack: FakeSlack, tmp_path: Any) -> Any:
    url = f"sqlite:///{tmp_path / 'no-channel.db'}"
    bot = BotProcess(
        bot_environment(session_fake_slack.url, url, ALLIANCE_ADMINS="UADMIN1"),
        tmp_path / "bot.log",
    ).start()
    yield bot, Database(url)
    bot.stop()


def test_without_an_alumni_channel_everyone_is_told_how_to_set_it(
    bot_without_channel: Any, fake_slack: FakeSlack
) -> None:
    bot, database = bot_without_channel
    with SignedRequests(
        bot.url, SIGNING_SECRET, response_url_base=fake_slack.response_url_base
    ) as slack:
        agreed, invitation = invited(slack, fake_slack, database)
        [note] = posts_to(fake_slack, agreed.pair.manager, "Recorded:")
        assert "ALLIANCE_ALUMNI_CHANNEL" in note.args["text"]
        press(slack, invitation, ACTION_ALUMNI_JOIN, agreed.pair.employee)
        answer_with(fake_slack, "ALLIANCE_ALUMNI_CHANNEL")
        [to_admin] = posts_to(fake_slack, "UADMIN1", "wants to join")
        assert "ALLIANCE_ALUMNI_CHANNEL" in to_admin.args["text"]
        commands = ("alumni", "alumni me", "alumni design", "opportunity", "ask Anyone?", "news Hi")
        for command in commands:
            reply = slack.slash_command(command, user_id=agreed.pair.manager).json()
            assert "ALLIANCE_ALUMNI_CHANNEL" in reply["text"]
        learned = slack.slash_command("learned How to run a retro", user_id=agreed.pair.manager)
        assert "ALLIANCE_LEARNING_CHANNEL" in learned.json()["text"]
        assert status_of(database, agreed) == ("invited", None)
    database.dispose()


# --- a crash in the middle of joining -----------------------------------------------------------


@pytest.mark.dateless
def test_a_crash_after_slack_added_them_is_mended_by_clicking_join_again(
    session_fake_slack: FakeSlack, fake_slack: FakeSlack, tmp_path: Any
) -> None:
    """The bot dies after Slack got the invite and before the join was recorded: the
    invitation stays open, and the second click takes Slack's `already_in_channel` as joined."""
    url = f"sqlite:///{tmp_path / 'crash.db'}"
    env = bot_environment(
        session_fake_slack.url,
        url,
        ALLIANCE_ADMINS="UADMIN1",
        ALLIANCE_ALUMNI_CHANNEL=ALUMNI_CHANNEL,
    )
    database = Database(url)
    first = BotProcess(env, tmp_path / "first.log").start()
    try:
        with SignedRequests(
            first.url, SIGNING_SECRET, response_url_base=fake_slack.response_url_base
        ) as slack:
            agreed, invitation = invited(slack, fake_slack, database)
            employee = agreed.pair.employee
            fake_slack.set_latency("conversations.invite", 5)  # the bot waits for Slack's answer
            press(slack, invitation, ACTION_ALUMNI_JOIN, employee)
            wait_for_call(fake_slack, "conversations.invite", users=employee)
            first.kill()  # ... and dies waiting
    finally:
        first.stop()
    fake_slack.set_latency("conversations.invite", 0)
    assert status_of(database, agreed) == ("invited", None)

    fake_slack.fail_next("conversations.invite", "already_in_channel", users=employee)
    second = BotProcess(env, tmp_path / "second.log").start()
    try:
        with SignedRequests(
            second.url, SIGNING_SECRET, response_url_base=fake_slack.response_url_base
        ) as slack:
            press(slack, invitation, ACTION_ALUMNI_JOIN, employee)
            answer_with(fake_slack, "Welcome to the alumni network!")
            assert eventually(lambda: status_of(database, agreed) == ("joined", "channel_invite"))
            [welcome] = posts_to(fake_slack, ALUMNI_CHANNEL, employee)
            assert "Please welcome" in welcome.args["text"]
            assert fake_slack.calls("conversations.inviteShared") == []
    finally:
        second.stop()
        database.dispose()
