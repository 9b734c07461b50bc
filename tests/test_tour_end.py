"""The tour-end conversation end to end, with the clock in the test's hands: lead-time prompts,
the decision made with buttons in Slack, the next tour planned from it, the tour ending with a
thank-you, and a tour that passes its end undecided flagged to its manager and the admins."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.signed_requests import SignedRequests
from db.engine import Database
from db.models import Outbox, Tour
from domain.schedule import DEFAULT_LEAD_DAYS
from handlers.ids import (
    ACTION_TOUR_END_LATER,
    ACTION_TOUR_END_NEW,
    ACTION_TOUR_END_OFFBOARD,
    ACTION_TOUR_END_TRANSITION,
)
from handlers.tour_views import ModalPurpose
from services.tour_end import DECIDED, OVERDUE, PROMPT, plan_end_prompts, run_tour_transitions
from services.tour_lifecycle import THANKS
from tests import clock
from tests.helpers import (
    answer_with,
    block_texts,
    eventually,
    new_user_id,
    wait_for_call,
    wait_until,
)
from tests.review_steps import ADMIN, HOURS, Agreed, agree_tour, deliver
from tests.tour_steps import TODAY, button, dm_with_button, form, press, submit

# Sooner than the tours other test files agree (540 days), so that passes at these dates leave
# theirs alone; 90 days after a Monday, so that the 90, 60 and 30 days' prompts fall on a Monday,
# a Wednesday and a Friday in both pair's zones, whatever the date the suite runs on (moving a
# prompt past a weekend is domain/schedule's, tested there).
_MONTH_AHEAD = TODAY + timedelta(days=30)
END = _MONTH_AHEAD + timedelta(days=90 + (7 - _MONTH_AHEAD.weekday()) % 7)


TOKYO = ZoneInfo("Asia/Tokyo")  # where agree_tour's employee is


def noon(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=UTC)


def ending_tour(slack: SignedRequests, fake: FakeSlack, database: Database) -> Agreed:
    """An active tour (Tokyo employee, New York manager) that ends on END."""
    agreed = agree_tour(slack, fake, database)
    with database.session() as session:
        tour = session.get(Tour, agreed.tour_id)
        assert tour is not None
        tour.end_date = tour.current_version.end_date = END
        tour.next_end_prompt_on = TODAY  # as activation leaves it: the next pass decides
    return agreed


def stored_tour(database: Database, tour_id: int) -> Tour:
    with database.read() as session:
        tour = session.get(Tour, tour_id)
        assert tour is not None
        return tour


def planned(database: Database, purpose: str, tour_id: int) -> list[Outbox]:
    with database.read() as session:
        return list(
            session.scalars(
                select(Outbox)
                .where(Outbox.purpose == purpose, Outbox.subject.like(f"tour:{tour_id}:%"))
                .order_by(Outbox.id)
            )
        )


def agreed_follow_on(database: Database, tour_id: int) -> Tour | None:
    with database.read() as session:
        return (
            session.scalars(
                select(Tour).where(Tour.previous_tour_id == tour_id, Tour.status == "agreed")
            )
            .unique()
            .one_or_none()
        )


def plan(database: Database, now: datetime, leads: tuple[int, ...] = DEFAULT_LEAD_DAYS) -> None:
    plan_end_prompts(database, now=now, hours=HOURS, lead_days=leads, limit=1000)


def transitions(database: Database, now: datetime) -> None:
    run_tour_transitions(database, now=now, hours=HOURS, admins={ADMIN}, limit=1000)


def prompts_out(slack: SignedRequests, fake: FakeSlack, database: Database) -> tuple[Agreed, Any]:
    """A tour whose 90-day prompts were delivered; returns it and the employee's prompt."""
    agreed = ending_tour(slack, fake, database)
    plan(database, noon(END - timedelta(days=90)))
    deliver(database, fake, noon(END - timedelta(days=89)))
    return agreed, dm_with_button(fake, agreed.pair.employee, ACTION_TOUR_END_LATER)


