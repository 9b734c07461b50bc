"""Values and aspirations end to end: the DM conversation, Edit, Share, who may see what,
the company's values, and the alignment view; plus Block Kit limits with maximum answers."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import select

from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.signed_requests import SignedRequests
from db.engine import Database
from db.models import Conversation, Person, ValueShare, ValueStatement, Workspace
from domain.schedule import WorkingHours
from domain.tours import TourDraft, TourType, VersionSource
from domain.values import MAX_ITEM_LENGTH, MAX_ITEMS, MAX_NOTE_LENGTH, Party, alignment
from handlers.conversation_views import CANCELLED_TEXT, NO_CONVERSATION_TEXT
from handlers.ids import (
    ACTION_VALUES_EDIT,
    ACTION_VALUES_SHARE,
    ACTION_VALUES_SHARE_TEAM,
    ACTION_VALUES_UNSHARE,
    BLOCK_COMPANY_ASPIRATIONS,
    BLOCK_COMPANY_VALUES,
    BLOCK_VALUES_ASPIRATIONS,
    BLOCK_VALUES_CORE,
    BLOCK_VALUES_NOTE,
    VIEW_COMPANY_VALUES,
    VIEW_VALUES_EDIT,
)
from handlers.values import build_values_home_blocks
from handlers.values_views import (
    COMPANY_REFUSAL_TEXT,
    NOT_ALLOWED_TEXT,
    NOT_YOURS_TEXT,
    build_alignment_blocks,
    build_company_values_modal,
    build_home_values_blocks,
    build_values_edit_modal,
    build_values_summary_blocks,
)
from services.conversations import expire_conversations
from services.deps import Deps
from services.tours import accept_tour, propose_tour
from services.values import (
    NO_MANAGER,
    AlignmentRead,
    CompanyValues,
    ManagerSide,
    OwnStatement,
    StatementRead,
    read_values,
)
from tests import clock
from tests.botprocess import SIGNING_SECRET, BotProcess, bot_environment
from tests.helpers import block_texts, new_user_id, stored_person, wait_until
from tests.test_home import open_home
from tests.tour_steps import converse, dm_with_button, is_dm_to, press

ADMIN = "UADMIN1"

# --- steps as people take them ----------------------------------------------------------------


@dataclass
class Team:
    """A workspace of its own, so company values set by one test never meet another's."""

    team_id: str
    slack: SignedRequests
    fake: FakeSlack

    def person(self, name: str, user_id: str | None = None) -> str:
        user_id = user_id or new_user_id()
        self.fake.add_user(user_id, name=name, real_name=name.title(), team_id=self.team_id)
        return user_id


@pytest.fixture
def team(running_bot: BotProcess, fake_slack: FakeSlack) -> Iterator[Team]:
    team_id = "T" + new_user_id()[1:]
    with SignedRequests(
        running_bot.url,
        SIGNING_SECRET,
        team_id=team_id,
        response_url_base=fake_slack.response_url_base,
    ) as sender:
        yield Team(team_id, sender, fake_slack)
    fake_slack.add_user(ADMIN, name="admin")  # the admin belongs to the shared team again


def ack_text(response: requests.Response) -> str:
    assert response.status_code == 200, response.text
    return block_texts(response.json()["blocks"])


def dm(slack: SignedRequests, user_id: str, text: str) -> requests.Response:
    return slack.event(
        {
            "type": "message",
            "channel_type": "im",
            "channel": f"D{user_id}",
            "user": user_id,
            "text": text,
            "ts": "1700000001.000200",
        }
    )


def last_dm(fake: FakeSlack, user_id: str) -> Any:
    return [c for c in fake.calls("chat.postMessage") if is_dm_to(c, user_id)][-1]


def last_dm_text(fake: FakeSlack, user_id: str) -> str:
    call = last_dm(fake, user_id)
    return block_texts(call.json("blocks") or []) or call.args.get("text", "")


def start_values(slack: SignedRequests, fake: FakeSlack, user_id: str) -> None:
    """`/alliance values`, then wait for the first question in the DM."""
    text = ack_text(slack.slash_command("values", user_id=user_id))
    assert "I've sent you a DM" in text
    wait_until(
        fake,
        "chat.postMessage",
        lambda c: (
            c.args["channel"] == user_id
            and "Question 1 of 3" in block_texts(c.json("blocks") or [])
        ),
    )


def input_state(**typed: str | None) -> dict[str, Any]:
    return {
        block: {block: {"type": "plain_text_input", "value": value}}
        for block, value in typed.items()
    }


