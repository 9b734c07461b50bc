"""The demo company the sandbox opens on, built the way people would build it: each step is a
command, a form or a button in the stand-in, sent to the real bot.

It starts a few days back, so that a departure recorded then has brought its alumni invitation
by today, and ends today with one tour agreed and its first review due tomorrow, one proposed
and waiting for the employee, and one near its end.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from bot.sandbox.fake_slack import Payload
from bot.sandbox.workspace import Channel, Person, SandboxError, Workspace, state_for
from handlers.ids import (
    ACTION_ALUMNI_JOIN,
    ACTION_TOUR_ACCEPT,
    BLOCK_COMPANY_ASPIRATIONS,
    BLOCK_COMPANY_VALUES,
    BLOCK_OFFBOARD_EMAIL,
    BLOCK_OFFBOARD_LAST_DAY,
    BLOCK_OFFBOARD_LINE,
    BLOCK_OFFBOARD_STANDING,
    BLOCK_TOUR_CADENCE,
    BLOCK_TOUR_EMPLOYEE,
    BLOCK_TOUR_END,
    BLOCK_TOUR_OBJECTIVE,
    BLOCK_TOUR_START,
    BLOCK_TOUR_SUCCESS_COMPANY,
    BLOCK_TOUR_SUCCESS_EMPLOYEE,
    BLOCK_TOUR_TYPE,
)

TEAM_NAME = "Acme Robotics"
ADMIN = Person("U0ADA", "ada", "Ada Okafor", "admin", "People Operations", "Europe/London")
MARIA = Person("U0MARIA", "maria", "Maria Lopez", "manager", "Head of Engineering", "Europe/Madrid")
OMAR = Person("U0OMAR", "omar", "Omar Haddad", "manager", "Head of Sales", "America/New_York")
DANA = Person("U0DANA", "dana", "Dana Kim", "employee", "Software Engineer", "Asia/Tokyo")
SAM = Person("U0SAM", "sam", "Sam Patel", "employee", "Product Designer", "Europe/London")
PRIYA = Person(
    "U0PRIYA", "priya", "Priya Shah", "employee", "Account Executive", "America/Los_Angeles"
)
JONAS = Person("U0JONAS", "jonas", "Jonas Weber", "employee", "Sales Engineer", "Europe/Berlin")
LEE = Person(
    "U0LEE", "lee", "Lee Chen", "alum", "Solutions Consultant (2021-2026)", "Europe/Lisbon",
    email="lee.chen@example.org",
)  # fmt: skip
PEOPLE = (ADMIN, MARIA, OMAR, DANA, SAM, PRIYA, JONAS, LEE)
ALUMNI = Channel("C0ALUMNI", "alumni")
LEARNING = Channel("C0LEARNING", "learning")
LEADERSHIP = Channel("C0LEADERSHIP", "leadership")
CHANNELS = (ALUMNI, LEARNING, LEADERSHIP)

# A tour's mission objective, and what success looks like for the company and the employee.
Mission = tuple[str, str, str]

# Far enough back for a departure then to bring its invitation by today.
HISTORY = timedelta(days=3)


def demo_start(now: datetime) -> datetime:
    """When the demo's history begins: a weekday morning at least HISTORY before `now`."""
    day = (now - HISTORY).date()
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return datetime.combine(day, time(8), tzinfo=UTC)


def add_people(space: Workspace) -> None:
    """The company's people and channels, with nothing yet said or agreed."""
    for person in PEOPLE:
        space.add_person(person)
    for channel in CHANNELS:
        space.add_channel(channel)


def build_demo(space: Workspace, travel_to: Callable[[datetime], Any], today: datetime) -> None:
    """Play the demo's history from the clock's moment on to `today`."""
    started = space.clock().date()
    set_company_values(space)
    agree_tour(space, OMAR, LEE, start=started - timedelta(days=400), weeks=4)
    record_departure(space, OMAR, LEE, last_day=started)
    travel_to(today)
    press_in_dm(space, LEE, ACTION_ALUMNI_JOIN)
    now = today.date()
    agree_tour(space, MARIA, DANA, start=now - timedelta(days=27), weeks=4)
    agree_tour(space, OMAR, PRIYA, start=now - timedelta(days=515), weeks=6)
    propose_tour(space, MARIA, SAM, start=now + timedelta(days=7), weeks=4)


def set_company_values(space: Workspace) -> None:
    view = open_modal(space, ADMIN, "values company")
    answers = {
        BLOCK_COMPANY_VALUES: "Customers first\nOwn the outcome\nLearn in public",
        BLOCK_COMPANY_ASPIRATIONS: "Robots in every warehouse in Europe by 2030",
    }
    submit_form(space, ADMIN, view, answers)


