"""The whole life of an alliance, through the sandbox's page only, in a real headless Chromium:
proposed, accepted, reviewed by both sides, brought to its end, and continued in the alumni
network; then the leadership report with its chart. A screenshot of each step is written to a
folder this test prints. Nothing the page loads may come from outside 127.0.0.1."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.sandbox import demo
from bot.sandbox.run import Sandbox, running_sandbox
from handlers.ids import (
    ACTION_ALUMNI_JOIN,
    ACTION_OPPORTUNITY_INTERESTED,
    ACTION_REVIEW_ALIGNMENT,
    ACTION_REVIEW_PROGRESS,
    ACTION_REVIEW_THOUGHTS,
    ACTION_TOUR_ACCEPT,
    ACTION_TOUR_END_TRANSITION,
    BLOCK_OFFBOARD_EMAIL,
    BLOCK_OFFBOARD_LAST_DAY,
    BLOCK_OFFBOARD_LINE,
    BLOCK_OFFBOARD_STANDING,
    BLOCK_OPPORTUNITY_CLOSES,
    BLOCK_OPPORTUNITY_CONTACT,
    BLOCK_OPPORTUNITY_DESCRIPTION,
    BLOCK_OPPORTUNITY_KIND,
    BLOCK_OPPORTUNITY_LINK,
    BLOCK_OPPORTUNITY_TITLE,
    BLOCK_REVIEW_LEARNED,
    BLOCK_REVIEW_TO_ADDRESS,
    BLOCK_TOUR_CADENCE,
    BLOCK_TOUR_END,
    BLOCK_TOUR_OBJECTIVE,
    BLOCK_TOUR_START,
    BLOCK_TOUR_SUCCESS_COMPANY,
    BLOCK_TOUR_SUCCESS_EMPLOYEE,
    BLOCK_TOUR_TYPE,
)
from tests import clock

CHROMIUM = Path("/usr/bin/chromium")
playwright = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="no Chromium at /usr/bin/chromium (Debian's chromium package)"
)
# Chromium's own calls home, which a page cannot cause and the count must not include.
CHROMIUM_FLAGS = [
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-domain-reliability",
    "--disable-sync",
    "--no-first-run",
    "--metrics-recording-only",
]
WAIT_MS = 10_000
MISSION = "Run the Nordic demo programme"
Page = Any


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    data = tmp_path_factory.mktemp("browser-sandbox")
    with running_sandbox(0, data, today=clock.now()) as running:
        yield running


class Walk:
    """The page, and the steps of a person using it, each one photographed."""

    def __init__(self, page: Page, sandbox: Sandbox, shots: Path) -> None:
        self.page = page
        self.sandbox = sandbox
        self.shots = shots
        self.taken = 0

    def shot(self, name: str) -> None:
        self.taken += 1
        self.page.screenshot(path=str(self.shots / f"{self.taken:02d}-{name}.png"))

    def be(self, person: demo.Person) -> None:
        self.page.select_option("#person", person.id)
        self.page.wait_for_function(
            "id => document.querySelector('#person').value === id", arg=person.id
        )

    def open_dm(self) -> None:
        self.page.click('#nav [data-channel^="D"]')

    def open_channel(self, channel: demo.Channel) -> None:
        self.page.click(f'#nav [data-channel="{channel.id}"]')

    def open_home(self) -> None:
        self.page.click('#nav [data-channel="home"]')

    def type(self, text: str) -> None:
        self.page.fill("#composer", text)
        self.page.press("#composer", "Enter")

    def command(self, text: str) -> None:
        """`/alliance text` typed into the DM with the bot."""
        self.open_dm()
        self.type(f"/alliance {text}")

    def modal(self) -> Any:
        found = self.page.locator("#modal")
        found.wait_for(state="visible", timeout=WAIT_MS)
        return found

    def fill(self, answers: dict[str, Any]) -> None:
        """Enter each answer in the modal's field of that block, by the kind of field."""
        for block_id, answer in answers.items():
            field = self.modal().locator(f'[data-block-id="{block_id}"] [data-action-id]').first
            tag = field.evaluate("e => e.tagName.toLowerCase()")
            if tag == "select":
                field.select_option(str(answer))
            elif tag in ("input", "textarea"):
                field.fill(answer.isoformat() if isinstance(answer, date) else str(answer))
            else:  # radio buttons or checkboxes
                field.locator(f'input[value="{answer}"]').check()

    def submit(self) -> None:
        self.page.click("#modal-submit")

    def message_with(self, action_id: str, about: str = "") -> Any:
        """The newest message (mentioning `about`) that carries the button `action_id`."""
        button = self.page.locator(f'[data-action-id="{action_id}"]')
        return self.page.locator("#messages .message").filter(has=button, has_text=about).last

    def press(self, action_id: str, about: str = "") -> None:
        found = self.message_with(action_id, about).locator(f'[data-action-id="{action_id}"]')
        found.first.wait_for(timeout=WAIT_MS)
        found.first.click()

    def sees(self, text: str, where: str = "#main") -> None:
        self.page.locator(where).get_by_text(text).last.wait_for(timeout=WAIT_MS)

    def move_clock_until(self, button: str, seen: Callable[[], bool], times: int) -> None:
        """Press a clock button until `seen()` holds (the scheduler works as the clock moves)."""
        for _ in range(times):
            if seen():
                return
            self.page.click(button)
            self.page.wait_for_function("() => document.querySelector('#busy').hidden")
            self.page.wait_for_timeout(300)  # a delivery pass runs each real second
        assert seen(), f"still not there after pressing {button} {times} times"

    def has(self, selector: str) -> bool:
        return bool(self.page.locator(selector).count())


