"""`alliance sandbox` through its page's API, as the page uses it: the demo company on the
first screen, commands and buttons reaching the real bot, and the clock moving the scheduler."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
import requests

from bot.sandbox import demo
from bot.sandbox.run import Sandbox, running_sandbox
from bot.sandbox.workspace import state_for
from handlers.ids import (
    ACTION_TOUR_ACCEPT,
    BLOCK_TOUR_CADENCE,
    BLOCK_TOUR_END,
    BLOCK_TOUR_OBJECTIVE,
    BLOCK_TOUR_START,
    BLOCK_TOUR_SUCCESS_COMPANY,
    BLOCK_TOUR_SUCCESS_EMPLOYEE,
    BLOCK_TOUR_TYPE,
)
from tests import clock

Seen = dict[str, Any]


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    with running_sandbox(0, tmp_path_factory.mktemp("sandbox"), today=clock.now()) as running:
        yield running


def seen(sandbox: Sandbox, person: demo.Person, after: int = -1) -> Seen:
    answer = requests.get(
        f"{sandbox.url}sandbox/state", params={"as": person.id, "after": after}, timeout=30
    )
    assert answer.status_code == 200
    return dict(answer.json())


def act(sandbox: Sandbox, **body: Any) -> Seen:
    answer = requests.post(f"{sandbox.url}sandbox/act", json=body, timeout=60)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def texts(state: Seen, channel: str) -> list[str]:
    return [m["text"] for m in state["conversations"].get(channel, [])]


def dm(state: Seen) -> str:
    return next(c["id"] for c in state["channels"] if c["kind"] == "dm")


def eventually(sandbox: Sandbox, person: demo.Person, check: Callable[[Seen], Any]) -> Seen:
    """Follow the long poll until `check` holds of what the person sees (20 changes at most)."""
    state = seen(sandbox, person)
    for _ in range(20):
        if check(state):
            return state
        state = seen(sandbox, person, after=state["version"])
    raise AssertionError(f"never came: {state}")


def test_the_first_screen_has_the_demo_company(sandbox: Sandbox) -> None:
    maria = seen(sandbox, demo.MARIA)
    assert {p["real_name"] for p in maria["people"]} >= {"Maria Lopez", "Dana Kim", "Lee Chen"}
    assert {c["name"] for c in maria["channels"]} == {
        "Alliance",
        "alumni",
        "learning",
        "leadership",
    }
    act(sandbox, **{"as": demo.MARIA.id}, kind="open_home")
    home = eventually(sandbox, demo.MARIA, lambda s: "Dana Kim" in str(s["home"]))["home"]
    assert "Your team" in str(home["blocks"]) and "Priya" not in str(home["blocks"])
    # The demo's messages go through the outbox, as every message does: they arrive in turn.
    eventually(
        sandbox,
        demo.DANA,
        lambda s: any("agreed your Statement of Alliance" in t for t in texts(s, dm(s))),
    )
    sam = eventually(
        sandbox,
        demo.SAM,
        lambda s: (
            any(
                ACTION_TOUR_ACCEPT in str(m.get("blocks"))
                for m in s["conversations"].get(dm(s), [])
            )
            and any("welcome <@U0LEE> to the alumni network" in t for t in texts(s, demo.ALUMNI.id))
        ),
    )
    assert sam["conversations"][dm(sam)]


def test_a_command_is_answered_only_to_the_person_who_typed_it(sandbox: Sandbox) -> None:
    before = seen(sandbox, demo.JONAS)
    channel = dm(before)
    assert act(sandbox, **{"as": demo.JONAS.id}, kind="command", channel=channel, text="help")
    after = seen(sandbox, demo.JONAS, after=before["version"])  # the long poll wakes for it
    assert after["version"] > before["version"]
    [reply] = [m for m in after["conversations"][channel] if m["ephemeral"]]
    assert reply["user_name"] == "Alliance" and "/alliance tour" in str(reply["blocks"])
    maria_sees = seen(sandbox, demo.MARIA)["conversations"]
    assert all(reply["ts"] != m["ts"] for ms in maria_sees.values() for m in ms)


def test_a_tour_proposed_through_the_form_reaches_the_employee(sandbox: Sandbox) -> None:
    omar = seen(sandbox, demo.OMAR)
    act(sandbox, **{"as": demo.OMAR.id}, kind="command", channel=dm(omar), text="tour new @jonas")
    modal = eventually(sandbox, demo.OMAR, lambda s: s["modals"])["modals"][-1]
    start = clock.TODAY
    answers = {
        BLOCK_TOUR_TYPE: "rotational",
        BLOCK_TOUR_OBJECTIVE: "Run the demo programme for the Nordics",
        BLOCK_TOUR_START: start.isoformat(),
        BLOCK_TOUR_END: (start - timedelta(days=1)).isoformat(),
        BLOCK_TOUR_SUCCESS_COMPANY: "Twenty demos a month",
        BLOCK_TOUR_SUCCESS_EMPLOYEE: "Known across the region",
        BLOCK_TOUR_CADENCE: "4",
    }
    refused = act(
        sandbox,
        **{"as": demo.OMAR.id},
        kind="submit",
        view_id=modal["id"],
        state=state_for(modal, answers),
    )
    assert refused == {"ok": True}
    [shown] = seen(sandbox, demo.OMAR)["modals"]
    assert shown["errors"][BLOCK_TOUR_END] == "The end must come after the start."

    answers[BLOCK_TOUR_END] = (start + timedelta(days=365)).isoformat()
    act(
        sandbox,
        **{"as": demo.OMAR.id},
        kind="submit",
        view_id=modal["id"],
        state=state_for(modal, answers),
    )
    after = seen(sandbox, demo.OMAR)["modals"]
    assert after == [], [(v["title"], v["errors"]) for v in after]
    jonas = eventually(
        sandbox,
        demo.JONAS,
        lambda s: any(
            ACTION_TOUR_ACCEPT in str(m.get("blocks")) for m in s["conversations"][dm(s)]
        ),
    )
    assert any("Omar Haddad" in t for t in texts(jonas, dm(jonas)))


def test_moving_the_clock_brings_the_first_review_to_both_sides(sandbox: Sandbox) -> None:
    assert act(sandbox, kind="clock", advance_seconds=7 * 86400) == {"ok": True}
    for person in (demo.DANA, demo.MARIA):
        state = eventually(
            sandbox, person, lambda s: any("review" in t.lower() for t in texts(s, dm(s))[-3:])
        )
        assert not state["busy"]
    assert (
        seen(sandbox, demo.DANA)["clock"]["date"] == (clock.TODAY + timedelta(days=7)).isoformat()
    )


def test_the_clock_only_moves_forward(sandbox: Sandbox) -> None:
    refused = act(sandbox, kind="clock", to=clock.TODAY.isoformat())
    assert refused == {"ok": False, "error": "The clock only moves forward: choose a later date."}


def test_the_page_is_served_from_the_package_and_acts_only_as_json(sandbox: Sandbox) -> None:
    page = requests.get(sandbox.url, timeout=5)
    assert page.status_code == 200 and "<title>Alliance sandbox</title>" in page.text
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    form = requests.post(f"{sandbox.url}sandbox/act", data={"kind": "clock"}, timeout=5)
    assert form.status_code == 415


def test_a_stranger_host_name_is_refused(sandbox: Sandbox) -> None:
    answer = requests.get(sandbox.url, headers={"Host": "evil.example:80"}, timeout=5)
    assert answer.status_code == 421


def test_an_exported_statement_downloads_from_the_page(sandbox: Sandbox) -> None:
    dana = seen(sandbox, demo.DANA)
    act(sandbox, **{"as": demo.DANA.id}, kind="command", channel=dm(dana), text="tour export")
    state = eventually(
        sandbox, demo.DANA, lambda s: any(m.get("files") for m in s["conversations"].get(dm(s), []))
    )
    [file] = next(m["files"] for m in state["conversations"][dm(state)] if m.get("files"))
    download = requests.get(f"{sandbox.url}{file['url'].lstrip('/')}", timeout=5)
    assert download.status_code == 200 and not file["is_image"]
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert "Rebuild the fleet dashboard" in download.content.decode()