def propose_tour(
    space: Workspace,
    manager: Person,
    employee: Person,
    *,
    start: date,
    weeks: int,
    mission: Mission | None = None,
) -> None:
    """The statement form, filled in: `mission` or the demo's own for this employee."""
    view = open_modal(space, manager, f"tour new @{employee.name}")
    objective, company, own = mission or MISSIONS[employee.id]
    answers = {
        BLOCK_TOUR_EMPLOYEE: employee.id,
        BLOCK_TOUR_TYPE: "transformational",
        BLOCK_TOUR_OBJECTIVE: objective,
        BLOCK_TOUR_START: start.isoformat(),
        BLOCK_TOUR_END: (start + timedelta(days=540)).isoformat(),
        BLOCK_TOUR_SUCCESS_COMPANY: company,
        BLOCK_TOUR_SUCCESS_EMPLOYEE: own,
        BLOCK_TOUR_CADENCE: str(weeks),
    }
    submit_form(space, manager, view, answers)


def agree_tour(
    space: Workspace,
    manager: Person,
    employee: Person,
    *,
    start: date,
    weeks: int,
    mission: Mission | None = None,
) -> None:
    propose_tour(space, manager, employee, start=start, weeks=weeks, mission=mission)
    press_in_dm(space, employee, ACTION_TOUR_ACCEPT)


def record_departure(space: Workspace, manager: Person, leaver: Person, *, last_day: date) -> None:
    view = open_modal(space, manager, f"offboard @{leaver.name}")
    answers = {
        BLOCK_OFFBOARD_LAST_DAY: last_day.isoformat(),
        BLOCK_OFFBOARD_STANDING: "yes",
        BLOCK_OFFBOARD_EMAIL: leaver.email,
        BLOCK_OFFBOARD_LINE: "Took our warehouse pilots from 2 sites to 40",
    }
    submit_form(space, manager, view, answers)


def submit_form(space: Workspace, person: Person, view: Payload, answers: dict[str, Any]) -> None:
    """Submit the form with `answers`; SandboxError naming the fields the bot refused."""
    space.submit(person.id, view["id"], state_for(view, answers))
    refused = [v["errors"] for v in space.modals_of(person.id) if v["id"] == view["id"]]
    if refused and refused[0]:
        raise SandboxError(f"The demo's {view.get('callback_id')} form was refused: {refused[0]}")


def open_modal(space: Workspace, person: Person, text: str) -> Payload:
    """Type `/alliance text` in the DM with the bot and wait for the form it opens."""
    already = {v["id"] for v in space.modals_of(person.id)}
    space.command(person.id, space.dm_of(person.id), text)
    return space.wait_until(
        lambda: next((v for v in space.modals_of(person.id) if v["id"] not in already), None)
    )


def press_in_dm(space: Workspace, person: Person, action_id: str) -> None:
    """Press the newest button `action_id` in the person's DM with the bot, once it is there."""
    dm = space.dm_of(person.id)

    def newest() -> tuple[str, Payload] | None:
        for message in reversed(space.messages_in(dm, person.id)):
            action = button_in(message.get("blocks") or [], action_id)
            if action is not None:
                return message["ts"], action
        return None

    ts, action = space.wait_until(newest)
    space.press(person.id, {"type": "message", "channel": dm, "ts": ts}, action)


def button_in(blocks: list[Payload], action_id: str) -> Payload | None:
    """The button as block_actions reports it when pressed."""
    for block in blocks:
        elements = block.get("elements", []) if block.get("type") == "actions" else []
        for element in [*elements, block.get("accessory") or {}]:
            if element.get("action_id") == action_id:
                return {**element, "block_id": block.get("block_id", "")}
    return None


MISSIONS: dict[str, Mission] = {
    LEE.id: (
        "Take the warehouse pilots from 2 sites to 40",
        "40 sites live, each running without us after 3 months",
        "Leads a programme across countries; known for it in the industry",
    ),
    DANA.id: (
        "Rebuild the fleet dashboard so a site manager sees every robot in one screen",
        "Support tickets about fleet status halved",
        "Leads a cross-team project end to end; speaks at a robotics meetup",
    ),
    PRIYA.id: (
        "Open the Nordics: the first ten customers in Sweden and Norway",
        "Ten signed customers and a partner in each country",
        "Runs a region of her own; builds a network in Nordic logistics",
    ),
    SAM.id: (
        "Design the operator app for the new picking robot",
        "Operators trained in under an hour on the new robot",
        "Owns a product's design from research to launch",
    ),
}
