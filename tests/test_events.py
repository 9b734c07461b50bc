"""Events API: each event handled once, the Home tab for newcomers, profile changes stored."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.signed_requests import SignedRequests
from db.engine import Database
from db.models import AuditEntry, Person
from tests import clock
from tests.helpers import (
    block_texts,
    new_user_id,
    settle,
    stored_person_when,
    wait_for_call,
    wait_for_calls,
)


def home_opened(user_id: str) -> dict:
    return {"type": "app_home_opened", "user": user_id, "channel": "D0", "tab": "home"}


def publishes_for(fake: FakeSlack, user_id: str) -> list:
    return [call for call in fake.calls("views.publish") if call.args["user_id"] == user_id]


def test_home_tab_welcomes_a_newcomer_by_first_name(
    slack: SignedRequests, fake_slack: FakeSlack
) -> None:
    user_id = new_user_id()
    fake_slack.add_user(user_id, name="amara", real_name="Amara <Okafor>")
    assert slack.event(home_opened(user_id)).status_code == 200
    view = wait_for_call(fake_slack, "views.publish", user_id=user_id).json("view")
    assert view["type"] == "home"
    text = block_texts(view["blocks"])
    assert "Welcome, Amara!" in text
    assert "/alliance tour new @person" in text
    assert any(
        element.get("action_id") == "home_open_guide"
        for block in view["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
    )


def test_messages_tab_opening_publishes_nothing(
    slack: SignedRequests, fake_slack: FakeSlack
) -> None:
    user_id = new_user_id()
    fake_slack.add_user(user_id, name="msgs")
    slack.event({**home_opened(user_id), "tab": "messages"})
    settle(slack, fake_slack)
    assert publishes_for(fake_slack, user_id) == []


def test_an_event_slack_retries_is_handled_once(
    slack: SignedRequests, fake_slack: FakeSlack
) -> None:
    user_id = new_user_id()
    fake_slack.add_user(user_id, name="retried")
    event_id = f"Ev{user_id}"
    assert slack.event(home_opened(user_id), event_id=event_id).status_code == 200
    wait_for_call(fake_slack, "views.publish", user_id=user_id)
    for retry in (1, 2, 3):
        response = slack.event(home_opened(user_id), event_id=event_id, retry_num=retry)
        assert response.status_code == 200
    settle(slack, fake_slack)
    assert len(publishes_for(fake_slack, user_id)) == 1


def test_distinct_events_are_each_handled(slack: SignedRequests, fake_slack: FakeSlack) -> None:
    user_id = new_user_id()
    fake_slack.add_user(user_id, name="twice")
    slack.event(home_opened(user_id))
    slack.event(home_opened(user_id))
    assert len(wait_for_calls(fake_slack, "views.publish", 2, user_id=user_id)) == 2


def test_user_change_updates_the_stored_profile_and_audits_deactivation(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    user_id = new_user_id()
    user = fake_slack.add_user(user_id, name="mover", tz="Europe/Berlin")
    slack.event(home_opened(user_id))
    wait_for_call(fake_slack, "views.publish", user_id=user_id)
    slack.event(
        {"type": "user_change", "user": {**user, "tz": "Pacific/Pago_Pago", "deleted": True}}
    )
    person = stored_person_when(bot_database, user_id, lambda p: p.deleted)
    assert person is not None and person.tz == "Pacific/Pago_Pago" and person.deleted
    with bot_database.session() as session:
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.subject == user_id)
        ).all()
    assert actions == ["person.deactivated"]


def test_a_stale_profile_is_refreshed_on_next_meeting(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    user_id = new_user_id()
    fake_slack.add_user(user_id, name="old", tz="America/New_York")
    slack.event(home_opened(user_id))
    wait_for_call(fake_slack, "views.publish", user_id=user_id)
    with bot_database.session() as session:
        session.execute(
            update(Person)
            .where(Person.user_id == user_id)
            .values(profile_refreshed_at=clock.now() - timedelta(days=2))
        )
    fake_slack.add_user(user_id, name="old", tz="America/Los_Angeles")
    slack.event(home_opened(user_id))
    wait_for_calls(fake_slack, "users.info", 2, user=user_id)
    person = stored_person_when(bot_database, user_id, lambda p: p.tz == "America/Los_Angeles")
    assert person is not None


def test_a_failing_event_is_logged_and_the_bot_lives_on(
    slack: SignedRequests, fake_slack: FakeSlack, running_bot
) -> None:
    user_id = new_user_id()
    fake_slack.add_user(user_id, name="unlucky")
    fake_slack.fail_next("views.publish", error="invalid_blocks", user_id=user_id)
    assert slack.event(home_opened(user_id)).status_code == 200
    wait_for_call(fake_slack, "views.publish", user_id=user_id)
    settle(slack, fake_slack)
    assert f"failed (event app_home_opened from {user_id})" in running_bot.log()
    assert "invalid_blocks" in running_bot.log()