def submit_values(
    slack: SignedRequests,
    user_id: str,
    aspirations: str | None = "",
    core: str | None = "",
    note: str | None = "",
) -> requests.Response:
    """The Edit modal submitted as Slack sends it."""
    view = {
        "callback_id": VIEW_VALUES_EDIT,
        "state": {
            "values": input_state(
                **{
                    BLOCK_VALUES_ASPIRATIONS: aspirations,
                    BLOCK_VALUES_CORE: core,
                    BLOCK_VALUES_NOTE: note,
                }
            )
        },
    }
    return slack.view_submission(view, user_id=user_id)


def write_values(slack: SignedRequests, user_id: str, core: str, aspirations: str = "Grow") -> None:
    response = submit_values(slack, user_id, aspirations, core, "A note for my manager")
    assert response.status_code == 200 and not response.content, response.text


def submit_company(
    slack: SignedRequests, user_id: str, values: str, aspirations: str = ""
) -> requests.Response:
    view = {
        "callback_id": VIEW_COMPANY_VALUES,
        "state": {
            "values": input_state(
                **{BLOCK_COMPANY_VALUES: values, BLOCK_COMPANY_ASPIRATIONS: aspirations}
            )
        },
    }
    return slack.view_submission(view, user_id=user_id)


def make_tour(database: Database, team_id: str, manager: str, employee: str) -> None:
    """An active tour between two people the bot has met: who is allied with whom."""
    today = clock.now().date()
    draft = TourDraft(
        TourType.TRANSFORMATIONAL,
        "Ship the new checkout",
        today,
        today + timedelta(days=400),
        "Conversion up",
        "Lead a project",
    )
    now = clock.now()
    ref = propose_tour(
        database,
        team_id=team_id,
        manager_user_id=manager,
        employee_user_id=employee,
        draft=draft,
        source=VersionSource.FORM,
        now=now,
        admins=(),
        hours=WorkingHours(),
    )
    accept_tour(
        database,
        tour_id=ref.tour_id,
        version_no=1,
        by_user_id=employee,
        now=now,
        today=today,
        hours=WorkingHours(),
    )


def settle(slack: SignedRequests, fake: FakeSlack) -> None:
    """Wait until the bot has finished the background work of every request sent before this.

    Like tests.helpers.settle, but through DM replies rather than the Home tab: a stranger's DM
    is answered after the work queued before it, and a second round makes sure it finished.
    """
    for _ in range(2):
        channel = "D" + new_user_id()
        dm(slack, channel[1:], "anyone there?")
        wait_until(fake, "chat.postMessage", lambda c, ch=channel: c.args["channel"] == ch)


def meet(slack: SignedRequests, database: Database, *user_ids: str) -> None:
    """The bot meets (and stores) each person, as on their first command."""
    for user_id in user_ids:
        slack.slash_command("help", user_id=user_id)
    deadline = time.monotonic() + 10
    for user_id in user_ids:
        while stored_person(database, user_id, slack.team_id) is None:
            assert time.monotonic() < deadline, f"the bot never stored {user_id}"
            time.sleep(0.02)  # polling the bot's database, not waiting on a job


def statement_of(database: Database, user_id: str, team_id: str = "T0001") -> ValueStatement | None:
    with database.session() as session:
        return session.scalars(
            select(ValueStatement)
            .join(Person, Person.id == ValueStatement.person_id)
            .where(Person.user_id == user_id, Person.team_id == team_id)
        ).one_or_none()


def shares_of(database: Database, owner: str) -> list[tuple[str, datetime | None]]:
    with database.session() as session:
        viewer = select(Person.user_id).where(Person.id == ValueShare.viewer_id).scalar_subquery()
        owner_ids = select(Person.id).where(Person.user_id == owner)
        return [
            (row[0], row[1])
            for row in session.execute(
                select(viewer, ValueShare.revoked_at).where(ValueShare.owner_id.in_(owner_ids))
            ).all()
        ]


def summary(fake: FakeSlack, user_id: str, nth: int = 1) -> Any:
    return dm_with_button(fake, user_id, ACTION_VALUES_SHARE, nth)


def responses(fake: FakeSlack) -> list[str]:
    return [c.args.get("text", "") for c in fake.calls("response_url")]


# --- the conversation -------------------------------------------------------------------------