def test_each_lead_time_prompts_both_sides_once(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    agreed = ending_tour(slack, fake_slack, bot_database)
    plan(bot_database, noon(TODAY))
    assert planned(bot_database, PROMPT, agreed.tour_id) == []
    assert stored_tour(bot_database, agreed.tour_id).next_end_prompt_on == END - timedelta(days=90)

    # The day before, at noon UTC, it is already the day in Tokyo.
    plan(bot_database, noon(END - timedelta(days=91)))
    plan(bot_database, noon(END - timedelta(days=91)))
    rows = planned(bot_database, PROMPT, agreed.tour_id)
    assert sorted((row.target, row.occurrence) for row in rows) == sorted(
        [(agreed.pair.employee, "d90"), (agreed.pair.manager, "d90")]
    )
    by_target = {row.target: row.next_attempt_at for row in rows}
    # 09:00 on the day, where each of them is.
    assert by_target[agreed.pair.employee] == datetime.combine(
        END - timedelta(days=90), time(0), tzinfo=UTC
    )
    assert stored_tour(bot_database, agreed.tour_id).next_end_prompt_on == END - timedelta(days=60)

    plan(bot_database, noon(END - timedelta(days=60)))
    occurrences = [row.occurrence for row in planned(bot_database, PROMPT, agreed.tour_id)]
    assert sorted(occurrences) == ["d60", "d60", "d90", "d90"]

    deliver(bot_database, fake_slack, noon(END - timedelta(days=59)))
    prompt = dm_with_button(fake_slack, agreed.pair.manager, ACTION_TOUR_END_NEW)
    shown = block_texts(prompt.json("blocks"))
    assert f"ends on *{END:%a %-d %b %Y}*" in shown and "Dana Okafor" in shown
    for action_id in (ACTION_TOUR_END_NEW, ACTION_TOUR_END_TRANSITION, ACTION_TOUR_END_LATER):
        button(prompt, action_id)


def test_a_tour_agreed_late_gets_only_the_latest_missed_prompt(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    agreed = ending_tour(slack, fake_slack, bot_database)
    plan(bot_database, noon(END - timedelta(days=45)))
    assert {row.occurrence for row in planned(bot_database, PROMPT, agreed.tour_id)} == {"d60"}
    assert stored_tour(bot_database, agreed.tour_id).next_end_prompt_on == END - timedelta(days=30)


def test_the_lead_times_are_configurable(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    agreed = ending_tour(slack, fake_slack, bot_database)
    plan(bot_database, noon(TODAY), leads=(14,))
    assert stored_tour(bot_database, agreed.tour_id).next_end_prompt_on == END - timedelta(days=14)


def test_a_decision_stops_later_prompts_and_tells_the_other_side(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    agreed, prompt = prompts_out(slack, fake_slack, bot_database)
    press(slack, prompt, ACTION_TOUR_END_TRANSITION, agreed.pair.employee)
    answer_with(fake_slack, "discuss a transition. I've let Sam Rivera know")
    tour = eventually(lambda: (t := stored_tour(bot_database, agreed.tour_id)).end_decision and t)
    assert (tour.end_decision, tour.next_end_prompt_on) == ("transition", None)

    plan(bot_database, noon(END - timedelta(days=30)))
    assert {row.occurrence for row in planned(bot_database, PROMPT, agreed.tour_id)} == {"d90"}
    [news] = planned(bot_database, DECIDED, agreed.tour_id)
    assert news.target == agreed.pair.manager
    deliver(bot_database, fake_slack, noon(END - timedelta(days=29)))
    [told] = wait_until(
        fake_slack,
        "chat.postMessage",
        lambda c: (
            c.args.get("channel") == agreed.pair.manager
            and "chose to discuss a transition" in c.args.get("text", "")
        ),
    )
    assert "*Dana Okafor* chose to *discuss a transition*" in block_texts(told.json("blocks"))


def test_the_manager_plans_the_next_tour_from_the_prompt(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    agreed = ending_tour(slack, fake_slack, bot_database)
    plan(bot_database, noon(END - timedelta(days=90)))
    deliver(bot_database, fake_slack, noon(END - timedelta(days=89)))
    prompt = dm_with_button(fake_slack, agreed.pair.manager, ACTION_TOUR_END_NEW)
    trigger = f"trigger-{new_user_id()}"
    press(slack, prompt, ACTION_TOUR_END_NEW, agreed.pair.manager, trigger_id=trigger)
    modal = dict(wait_for_call(fake_slack, "views.open", trigger_id=trigger).json("view"))
    purpose = ModalPurpose.from_metadata(modal["private_metadata"])
    assert purpose == ModalPurpose(follows_tour_id=agreed.tour_id)
    prefilled = json.dumps(modal["blocks"])
    assert agreed.pair.employee in prefilled  # the same pair
    assert (END + timedelta(days=1)).isoformat() in prefilled  # starting when this one ends
    assert stored_tour(bot_database, agreed.tour_id).end_decision == "new_tour"

    next_start = END + timedelta(days=1)
    submit(
        slack,
        modal,
        agreed.pair.manager,
        form(
            start_date=next_start.isoformat(),
            end_date=(next_start + timedelta(days=365)).isoformat(),
            objective="Build the payments platform team",
        ),
        agreed.pair.employee,
    )
    proposal = dm_with_button(fake_slack, agreed.pair.employee, "tour_accept", nth=2)
    assert "Build the payments platform team" in block_texts(proposal.json("blocks"))
    press(slack, proposal, "tour_accept", agreed.pair.employee)
    follow_on = eventually(lambda: agreed_follow_on(bot_database, agreed.tour_id))
    assert follow_on is not None and follow_on.start_date == next_start

    # The old tour ends once its last day is over everywhere; the new one begins on its first.
    transitions(bot_database, noon(END + timedelta(days=1)))
    old, new = stored_tour(bot_database, agreed.tour_id), stored_tour(bot_database, follow_on.id)
    assert (old.status, old.end_reason) == ("ended", "new_tour")
    assert new.status == "active" and new.next_review_on is not None
    assert {row.target for row in planned(bot_database, THANKS, agreed.tour_id)} == {
        agreed.pair.employee,
        agreed.pair.manager,
    }
    deliver(bot_database, fake_slack, noon(END + timedelta(days=2)))
    [thanks] = wait_until(
        fake_slack,
        "chat.postMessage",
        lambda c: (
            c.args.get("channel") == agreed.pair.employee
            and "Thank you for your tour of duty" in c.args.get("text", "")
        ),
    )
    shown = block_texts(thanks.json("blocks"))
    assert "Thank you for this tour of duty" in shown and "A new tour comes next" in shown
    assert "Take checkout from 3 steps to 1" in shown and "0 alignment reviews" in shown


def test_an_employee_asking_for_a_new_tour_is_passed_to_the_manager(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    agreed, prompt = prompts_out(slack, fake_slack, bot_database)
    press(slack, prompt, ACTION_TOUR_END_NEW, agreed.pair.employee)
    answer_with(fake_slack, "I've told Sam Rivera")
    eventually(lambda: planned(bot_database, DECIDED, agreed.tour_id))
    deliver(bot_database, fake_slack, noon(END - timedelta(days=88)))
    news = dm_with_button(fake_slack, agreed.pair.manager, ACTION_TOUR_END_NEW, nth=2)
    assert "Propose the next Statement of Alliance" in block_texts(news.json("blocks"))


def test_remind_me_later_brings_the_prompt_back_in_a_week(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    agreed, prompt = prompts_out(slack, fake_slack, bot_database)
    press(slack, prompt, ACTION_TOUR_END_LATER, agreed.pair.employee)
    said = answer_with(fake_slack, "I'll bring this back on")
    assert "(Asia/Tokyo)" in said.args["text"]
    [later] = eventually(
        lambda: [
            row
            for row in planned(bot_database, PROMPT, agreed.tour_id)
            if row.occurrence.startswith("later@")
        ]
    )
    assert later.target == agreed.pair.employee
    assert later.next_attempt_at is not None
    # The day a week on where they are, at the start of their working day; a weekend moves it
    # to the Monday.
    week_on = (clock.now() + timedelta(days=7)).astimezone(TOKYO).date()
    local = later.next_attempt_at.astimezone(TOKYO)
    assert week_on <= local.date() <= week_on + timedelta(days=2)
    assert local.weekday() < 5 and local.time() == time(9)


def test_a_tour_past_its_end_undecided_is_flagged_once(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    agreed = ending_tour(slack, fake_slack, bot_database)
    transitions(bot_database, datetime.combine(END + timedelta(days=1), time(11), tzinfo=UTC))
    assert stored_tour(bot_database, agreed.tour_id).end_overdue_flagged_at is None  # UTC-12
    after = noon(END + timedelta(days=1))
    transitions(bot_database, after)
    transitions(bot_database, after + timedelta(days=1))
    tour = stored_tour(bot_database, agreed.tour_id)
    assert (tour.status, tour.end_overdue_flagged_at) == ("active", after)
    assert sorted(row.target for row in planned(bot_database, OVERDUE, agreed.tour_id)) == sorted(
        [agreed.pair.manager, ADMIN]
    )

    deliver(bot_database, fake_slack, after + timedelta(days=1))
    to_manager = dm_with_button(fake_slack, agreed.pair.manager, ACTION_TOUR_END_TRANSITION)
    assert "nothing is decided" in block_texts(to_manager.json("blocks"))
    [to_admin] = wait_until(
        fake_slack,
        "chat.postMessage",
        lambda c: c.args.get("channel") == ADMIN and "Dana Okafor" in c.args.get("text", ""),
    )
    admin_view = block_texts(to_admin.json("blocks"))
    assert "with no decision" in admin_view and "Take checkout" not in admin_view

    # Deciding late ends the tour at the next pass, with the thank-you.
    press(slack, to_manager, ACTION_TOUR_END_TRANSITION, agreed.pair.manager)
    eventually(lambda: stored_tour(bot_database, agreed.tour_id).end_decision)
    transitions(bot_database, after + timedelta(days=2))
    ended = stored_tour(bot_database, agreed.tour_id)
    assert (ended.status, ended.end_reason) == ("ended", "transition")
    assert len(planned(bot_database, THANKS, agreed.tour_id)) == 2


def test_only_the_pair_can_decide(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    agreed, prompt = prompts_out(slack, fake_slack, bot_database)
    stranger = new_user_id()
    fake_slack.add_user(stranger, name="nosy")
    press(slack, prompt, ACTION_TOUR_END_TRANSITION, stranger)
    answer_with(fake_slack, "isn't something you can do")
    assert stored_tour(bot_database, agreed.tour_id).end_decision is None


def test_a_manager_who_chose_a_transition_can_record_the_departure(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    agreed = ending_tour(slack, fake_slack, bot_database)
    plan(bot_database, noon(END - timedelta(days=90)))
    deliver(bot_database, fake_slack, noon(END - timedelta(days=89)))
    prompt = dm_with_button(fake_slack, agreed.pair.manager, ACTION_TOUR_END_TRANSITION)
    press(slack, prompt, ACTION_TOUR_END_TRANSITION, agreed.pair.manager)
    offer = answer_with(fake_slack, "record the departure here")
    [button_element] = [
        element
        for block in offer.json("blocks")
        for element in block.get("elements", [])
        if element.get("action_id") == ACTION_TOUR_END_OFFBOARD
    ]
    trigger = f"trigger-{new_user_id()}"
    press(
        slack,
        prompt,
        ACTION_TOUR_END_OFFBOARD,
        agreed.pair.manager,
        trigger_id=trigger,
        value=button_element["value"],
    )
    modal = wait_for_call(fake_slack, "views.open", trigger_id=trigger).json("view")
    assert modal["callback_id"] == "offboard_modal"
    assert "*Dana Okafor* is leaving" in block_texts(modal["blocks"])
