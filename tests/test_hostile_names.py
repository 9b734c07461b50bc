"""Names and texts from people stay text in everything the bot sends.

The sandbox's demo company, every person's name made hostile (`<!here>`, `<!channel>`, a user
mention and a disguised link), plays its history through the real bot; people then type the same
into a learning, a question to the alumni, an expense, company news and a new tour, open their
Home tabs, and the clock runs six weeks on so reviews, reminders, tour-end prompts, invitations
and the leadership digest go out. No mrkdwn the bot sent — blocks, fallback `text`, replies to a
response_url, acks, views — may carry any of it as a live entity."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.sandbox import demo
from bot.sandbox.run import Sandbox, running_sandbox
from handlers.ids import ACTION_EXPENSE_APPROVE, ACTION_LEARNING_CONFIRM
from handlers.mrkdwn import escape_mrkdwn
from tests import clock

pytestmark = pytest.mark.dateless

HOSTILE = "<!here> & <https://evil.example|Co> <@UEVIL0001> <!channel>"
LIVE_ENTITIES = ("<!here", "<!channel", "<https://evil.example", "<@UEVIL0001")
HOSTILE_PEOPLE = tuple(replace(p, real_name=f"{p.real_name} {HOSTILE}") for p in demo.PEOPLE)
WEEKS_LATER = timedelta(weeks=6)


@pytest.fixture()
def hostile_sandbox(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Sandbox]:
    monkeypatch.setattr(demo, "PEOPLE", HOSTILE_PEOPLE)
    with running_sandbox(0, tmp_path, today=clock.now()) as running:
        yield running


def mrkdwn_in(value: Any, top_level: bool = True) -> Iterator[str]:
    """Every text Slack reads as mrkdwn: `text` of a message and of each mrkdwn object."""
    if isinstance(value, str) and value[:1] in "[{":
        try:
            value = json.loads(value)
        except ValueError:
            return
    if isinstance(value, dict):
        if value.get("type") == "mrkdwn" or (top_level and isinstance(value.get("text"), str)):
            yield str(value.get("text", ""))
        for key, item in value.items():
            if key != "text" or not isinstance(item, str):
                yield from mrkdwn_in(item, top_level=False)
    elif isinstance(value, list):
        for item in value:
            yield from mrkdwn_in(item, top_level=False)


def live_entities(texts: Iterator[str]) -> list[str]:
    return [text for text in texts if any(entity in text for entity in LIVE_ENTITIES)]


def everyone_acts(sandbox: Sandbox) -> None:
    space = sandbox.workspace
    dana, sam, admin, maria = demo.DANA, demo.SAM, demo.ADMIN, demo.MARIA
    space.command(dana.id, space.dm_of(dana.id), f"learned pairing beats docs {HOSTILE}")
    demo.press_in_dm(space, dana, ACTION_LEARNING_CONFIRM)
    space.command(sam.id, space.dm_of(sam.id), f"ask Who knows Rust? {HOSTILE}")
    space.command(dana.id, space.dm_of(dana.id), f"expense 900 conference {HOSTILE}")
    demo.press_in_dm(space, maria, ACTION_EXPENSE_APPROVE)
    space.command(admin.id, space.dm_of(admin.id), f"news We opened Lisbon {HOSTILE}")
    space.command(maria.id, space.dm_of(maria.id), "tour")
    demo.agree_tour(
        space,
        demo.OMAR,
        demo.JONAS,
        start=clock.now().date(),
        weeks=2,
        mission=(f"Win Nordics {HOSTILE}", f"Revenue {HOSTILE}", f"Lead deals {HOSTILE}"),
    )
    for person in demo.PEOPLE:
        space.open_home(person.id)
        space.command(person.id, space.dm_of(person.id), "help")
    sandbox.travel.to(space.clock() + WEEKS_LATER)


def test_hostile_names_and_texts_are_never_live_in_what_the_bot_sends(
    hostile_sandbox: Sandbox,
) -> None:
    everyone_acts(hostile_sandbox)
    calls = hostile_sandbox.slack.calls()
    sent_texts = [text for call in calls for text in mrkdwn_in(call.args)]
    assert sum(escape_mrkdwn(HOSTILE) in text for text in sent_texts) > 20  # shown, as text
    assert not live_entities(iter(sent_texts))
    space = hostile_sandbox.workspace
    acks = [
        text
        for person in demo.PEOPLE
        for message in space.messages_in(space.dm_of(person.id), person.id)
        for text in mrkdwn_in(message)
    ]
    assert not live_entities(iter(acks))
    methods = {call.method for call in calls}
    assert {"chat.postMessage", "views.publish", "views.open", "response_url"} <= methods