def test_values_starts_a_dm_conversation_with_an_intro_and_the_first_question(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    user_id = new_user_id()
    fake_slack.add_user(user_id, name="ines")
    start_values(slack, fake_slack, user_id)
    [intro, question] = [c for c in fake_slack.calls("chat.postMessage") if is_dm_to(c, user_id)]
    assert "Private to you until you share them" in block_texts(intro.json("blocks"))
    asked = block_texts(question.json("blocks"))
    assert "core aspirations" in asked and "For example:" in asked and "`skip`" in asked
    with bot_database.session() as session:
        [conversation] = session.scalars(
            select(Conversation)
            .join(Person, Person.id == Conversation.person_id)
            .where(Person.user_id == user_id)
        ).all()
    assert (conversation.flow, conversation.state, conversation.step_index) == ("values", "live", 0)


def test_whole_conversation_with_back_a_bad_answer_and_skip(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    user_id = new_user_id()
    fake_slack.add_user(user_id, name="noor")
    start_values(slack, fake_slack, user_id)
    converse(slack, fake_slack, user_id, ["Lead a team, Speak at a conference"])
    assert "Question 2 of 3" in last_dm_text(fake_slack, user_id)
    converse(slack, fake_slack, user_id, ["back"])
    assert "Question 1 of 3" in last_dm_text(fake_slack, user_id)
    converse(slack, fake_slack, user_id, ["- Lead a team\n- Become a data expert"])
    converse(slack, fake_slack, user_id, [", ".join(f"value {n}" for n in range(11))])
    reasked = last_dm_text(fake_slack, user_id)
    assert "That's 11 items" in reasked and "Question 2 of 3" in reasked
    converse(slack, fake_slack, user_id, ["Honesty, Customers first; curiosity"])
    assert "Question 3 of 3" in last_dm_text(fake_slack, user_id)
    converse(slack, fake_slack, user_id, ["skip"])

    done = summary(fake_slack, user_id)
    shown = block_texts(done.json("blocks"))
    assert "*Saved.*" in shown and "• Become a data expert" in shown and "• curiosity" in shown
    assert "Private to you" in shown
    actions = [
        e["action_id"] for b in done.json("blocks") if b["type"] == "actions" for e in b["elements"]
    ]
    assert actions == [ACTION_VALUES_EDIT, ACTION_VALUES_SHARE]
    statement = statement_of(bot_database, user_id)
    assert statement is not None
    assert statement.aspirations == ["Lead a team", "Become a data expert"]
    assert statement.core_values == ["Honesty", "Customers first", "curiosity"]
    assert statement.note_for_manager is None
    with bot_database.session() as session:
        conversation = session.scalars(
            select(Conversation).where(Conversation.person_id == statement.person_id)
        ).one()
    assert conversation.state == "done" and conversation.expires_at is None
    assert conversation.answers is None  # the text now lives in value_statements only


def test_cancel_stops_and_saves_nothing(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    user_id = new_user_id()
    fake_slack.add_user(user_id, name="cato")
    start_values(slack, fake_slack, user_id)
    converse(slack, fake_slack, user_id, ["Grow", "CANCEL"])
    assert last_dm(fake_slack, user_id).args["text"] == CANCELLED_TEXT
    assert statement_of(bot_database, user_id) is None
    converse(slack, fake_slack, user_id, ["hello?"])
    assert last_dm(fake_slack, user_id).args["text"] == NO_CONVERSATION_TEXT


def test_skipping_every_question_saves_nothing(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    user_id = new_user_id()
    fake_slack.add_user(user_id, name="skipper")
    start_values(slack, fake_slack, user_id)
    converse(slack, fake_slack, user_id, ["skip", "skip", "skip"])
    assert "nothing to save" in last_dm(fake_slack, user_id).args["text"]
    assert statement_of(bot_database, user_id) is None


def test_a_repeat_conversation_keeps_skipped_answers(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    user_id = new_user_id()
    fake_slack.add_user(user_id, name="again")
    write_values(slack, user_id, "Honesty, Speed", aspirations="Lead a team")
    start_values(slack, fake_slack, user_id)
    sent = [c for c in fake_slack.calls("chat.postMessage") if is_dm_to(c, user_id)]
    assert any("reply `skip` to keep one" in block_texts(c.json("blocks") or []) for c in sent)
    converse(slack, fake_slack, user_id, ["skip", "Candour", "skip"])
    summary(fake_slack, user_id)
    statement = statement_of(bot_database, user_id)
    assert statement is not None
    assert statement.aspirations == ["Lead a team"]
    assert statement.core_values == ["Candour"]
    assert statement.note_for_manager == "A note for my manager"


@pytest.mark.dateless
def test_a_conversation_survives_a_restart_between_two_replies(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'restart.db'}"
    env = bot_environment(fake_slack.url, url, ALLIANCE_ADMINS=ADMIN)
    user_id = new_user_id()
    fake_slack.add_user(user_id, name="phoenix")
    first = BotProcess(env, tmp_path / "first.log").start()
    try:
        with SignedRequests(first.url, SIGNING_SECRET) as slack:
            start_values(slack, fake_slack, user_id)
            converse(slack, fake_slack, user_id, ["Lead a team, write a book"])
            assert "Question 2 of 3" in last_dm_text(fake_slack, user_id)
    finally:
        code, _ = first.terminate()
    assert code == 0
    second = BotProcess(env, tmp_path / "second.log").start()
    try:
        with SignedRequests(second.url, SIGNING_SECRET) as slack:
            converse(slack, fake_slack, user_id, ["Honesty, craft"])
            assert "Question 3 of 3" in last_dm_text(fake_slack, user_id)
            converse(slack, fake_slack, user_id, ["I like clear goals"])
            summary(fake_slack, user_id)
    finally:
        second.stop()
    database = Database(url)
    try:
        statement = statement_of(database, user_id)
        assert statement is not None
        assert statement.aspirations == ["Lead a team", "write a book"]
        assert statement.core_values == ["Honesty", "craft"]
        assert statement.note_for_manager == "I like clear goals"
    finally:
        database.dispose()


def test_a_conversation_left_for_a_week_expires(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    user_id = new_user_id()
    fake_slack.add_user(user_id, name="sleepy")
    start_values(slack, fake_slack, user_id)
    converse(slack, fake_slack, user_id, ["Grow"])
    expired = expire_conversations(bot_database, clock.now() + timedelta(days=8))
    assert any(e.user_id == user_id and e.flow == "values" for e in expired)
    converse(slack, fake_slack, user_id, ["Honesty"])
    assert last_dm(fake_slack, user_id).args["text"] == NO_CONVERSATION_TEXT
    assert statement_of(bot_database, user_id) is None


# --- Edit -------------------------------------------------------------------------------------


def test_edit_opens_the_modal_prefilled_and_saves_a_valid_form(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    user_id = new_user_id()
    fake_slack.add_user(user_id, name="editor")
    start_values(slack, fake_slack, user_id)
    converse(slack, fake_slack, user_id, ["Lead, Teach", "Honesty, Speed", "Be direct with me"])
    trigger = f"trigger-edit-{user_id}"
    press(slack, summary(fake_slack, user_id), ACTION_VALUES_EDIT, user_id, trigger_id=trigger)
    modal = wait_until(fake_slack, "views.open", lambda c: c.args["trigger_id"] == trigger)[0]
    view = modal.json("view")
    assert view["callback_id"] == VIEW_VALUES_EDIT and view["title"]["text"] == "Your values"
    prefilled = {
        b["block_id"]: b["element"].get("initial_value")
        for b in view["blocks"]
        if b["type"] == "input"
    }
    assert prefilled == {
        BLOCK_VALUES_ASPIRATIONS: "Lead\nTeach",
        BLOCK_VALUES_CORE: "Honesty\nSpeed",
        BLOCK_VALUES_NOTE: "Be direct with me",
    }
    response = submit_values(slack, user_id, "Lead\nTeach\nWrite", "Honesty", "")
    assert response.status_code == 200 and not response.content
    statement = statement_of(bot_database, user_id)
    assert statement is not None
    assert statement.aspirations == ["Lead", "Teach", "Write"]
    assert statement.core_values == ["Honesty"] and statement.note_for_manager is None
    updated = summary(fake_slack, user_id, nth=2)
    assert "*Updated.*" in block_texts(updated.json("blocks"))


@pytest.mark.parametrize(
    ("typed", "block", "message"),
    [
        ({"core": ", ".join(str(n) for n in range(11))}, BLOCK_VALUES_CORE, "That's 11 items"),
        ({"aspirations": "ok\n" + "a" * 81}, BLOCK_VALUES_ASPIRATIONS, "Item 2 is 81"),
        ({"core": "x", "note": "n" * 1501}, BLOCK_VALUES_NOTE, "1501 characters"),
        ({}, BLOCK_VALUES_CORE, "Fill in at least one"),
        ({"aspirations": None, "core": None, "note": None}, BLOCK_VALUES_CORE, "at least one"),
    ],
)
def test_an_invalid_edit_is_answered_on_its_field_and_changes_nothing(
    slack: SignedRequests,
    fake_slack: FakeSlack,
    bot_database: Database,
    typed: dict[str, str | None],
    block: str,
    message: str,
) -> None:
    user_id = new_user_id()
    fake_slack.add_user(user_id, name="typo")
    write_values(slack, user_id, "Honesty")
    response = submit_values(slack, user_id, **{"aspirations": "", "core": "", "note": "", **typed})
    assert response.status_code == 200
    body = response.json()
    assert body["response_action"] == "errors"
    assert list(body["errors"]) == [block] and message in body["errors"][block]
    statement = statement_of(bot_database, user_id)
    assert statement is not None and statement.core_values == ["Honesty"]


def test_edit_pressed_by_someone_else_opens_nothing(
    slack: SignedRequests, fake_slack: FakeSlack
) -> None:
    owner, other = new_user_id(), new_user_id()
    fake_slack.add_user(owner, name="owner")
    fake_slack.add_user(other, name="nosy")
    start_values(slack, fake_slack, owner)
    converse(slack, fake_slack, owner, ["Secret plan", "Secret value", "Secret note"])
    trigger = f"trigger-nosy-{other}"
    press(slack, summary(fake_slack, owner), ACTION_VALUES_EDIT, other, trigger_id=trigger)
    refusal = wait_until(fake_slack, "response_url", lambda c: c.args["text"] == NOT_YOURS_TEXT)
    assert "Secret" not in json.dumps(refusal[0].args)
    settle(slack, fake_slack)
    assert not [c for c in fake_slack.calls("views.open") if c.args["trigger_id"] == trigger]


# --- Share ------------------------------------------------------------------------------------


def test_share_without_a_manager_is_refused_clearly(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    user_id = new_user_id()
    fake_slack.add_user(user_id, name="solo")
    start_values(slack, fake_slack, user_id)
    converse(slack, fake_slack, user_id, ["Grow", "Honesty", "skip"])
    press(slack, summary(fake_slack, user_id), ACTION_VALUES_SHARE, user_id)
    wait_until(fake_slack, "response_url", lambda c: c.args["text"] == NO_MANAGER)
    assert shares_of(bot_database, user_id) == []


def shared_by_an_employee(
    slack: SignedRequests, fake: FakeSlack, database: Database
) -> tuple[str, str]:
    """An employee on a tour writes their values and presses Share with my manager:
    (manager, employee)."""
    manager, employee = new_user_id(), new_user_id()
    fake.add_user(manager, name="sam")
    fake.add_user(employee, name="dana")
    meet(slack, database, manager)
    start_values(slack, fake, employee)
    converse(slack, fake, employee, ["Lead a team", "Honesty", "Talk to me weekly"])
    make_tour(database, "T0001", manager, employee)
    press(slack, summary(fake, employee), ACTION_VALUES_SHARE, employee)
    return manager, employee


def test_share_with_the_manager_records_it_and_tells_them(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    manager, employee = shared_by_an_employee(slack, fake_slack, bot_database)
    told = wait_until(
        fake_slack, "response_url", lambda c: c.args["text"].startswith(f"Shared with <@{manager}>")
    )
    assert told
    notice = wait_until(fake_slack, "chat.postMessage", lambda c: c.args["channel"] == manager)[0]
    assert f"<@{employee}> shared their aspirations and values" in notice.args["text"]
    assert "Honesty" not in notice.args["text"]  # the manager reads them by asking
    assert shares_of(bot_database, employee) == [(manager, None)]

    # The manager reads them, note included.
    shown = ack_text(slack.slash_command(f"values <@{employee}|dana>", user_id=manager))
    assert "Honesty" in shown and "Talk to me weekly" in shown

    # Pressing again changes nothing.
    press(slack, summary(fake_slack, employee), ACTION_VALUES_SHARE, employee)
    wait_until(fake_slack, "response_url", lambda c: c.args["text"].startswith("Already shared"))
    assert shares_of(bot_database, employee) == [(manager, None)]

    # Unsharing takes it back.
    slack.slash_command("values unshare", user_id=employee)
    wait_until(fake_slack, "response_url", lambda c: "private to you again" in c.args["text"])
    assert ack_text(slack.slash_command(f"values <@{employee}>", user_id=manager)) == (
        NOT_ALLOWED_TEXT
    )


def test_share_pressed_by_someone_else_is_refused_without_leaking(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    manager, employee, stranger = new_user_id(), new_user_id(), new_user_id()
    for user_id, name in ((manager, "mgr"), (employee, "emp"), (stranger, "stranger")):
        fake_slack.add_user(user_id, name=name)
    meet(slack, bot_database, manager, stranger)
    start_values(slack, fake_slack, employee)
    converse(slack, fake_slack, employee, ["Private aspiration", "Private value", "skip"])
    make_tour(bot_database, "T0001", manager, employee)
    for pressed_by in (stranger, manager):
        press(slack, summary(fake_slack, employee), ACTION_VALUES_SHARE, pressed_by)
    refusals = wait_until(
        fake_slack, "response_url", lambda c: c.args["text"] == NOT_YOURS_TEXT, count=2
    )
    assert all("Private" not in json.dumps(r.args) for r in refusals)
    assert shares_of(bot_database, employee) == []


def test_a_manager_shares_with_their_team(
    team: Team, fake_slack: FakeSlack, bot_database: Database
) -> None:
    manager, employee = team.person("boss"), team.person("report")
    write_values(team.slack, manager, "Speed")
    write_values(team.slack, employee, "Honesty")
    make_tour(bot_database, team.team_id, manager, employee)
    write_values(team.slack, manager, "Speed, candour")  # the summary now offers the team
    updated = wait_until(
        fake_slack,
        "chat.postMessage",
        lambda c: (
            c.args["channel"] == manager
            and ACTION_VALUES_SHARE_TEAM in json.dumps(c.json("blocks") or [])
        ),
    )[0]
    press(team.slack, updated, ACTION_VALUES_SHARE_TEAM, manager)
    wait_until(fake_slack, "response_url", lambda c: f"<@{employee}>" in c.args["text"])
    shown = ack_text(team.slack.slash_command("values show", user_id=employee))
    assert "candour" in shown and "Not shared with you" not in shown


# --- who may see what ---------------------------------------------------------------------------


def test_refusal_matrix_for_reading_values(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    manager, employee, other_manager, other_report, stranger = (new_user_id() for _ in range(5))
    for user_id in (manager, employee, other_manager, other_report, stranger):
        fake_slack.add_user(user_id, name="p" + user_id.lower())
    fake_slack.add_user(ADMIN, name="admin")
    meet(slack, bot_database, manager, other_manager, stranger, ADMIN)
    write_values(slack, employee, "Shared secret value")
    write_values(slack, other_report, "Unshared secret value")
    make_tour(bot_database, "T0001", manager, employee)
    make_tour(bot_database, "T0001", other_manager, other_report)
    press_share = {"value": employee}
    slack.interactive(
        slack.block_actions_payload(
            [{"action_id": ACTION_VALUES_SHARE, "type": "button", **press_share}],
            user_id=employee,
        )
    )
    wait_until(fake_slack, "response_url", lambda c: f"Shared with <@{manager}>" in c.args["text"])

    def shown_to(viewer: str, owner: str) -> str:
        return ack_text(slack.slash_command(f"values <@{owner}|x>", user_id=viewer))

    assert "Shared secret value" in shown_to(employee, employee)  # the owner
    assert "Shared secret value" in shown_to(manager, employee)  # a manager with a share
    for viewer, owner in (
        (other_manager, other_report),  # a manager without a share
        (ADMIN, employee),  # an admin without a share
        (ADMIN, other_report),
        (stranger, employee),  # a stranger
        (other_manager, employee),  # someone else's manager
        (manager, other_report),
        (stranger, "U0NOSUCH"),  # nobody at all: the same words
        (stranger, stranger + "X"),
    ):
        assert shown_to(viewer, owner) == NOT_ALLOWED_TEXT, (viewer, owner)

    with bot_database.session() as session:
        assert read_values(session, "T0001", employee, employee) is not None
        assert read_values(session, "T0001", manager, employee) is not None
        assert read_values(session, "T0001", ADMIN, employee) is None
        assert read_values(session, "T0001", other_manager, other_report) is None
        assert read_values(session, "T0001", stranger, employee) is None
        assert read_values(session, "OTHERTEAM", manager, employee) is None

    # The Home tab shows each person their own values only.
    deps = Deps(database=bot_database, clock=clock.now)
    admin_home = json.dumps(build_values_home_blocks(deps, "T0001", ADMIN))
    assert "secret" not in admin_home
    manager_home = json.dumps(build_values_home_blocks(deps, "T0001", manager))
    assert "secret" not in manager_home
    own_home = json.dumps(build_values_home_blocks(deps, "T0001", employee))
    assert "Shared secret value" in own_home


# --- the company's values -------------------------------------------------------------------------


def test_an_admin_sets_the_company_values_in_a_prefilled_modal(
    team: Team, fake_slack: FakeSlack, bot_database: Database
) -> None:
    team.person("admin", ADMIN)
    response = submit_company(team.slack, ADMIN, "Customers first\nOwnership", "Grow in Europe")
    assert response.status_code == 200 and not response.content, response.text
    with bot_database.session() as session:
        workspace = session.get(Workspace, team.team_id)
        assert workspace is not None
        assert workspace.company_values == ["Customers first", "Ownership"]
        assert workspace.company_aspirations == ["Grow in Europe"]
        assert workspace.company_values_updated_at is not None
    wait_until(
        fake_slack,
        "chat.postMessage",
        lambda c: c.args["channel"] == ADMIN and "Saved the company's values (2)" in c.args["text"],
    )

    trigger = f"trigger-company-{team.team_id}"
    response = team.slack.slash_command("values company", user_id=ADMIN, trigger_id=trigger)
    assert response.status_code == 200 and not response.content
    modal = wait_until(fake_slack, "views.open", lambda c: c.args["trigger_id"] == trigger)[0]
    view = modal.json("view")
    assert view["callback_id"] == VIEW_COMPANY_VALUES
    prefilled = {
        b["block_id"]: b["element"].get("initial_value") for b in view["blocks"] if "element" in b
    }
    assert prefilled == {
        BLOCK_COMPANY_VALUES: "Customers first\nOwnership",
        BLOCK_COMPANY_ASPIRATIONS: "Grow in Europe",
    }


def test_company_values_are_refused_to_a_non_admin_and_checked(
    team: Team, fake_slack: FakeSlack, bot_database: Database
) -> None:
    someone = team.person("someone")
    trigger = f"trigger-noadmin-{someone}"
    text = ack_text(team.slack.slash_command("values company", user_id=someone, trigger_id=trigger))
    assert text == COMPANY_REFUSAL_TEXT
    forged = submit_company(team.slack, someone, "Chaos").json()
    assert forged["response_action"] == "errors"
    assert "Only Alliance admins" in forged["errors"][BLOCK_COMPANY_VALUES]
    team.person("admin", ADMIN)
    too_many = submit_company(team.slack, ADMIN, ",".join(str(n) for n in range(11))).json()
    assert "That's 11 items" in too_many["errors"][BLOCK_COMPANY_VALUES]
    settle(team.slack, fake_slack)
    assert not [c for c in fake_slack.calls("views.open") if c.args["trigger_id"] == trigger]
    with bot_database.session() as session:
        assert session.get(Workspace, team.team_id) is None


# --- the alignment view ---------------------------------------------------------------------------


def test_the_alignment_view_shows_overlaps_and_gaps_with_a_prompt_each(
    team: Team, fake_slack: FakeSlack, bot_database: Database
) -> None:
    team.person("admin", ADMIN)
    manager, employee = team.person("maria"), team.person("emeka")
    submit_company(team.slack, ADMIN, "Customers first\nHonesty\nBoxes")
    write_values(team.slack, manager, "customer first!, Speed, Policies")
    write_values(team.slack, employee, "CUSTOMERS FIRST, honesty!, Curiosity, policy")
    make_tour(bot_database, team.team_id, manager, employee)

    # Before the manager shares: their values stay hidden from the employee.
    before = ack_text(team.slack.slash_command("values show", user_id=employee))
    assert "Not shared with you." in before and "Speed" not in before
    assert "You and the company: *CUSTOMERS FIRST*, *honesty!*" in before

    team.slack.interactive(
        team.slack.block_actions_payload(
            [{"action_id": ACTION_VALUES_SHARE_TEAM, "type": "button", "value": manager}],
            user_id=manager,
        )
    )
    wait_until(fake_slack, "response_url", lambda c: f"<@{employee}>" in c.args["text"])
    response = team.slack.slash_command("values show", user_id=employee)
    blocks = response.json()["blocks"]
    shown = block_texts(blocks)
    assert "Your values, side by side" in shown
    assert "Shared by all three: *CUSTOMERS FIRST*" in shown
    assert "You and the company: *honesty!*" in shown
    assert "You and your manager: *policy*" in shown
    assert "*Only you*\n• *Curiosity*: _at the next review, talk about" in shown
    assert "*Only your manager*\n• *Speed*: _at the next review, talk about" in shown
    assert "*Only the company*\n• *Boxes*: _at the next review, talk about" in shown
    side_by_side = next(b for b in blocks if b.get("fields"))
    assert [f["text"].split("\n")[0] for f in side_by_side["fields"]] == [
        "*You*",
        "*Your manager*",
        "*The company*",
    ]

    # The manager, asking about the employee who has not shared: refused.
    assert ack_text(team.slack.slash_command(f"values <@{employee}>", user_id=manager)) == (
        NOT_ALLOWED_TEXT
    )

    # Once the employee shares, the manager sees the same view from their side.
    team.slack.interactive(
        team.slack.block_actions_payload(
            [{"action_id": ACTION_VALUES_SHARE, "type": "button", "value": employee}],
            user_id=employee,
        )
    )
    wait_until(fake_slack, "response_url", lambda c: f"Shared with <@{manager}>" in c.args["text"])
    seen = ack_text(team.slack.slash_command(f"values <@{employee}|emeka>", user_id=manager))
    assert "Emeka's values, side by side" in seen
    assert "Emeka and you: *policy*" in seen
    assert "*Only Emeka*\n• *Curiosity*" in seen and "*Only you*\n• *Speed*" in seen
    assert "*What they'd like their manager to know*\nA note for my manager" in seen


def test_values_show_before_writing_invites_and_shows_the_company(
    team: Team, fake_slack: FakeSlack
) -> None:
    team.person("admin", ADMIN)
    newcomer = team.person("newbie")
    submit_company(team.slack, ADMIN, "Ownership")
    shown = ack_text(team.slack.slash_command("values show", user_id=newcomer))
    assert "Not written yet: `/alliance values`" in shown and "• Ownership" in shown
    assert "No manager yet" in shown


@pytest.mark.parametrize("text", ["values show bob", "values @bob", "values frobnicate"])
def test_unclear_values_text_gets_help(slack: SignedRequests, text: str) -> None:
    shown = ack_text(slack.slash_command(text, user_id=new_user_id()))
    assert "/alliance values @name" in shown or "`/alliance values show`" in shown


# --- Block Kit within Slack's limits -------------------------------------------------------------

WORST = "&" * MAX_ITEM_LENGTH  # escaped, each character grows to five


def worst_items(prefix: str) -> tuple[str, ...]:
    return tuple(f"{prefix}{n}" + WORST[: MAX_ITEM_LENGTH - len(prefix) - 1] for n in range(10))


def worst_statement(user_id: str, prefix: str) -> StatementRead:
    return StatementRead(
        owner_user_id=user_id,
        owner_name="N" * 255,
        aspirations=worst_items(prefix + "a"),
        core_values=worst_items(prefix),
        note_for_manager="<" * MAX_NOTE_LENGTH,
        updated_at=clock.now(),
    )


def worst_alignment(role: Party | None) -> AlignmentRead:
    employee, manager = worst_statement("UEMP", "e"), worst_statement("UMGR", "m")
    company = CompanyValues(worst_items("c"), worst_items("ca"))
    return AlignmentRead(
        viewer_user_id="UEMP" if role is Party.EMPLOYEE else "UMGR",
        viewer_role=role,
        subject_user_id="UEMP",
        subject_name="N" * 255,
        subject=employee,
        manager_side=ManagerSide.SHOWN,
        manager=manager,
        company=company,
        alignment=alignment(employee.core_values, manager.core_values, company.values),
    )


def check_blocks(blocks: list[dict[str, Any]], max_blocks: int) -> None:
    assert len(blocks) <= max_blocks
    for block in blocks:
        if block["type"] == "section":
            assert len(block.get("text", {}).get("text", "")) <= 3000
            assert len(block.get("fields", [])) <= 10
            assert all(len(f["text"]) <= 2000 for f in block.get("fields", []))
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= 150
        if block["type"] == "context":
            assert all(len(e["text"]) <= 3000 for e in block["elements"])
        if block["type"] == "actions":
            assert all(len(e["text"]["text"]) <= 75 for e in block["elements"])
        if block["type"] == "input":
            element = block["element"]
            assert len(element.get("initial_value") or "") <= element["max_length"] <= 3000


def test_every_values_message_and_view_fits_with_maximum_answers() -> None:
    assert MAX_ITEMS == 10
    own = OwnStatement(worst_statement("UEMP", "e"), tuple(f"U{n:09d}" for n in 20 * [0]), True)
    check_blocks(build_values_summary_blocks(own), 50)
    for role in (Party.EMPLOYEE, Party.MANAGER, None):
        blocks = build_alignment_blocks(worst_alignment(role))
        check_blocks(blocks, 50)
        assert len(json.dumps(blocks)) < 40_000
    check_blocks(build_home_values_blocks("UEMP", own, worst_alignment(Party.EMPLOYEE)), 100)
    for modal in (
        build_values_edit_modal(worst_statement("UEMP", "e")),
        build_company_values_modal(CompanyValues(worst_items("c"), worst_items("ca"))),
    ):
        assert len(modal["title"]["text"]) <= 24 and len(modal["submit"]["text"]) <= 24
        check_blocks(modal["blocks"], 100)


def test_escaped_text_is_never_cut_inside_an_entity() -> None:
    blocks = build_alignment_blocks(worst_alignment(Party.EMPLOYEE))
    for text in block_texts(blocks).split("\n"):
        if text.endswith("…"):
            tail = text[-6:-1]
            assert "&" not in tail or tail.endswith(";") or ";" in tail[tail.rfind("&") :]


def test_once_shared_the_home_offers_to_stop_sharing_instead(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    _, employee = shared_by_an_employee(slack, fake_slack, bot_database)
    home = open_home(slack, fake_slack, employee, showing=ACTION_VALUES_UNSHARE)
    assert ACTION_VALUES_SHARE + '"' not in json.dumps(home)  # not offered twice
    unshare = {"action_id": ACTION_VALUES_UNSHARE, "type": "button", "value": employee}
    slack.block_actions([unshare], user_id=employee, view={**home, "type": "home"})
    wait_until(  # from the Home tab, the word comes by DM
        fake_slack,
        "chat.postMessage",
        lambda c: c.args["channel"] == employee and "private to you again" in c.args["text"],
    )
    assert shares_of(bot_database, employee)[0][1] is not None  # revoked
    open_home(slack, fake_slack, employee, showing=ACTION_VALUES_SHARE + '"')
