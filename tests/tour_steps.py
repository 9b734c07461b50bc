"""The steps of a tour of duty as people take them in Slack, for the end-to-end tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import requests

from bot.sandbox.demo import button_in
from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.signed_requests import SignedRequests
from handlers.ids import (
    BLOCK_TOUR_CADENCE,
    BLOCK_TOUR_EMPLOYEE,
    BLOCK_TOUR_END,
    BLOCK_TOUR_OBJECTIVE,
    BLOCK_TOUR_START,
    BLOCK_TOUR_SUCCESS_COMPANY,
    BLOCK_TOUR_SUCCESS_EMPLOYEE,
    BLOCK_TOUR_TYPE,
)
from tests import clock
from tests.helpers import new_user_id, wait_for_call, wait_until

TODAY = clock.TODAY


@dataclass
class Pair:
    """A manager and a report, both known to the fake Slack."""

    manager: str
    employee: str


def new_pair(fake: FakeSlack) -> Pair:
    pair = Pair(new_user_id(), new_user_id())
    fake.add_user(pair.manager, name="sam", real_name="Sam Rivera", tz="Europe/Madrid")
    fake.add_user(pair.employee, name="dana", real_name="Dana Okafor", tz="Europe/Madrid")
    return pair


def form(**changes: Any) -> dict[str, Any]:
    """A valid statement as typed into the modal; `changes` override fields (None clears one)."""
    values: dict[str, Any] = {
        "tour_type": "transformational",
        "objective": "Take checkout from 3 steps to 1 and lift conversion by 5%",
        "start_date": TODAY.isoformat(),
        "end_date": (TODAY + timedelta(days=540)).isoformat(),
        "success_company": "Conversion up 5%; a team that runs checkout without us",
        "success_employee": "Leads a cross-team project; known as our checkout expert",
        "cadence_weeks": "4",
    }
    values.update(changes)
    return values


def state_values(values: dict[str, Any], employee: str | None) -> dict[str, Any]:
    """Slack's view.state.values for the statement modal."""

    def selected(value: str | None, kind: str) -> dict[str, Any]:
        option = (
            None
            if value is None
            else {"text": {"type": "plain_text", "text": value}, "value": value}
        )
        return {"type": kind, "selected_option": option}

    state: dict[str, Any] = {
        BLOCK_TOUR_TYPE: {BLOCK_TOUR_TYPE: selected(values["tour_type"], "radio_buttons")},
        BLOCK_TOUR_OBJECTIVE: {
            BLOCK_TOUR_OBJECTIVE: {"type": "plain_text_input", "value": values["objective"]}
        },
        BLOCK_TOUR_START: {
            BLOCK_TOUR_START: {"type": "datepicker", "selected_date": values["start_date"]}
        },
        BLOCK_TOUR_END: {
            BLOCK_TOUR_END: {"type": "datepicker", "selected_date": values["end_date"]}
        },
        BLOCK_TOUR_SUCCESS_COMPANY: {
            BLOCK_TOUR_SUCCESS_COMPANY: {
                "type": "plain_text_input",
                "value": values["success_company"],
            }
        },
        BLOCK_TOUR_SUCCESS_EMPLOYEE: {
            BLOCK_TOUR_SUCCESS_EMPLOYEE: {
                "type": "plain_text_input",
                "value": values["success_employee"],
            }
        },
        BLOCK_TOUR_CADENCE: {
            BLOCK_TOUR_CADENCE: selected(values["cadence_weeks"], "static_select")
        },
    }
    if employee is not None:
        state[BLOCK_TOUR_EMPLOYEE] = {
            BLOCK_TOUR_EMPLOYEE: {"type": "users_select", "selected_user": employee}
        }
    return state


def open_statement_modal(
    slack: SignedRequests, fake: FakeSlack, manager: str, text: str
) -> dict[str, Any]:
    """`/alliance tour new …` as the manager types it; returns the modal the bot opened."""
    trigger = f"trigger-{new_user_id()}"
    response = slack.slash_command(text, user_id=manager, trigger_id=trigger)
    assert (response.status_code, response.text) == (200, "")
    return dict(wait_for_call(fake, "views.open", trigger_id=trigger).json("view"))


