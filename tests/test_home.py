"""The Home tab for an employee, a manager, an admin and a newcomer."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.signed_requests import SignedRequests
from db.engine import Database
from db.models import AlignmentReview, ReviewResponse, Tour
from domain.reviews import Progress
from domain.schedule import WorkingHours
from handlers.ids import ACTION_HOME_CHECKIN, ACTION_HOME_VIEW_STATEMENT, ACTION_TOUR_ACCEPT
from services.reviews import record_answer, start_checkin
from tests import clock
from tests.helpers import block_texts, eventually, new_user_id, wait_for_call, wait_until
from tests.test_tours import propose
from tests.tour_steps import Pair, new_pair, press

ADMIN = "UADMIN1"


def open_home(
    slack: SignedRequests, fake: FakeSlack, user_id: str, showing: str = ""
) -> dict[str, Any]:
    """Open the Home tab as Slack reports it; returns the latest view the bot published.

    Redraws from earlier changes may still be on their way, so with `showing` this waits until
    the latest view contains it.
    """
    before = len([c for c in fake.calls("views.publish") if c.args["user_id"] == user_id])
    slack.event({"type": "app_home_opened", "user": user_id, "channel": "D0", "tab": "home"})
    wait_until(fake, "views.publish", lambda c: c.args["user_id"] == user_id, before + 1)

    def latest_view() -> dict[str, Any] | None:
        views = [
            c.json("view") for c in fake.calls("views.publish") if c.args["user_id"] == user_id
        ]
        return dict(views[-1]) if showing in json.dumps(views[-1], ensure_ascii=False) else None

    view = eventually(latest_view)
    assert view is not None, f"no Home tab showing {showing!r} for {user_id}"
    return dict(view)


def agreed_pair(slack: SignedRequests, fake: FakeSlack) -> Pair:
    pair = new_pair(fake)
    offer = propose(slack, fake, pair)
    press(slack, offer, ACTION_TOUR_ACCEPT, pair.employee)
    wait_until(
        fake,
        "chat.postMessage",
        lambda c: c.args["channel"] == pair.manager and "agreed" in c.args["text"],
    )
    return pair


def test_newcomer_sees_the_welcome(slack: SignedRequests, fake_slack: FakeSlack) -> None:
    user_id = new_user_id()
    fake_slack.add_user(user_id, name="newbie", real_name="Noor Haddad")
    shown = block_texts(open_home(slack, fake_slack, user_id)["blocks"])
    assert "Welcome, Noor!" in shown and "How the Alliance works" in shown


def test_employee_sees_their_tour_card_and_can_open_the_statement(
    slack: SignedRequests, fake_slack: FakeSlack
) -> None:
    pair = agreed_pair(slack, fake_slack)
    home = open_home(slack, fake_slack, pair.employee, showing="· active")
    shown = block_texts(home["blocks"])
    assert "*Transformational tour* · active" in shown
    assert "Take checkout from 3 steps to 1" in shown and "next review" in shown
    button = next(
        element
        for block in home["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
        if element["action_id"] == ACTION_HOME_VIEW_STATEMENT
    )
    slack.block_actions(
        [{**button, "block_id": "b"}],
        user_id=pair.employee,
        view=home,
        trigger_id="t-home-statement",
    )
    modal = wait_for_call(fake_slack, "views.open", trigger_id="t-home-statement").json("view")
    assert "What success looks like for the employee" in block_texts(modal["blocks"])


def test_statement_button_pressed_by_a_stranger_reveals_nothing(
    slack: SignedRequests, fake_slack: FakeSlack
) -> None:
    pair = agreed_pair(slack, fake_slack)
    home = open_home(slack, fake_slack, pair.employee, showing=ACTION_HOME_VIEW_STATEMENT)
    button = next(
        element
        for block in home["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
        if element["action_id"] == ACTION_HOME_VIEW_STATEMENT
    )
    stranger = new_user_id()
    slack.block_actions(
        [{**button, "block_id": "b"}], user_id=stranger, view=home, trigger_id="t-home-nosy"
    )
    modal = wait_for_call(fake_slack, "views.open", trigger_id="t-home-nosy").json("view")
    shown = block_texts(modal["blocks"])
    assert "That isn't something you can do" in shown
    assert "checkout" not in shown


def test_manager_sees_their_team(slack: SignedRequests, fake_slack: FakeSlack) -> None:
    pair = agreed_pair(slack, fake_slack)
    shown = block_texts(open_home(slack, fake_slack, pair.manager, showing="Your team")["blocks"])
    assert "Your team" in shown and "*Dana Okafor*" in shown
    assert "You don't have a tour of duty yet." in shown


def test_admin_sees_counts_and_no_ones_words(slack: SignedRequests, fake_slack: FakeSlack) -> None:
    fake_slack.add_user(ADMIN, name="hr", real_name="Hana People")
    agreed_pair(slack, fake_slack)
    shown = block_texts(open_home(slack, fake_slack, ADMIN, showing="Across the company")["blocks"])
    assert "Across the company" in shown and "active" in shown
    assert "`/alliance report` gives the leadership digest" in shown
    assert "checkout" not in shown


def test_home_is_drawn_again_for_both_when_a_tour_changes(
    slack: SignedRequests, fake_slack: FakeSlack
) -> None:
    pair = new_pair(fake_slack)
    propose(slack, fake_slack, pair)
    for user_id in (pair.employee, pair.manager):
        view = wait_for_call(fake_slack, "views.publish", user_id=user_id).json("view")
        assert "waiting for agreement" in block_texts(view["blocks"])


def test_employee_starts_a_check_in_from_the_home_tab(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    pair = agreed_pair(slack, fake_slack)
    home = open_home(slack, fake_slack, pair.employee, showing=ACTION_HOME_CHECKIN)
    button = next(
        element
        for block in home["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
        if element["action_id"] == ACTION_HOME_CHECKIN
    )
    slack.block_actions(
        [{**button, "block_id": "b"}], user_id=pair.employee, view=home, trigger_id="t-home-checkin"
    )
    modal = wait_for_call(fake_slack, "views.open", trigger_id="t-home-checkin").json("view")
    assert "Check-in started: you and Sam Rivera" in block_texts(modal["blocks"])
    with bot_database.session() as session:
        kinds = session.scalars(
            select(AlignmentReview.kind)
            .join(Tour, Tour.id == AlignmentReview.tour_id)
            .where(Tour.employee.has(user_id=pair.employee))
        ).all()
    assert kinds == ["checkin"]


def test_no_check_in_button_before_the_tour_is_agreed(
    slack: SignedRequests, fake_slack: FakeSlack
) -> None:
    pair = new_pair(fake_slack)
    propose(slack, fake_slack, pair)
    home = open_home(slack, fake_slack, pair.employee, showing=ACTION_HOME_VIEW_STATEMENT)
    actions = [
        element["action_id"]
        for block in home["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
    ]
    assert ACTION_HOME_VIEW_STATEMENT in actions and ACTION_HOME_CHECKIN not in actions


def test_home_shows_where_the_latest_review_stands(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    pair = agreed_pair(slack, fake_slack)
    home = open_home(slack, fake_slack, pair.employee, showing=ACTION_HOME_CHECKIN)
    assert "alignment review" not in block_texts(home["blocks"]).lower()
    with bot_database.read() as session:
        tour = session.scalars(select(Tour).where(Tour.employee.has(user_id=pair.employee))).one()
    start_checkin(bot_database, team_id="T0001", user_id=pair.employee, now=clock.now())

    waiting = open_home(slack, fake_slack, pair.employee, showing="waiting for your answers")
    assert "Your alignment review is waiting for your answers" in block_texts(waiting["blocks"])
    with bot_database.read() as session:
        response = session.scalars(
            select(ReviewResponse)
            .join(AlignmentReview, AlignmentReview.id == ReviewResponse.review_id)
            .where(AlignmentReview.tour_id == tour.id, ReviewResponse.side == "employee")
        ).one()
    record_answer(
        bot_database,
        response_id=response.id,
        by_user_id=pair.employee,
        now=clock.now(),
        hours=WorkingHours(),
        progress=Progress.ON_TRACK,
        alignment=4,
    )
    answered = open_home(slack, fake_slack, pair.employee, showing="waiting for Sam Rivera")
    assert "You've answered the alignment review" in block_texts(answered["blocks"])
    team = open_home(slack, fake_slack, pair.manager, showing="Your team")
    assert "Your alignment review is waiting for your answers" in block_texts(team["blocks"])


HOSTILE_NAME = "Dana <!here> & <https://evil.example|Co>"
HOSTILE_SHOWN = "Dana &lt;!here&gt; &amp; &lt;https://evil.example|Co&gt;"


def test_a_hostile_name_stays_text_in_the_confirmation_and_the_team_list(
    slack: SignedRequests, fake_slack: FakeSlack
) -> None:
    pair = new_pair(fake_slack)
    fake_slack.add_user(pair.employee, name="dana", real_name=HOSTILE_NAME, tz="Europe/Madrid")
    propose(slack, fake_slack, pair)
    [confirmation] = wait_until(
        fake_slack,
        "chat.postMessage",
        lambda c: c.args["channel"] == pair.manager and "I've sent version 1" in c.args["text"],
    )
    assert HOSTILE_SHOWN in confirmation.args["text"]
    home = block_texts(open_home(slack, fake_slack, pair.manager, "Your team")["blocks"])
    assert f"*{HOSTILE_SHOWN}*" in home and "<!here>" not in home