@pytest.fixture()
def walk(sandbox: Sandbox, tmp_path: Path) -> Iterator[Walk]:
    shots = Path(os.environ.get("ALLIANCE_SCREENSHOTS") or tmp_path / "screenshots")
    shots.mkdir(parents=True, exist_ok=True)
    print(f"\nscreenshots: {shots}")
    outside: list[str] = []
    with playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 860})
        page.set_default_timeout(WAIT_MS)
        page.on(
            "request",
            lambda r: (
                None if r.url.startswith(("http://127.0.0.1", "data:")) else outside.append(r.url)
            ),
        )
        page.goto(sandbox.url)
        yield Walk(page, sandbox, shots)
        browser.close()
    assert outside == [], f"the page reached beyond 127.0.0.1: {outside}"


def test_the_life_of_an_alliance_through_the_page(walk: Walk) -> None:
    start = clock.TODAY + timedelta(days=1)
    end = start + timedelta(days=75)

    # The manager proposes a tour in the form, and is told when the end comes before the start.
    walk.be(demo.OMAR)
    walk.command("tour new @jonas")
    walk.fill(
        {
            BLOCK_TOUR_TYPE: "rotational",
            BLOCK_TOUR_OBJECTIVE: MISSION,
            BLOCK_TOUR_START: start,
            BLOCK_TOUR_END: start - timedelta(days=1),
            BLOCK_TOUR_SUCCESS_COMPANY: "Twenty demos a month across the Nordics",
            BLOCK_TOUR_SUCCESS_EMPLOYEE: "Known across the region; leads the demo team",
            BLOCK_TOUR_CADENCE: "2",
        }
    )
    walk.submit()
    walk.sees("The end must come after the start.", "#modal .field-error")
    walk.shot("end-before-start")
    walk.fill({BLOCK_TOUR_END: end})
    walk.submit()
    walk.page.locator("#modal").wait_for(state="detached")

    # The employee accepts it in the DM.
    walk.be(demo.JONAS)
    walk.open_dm()
    walk.sees(MISSION, "#messages")
    walk.shot("proposal-in-the-dm")
    walk.press(ACTION_TOUR_ACCEPT)
    walk.sees("agreed your Statement of Alliance", "#messages")

    # The first review arrives as the clock moves; both sides answer it.
    progress = f'#messages [data-action-id="{ACTION_REVIEW_PROGRESS["on_track"]}"]'
    walk.move_clock_until("#plus-day", lambda: walk.has(progress), times=21)
    walk.shot("review-prompt")
    for person in (demo.JONAS, demo.OMAR):
        walk.be(person)
        walk.open_dm()
        walk.move_clock_until("#plus-day", lambda: walk.has(progress), times=3)
        # Each answer shows on the prompt before the next button is pressed.
        walk.press(ACTION_REVIEW_PROGRESS["on_track"], about=MISSION)
        on_track = ACTION_REVIEW_PROGRESS["on_track"]
        prompt = walk.message_with(on_track, about=MISSION)
        prompt.locator(f'[data-action-id="{on_track}"].btn-primary').wait_for()
        walk.press(ACTION_REVIEW_ALIGNMENT[4], about=MISSION)
        walk.sees("4/5", "#messages")
        if person == demo.JONAS:  # the employee adds their thoughts in the modal
            walk.press(ACTION_REVIEW_THOUGHTS, about=MISSION)
            walk.fill({BLOCK_REVIEW_TO_ADDRESS: "More customer calls"})
            walk.fill({BLOCK_REVIEW_LEARNED: "Nordic buyers want a pilot first"})
            walk.shot("review-thoughts")
            walk.submit()
            walk.page.locator("#modal").wait_for(state="detached")
            walk.sees("Nordic buyers want a pilot first", "#messages")
    walk.shot("review-answered")

    # The tour's end comes into view: the employee chooses to discuss a transition.
    walk.be(demo.JONAS)
    walk.open_dm()
    transition = f'#messages [data-action-id="{ACTION_TOUR_END_TRANSITION}"]'
    walk.move_clock_until("#plus-week", lambda: walk.has(transition), times=10)
    walk.shot("tour-end-prompt")
    walk.press(ACTION_TOUR_END_TRANSITION, about="Rotational")
    walk.sees("transition", "#messages")

    # The manager records the departure; on the last day the alum is invited and joins.
    walk.be(demo.OMAR)
    walk.command("offboard @jonas")
    last_day = walk.sandbox.workspace.clock().date()
    walk.fill(
        {
            BLOCK_OFFBOARD_LAST_DAY: last_day + timedelta(days=2),
            BLOCK_OFFBOARD_STANDING: "yes",
            BLOCK_OFFBOARD_EMAIL: "jonas.weber@example.org",
            BLOCK_OFFBOARD_LINE: "Ran the Nordic demo programme",
        }
    )
    walk.shot("departure-form")
    walk.submit()
    walk.page.locator("#modal").wait_for(state="detached")
    walk.be(demo.JONAS)
    walk.open_dm()
    join = f'#messages [data-action-id="{ACTION_ALUMNI_JOIN}"]'
    walk.move_clock_until("#plus-day", lambda: walk.has(join), times=7)
    walk.press(ACTION_ALUMNI_JOIN)
    walk.open_channel(demo.ALUMNI)
    walk.sees("Ran the Nordic demo programme", "#messages")
    walk.shot("alum-welcomed")

    # An employee offers an opportunity; the alum is interested.
    walk.be(demo.DANA)
    walk.command("opportunity")
    walk.fill(
        {
            BLOCK_OPPORTUNITY_KIND: "consulting",
            BLOCK_OPPORTUNITY_TITLE: "Fleet dashboard review",
            BLOCK_OPPORTUNITY_DESCRIPTION: "Two weeks to review our fleet dashboard with us.",
            BLOCK_OPPORTUNITY_LINK: "https://example.com/fleet",
            BLOCK_OPPORTUNITY_CONTACT: "dana@example.com",
            BLOCK_OPPORTUNITY_CLOSES: last_day + timedelta(days=60),
        }
    )
    walk.submit()
    walk.page.locator("#modal").wait_for(state="detached")
    walk.be(demo.JONAS)
    walk.open_channel(demo.ALUMNI)
    interested = f'#messages [data-action-id="{ACTION_OPPORTUNITY_INTERESTED}"]'
    walk.move_clock_until("#plus-day", lambda: walk.has(interested), times=4)
    walk.shot("opportunity-posted")
    walk.press(ACTION_OPPORTUNITY_INTERESTED)
    walk.be(demo.DANA)
    walk.open_dm()
    heard = "#messages .message:has-text('Jonas Weber')"
    walk.move_clock_until("#plus-day", lambda: walk.has(heard), times=3)
    walk.shot("interest-heard")

    # The admin asks for the leadership report and sees its chart.
    walk.be(demo.ADMIN)
    walk.command("report")
    chart = walk.page.locator("#messages img").last
    chart.wait_for(timeout=WAIT_MS)
    walk.page.wait_for_function(
        "() => [...document.querySelectorAll('#messages img')].some(i => i.naturalWidth > 0)"
    )
    walk.shot("leadership-report")