def submit(
    slack: SignedRequests,
    modal: dict[str, Any],
    user_id: str,
    values: dict[str, Any],
    employee: str | None,
) -> requests.Response:
    """Submit the modal the bot opened, as Slack sends it, with `values` entered."""
    view = {**modal, "state": {"values": state_values(values, employee)}}
    return slack.view_submission(view, user_id=user_id)


def dm_with_button(fake: FakeSlack, user_id: str, action_id: str, nth: int = 1) -> Any:
    """The `nth` DM the bot sent to `user_id` that carries an `action_id` button."""

    def has_button(call: Any) -> bool:
        return call.args.get("channel") == user_id and any(
            element.get("action_id") == action_id
            for block in call.json("blocks") or []
            if block["type"] == "actions"
            for element in block["elements"]
        )

    return wait_until(fake, "chat.postMessage", has_button, nth)[nth - 1]


def is_dm_to(call: Any, user_id: str) -> bool:
    """Sent to the person: by user id, or into the DM channel their message came from."""
    return call.args.get("channel") in (user_id, f"D{user_id}")


def dm_texts(fake: FakeSlack, user_id: str) -> list[str]:
    return [c.args.get("text", "") for c in fake.calls("chat.postMessage") if is_dm_to(c, user_id)]


def button(message_call: Any, action_id: str) -> dict[str, Any]:
    """The button (in an actions block or beside a section) as block_actions reports it."""
    found = button_in(message_call.json("blocks"), action_id)
    if found is None:
        raise AssertionError(f"no {action_id} button in {message_call.json('blocks')}")
    return found


def press(
    slack: SignedRequests,
    message_call: Any,
    action_id: str,
    user_id: str,
    trigger_id: str | None = None,
    value: str | None = None,
) -> requests.Response:
    """Press a button on a DM the bot sent, as Slack reports it (`value` forges one)."""
    element = (
        button(message_call, action_id)
        if value is None
        else {"value": value, "text": {"type": "plain_text", "text": action_id}}
    )
    action = {
        "action_id": action_id,
        "block_id": "x",
        "type": "button",
        "value": element["value"],
        "text": element["text"],
    }
    return act_on(slack, message_call, action, user_id, trigger_id)


def choose(
    slack: SignedRequests, message_call: Any, action_id: str, user_id: str, label: str
) -> requests.Response:
    """Pick the option shown as `label` in the overflow menu `action_id` of a DM the bot sent."""
    menu = button_in(message_call.json("blocks"), action_id)
    assert menu is not None, f"no {action_id} menu in {message_call.json('blocks')}"
    [option] = [o for o in menu["options"] if o["text"]["text"] == label]
    action = {
        "action_id": action_id,
        "block_id": "x",
        "type": "overflow",
        "selected_option": option,
    }
    return act_on(slack, message_call, action, user_id)


def act_on(
    slack: SignedRequests,
    message_call: Any,
    action: dict[str, Any],
    user_id: str,
    trigger_id: str | None = None,
) -> requests.Response:
    """A block_actions request for `action` on the message the bot sent, as Slack sends it."""
    channel = message_call.args["channel"]
    message = {
        "type": "message",
        "ts": "1700000000.000100",
        "text": message_call.args["text"],
        "blocks": message_call.json("blocks"),
    }
    return slack.interactive(
        slack.block_actions_payload(
            [action],
            user_id=user_id,
            container={
                "type": "message",
                "message_ts": "1700000000.000100",
                "channel_id": channel,
                "is_ephemeral": False,
            },
            trigger_id=trigger_id,
            message=message,
            channel_id=channel,
        )
    )


def converse(slack: SignedRequests, fake: FakeSlack, user_id: str, replies: list[str]) -> None:
    """Reply in a DM one message at a time, each after the bot has answered the one before."""
    for reply in replies:
        answered = len(dm_texts(fake, user_id))
        slack.event(
            {
                "type": "message",
                "channel_type": "im",
                "channel": f"D{user_id}",
                "user": user_id,
                "text": reply,
                "ts": "1700000001.000200",
            }
        )
        wait_until(fake, "chat.postMessage", lambda c: is_dm_to(c, user_id), answered + 1)
