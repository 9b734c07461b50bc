"""Alignment reviews end to end: planned on the cadence, answered with buttons and a modal in
Slack, summed up for both sides with perception gaps flagged, snoozed, and started on request."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest

from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.signed_requests import SignedRequests
from db.engine import Database
from db.models import AlignmentReview, Tour
from domain.schedule import REMINDER_AFTER, next_review_on
from handlers.ids import (
    ACTION_REVIEW_ALIGNMENT,
    ACTION_REVIEW_SNOOZE,
    ACTION_REVIEW_SNOOZE_MENU,
    ACTION_REVIEW_THOUGHTS,
    BLOCK_REVIEW_LEARNED,
    BLOCK_REVIEW_TO_ADDRESS,
)
from services.refusals import NOT_YOURS
from services.reviews import (
    CHOOSE_REPORT,
    NO_TOUR,
    PENDING,
    plan_due_reviews,
)
from tests import clock
from tests.helpers import (
    answer_with,
    block_texts,
    eventually,
    new_user_id,
    wait_for_call,
    wait_until,
)
from tests.review_steps import (
    AT_RISK,
    DUE,
    HOURS,
    OFF_TRACK,
    ON_TRACK,
    PLAN_AT,
    Agreed,
    agree_tour,
    answer,
    chosen,
    deliver,
    outbox_rows,
    prompts_delivered,
    responses_of,
    reviews_of,
    updated,
    wait_for_status,
)
from tests.tour_steps import (
    button,
    choose,
    dm_with_button,
    press,
)

# --- planning ---------------------------------------------------------------------------------


def test_planning_opens_the_review_once_and_moves_the_cursor(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    agreed = agree_tour(slack, fake_slack, bot_database)
    early = PLAN_AT - timedelta(days=1)
    plan_due_reviews(bot_database, now=early, hours=HOURS, limit=1000)
    assert reviews_of(bot_database, agreed.tour_id) == []

    plan_due_reviews(bot_database, now=PLAN_AT, hours=HOURS, limit=1000)
    assert plan_due_reviews(bot_database, now=PLAN_AT, hours=HOURS, limit=1000) == 0
    [review] = reviews_of(bot_database, agreed.tour_id)
    assert (review.occurrence, review.kind, review.status) == (1, "scheduled", "open")
    assert (review.due_on, review.closes_on) == (DUE, DUE + timedelta(weeks=4))
    responses = responses_of(bot_database, review.id)
    assert set(responses) == {"employee", "manager"}
    prompts = outbox_rows(bot_database, "review_prompt", [r.id for r in responses.values()])
    assert len(prompts) == 2
    with bot_database.read() as session:
        tour = session.get(Tour, agreed.tour_id)
        assert tour is not None
        assert tour.next_review_on == next_review_on(tour.start_date, 4, DUE) > DUE


def test_each_side_is_prompted_in_their_own_working_hours(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    agreed = agree_tour(slack, fake_slack, bot_database)
    plan_due_reviews(bot_database, now=PLAN_AT, hours=HOURS, limit=1000)
    [review] = reviews_of(bot_database, agreed.tour_id)
    responses = responses_of(bot_database, review.id)
    by_target = {
        row.target: row.next_attempt_at
        for row in outbox_rows(bot_database, "review_prompt", [r.id for r in responses.values()])
    }
    # Monday 09:00 where each of them is: Tokyo is UTC+9, New York UTC-5 or UTC-4.
    tokyo_nine = datetime.combine(DUE, time(0), tzinfo=UTC)
    assert by_target[agreed.pair.employee] == tokyo_nine
    new_york_nine = by_target[agreed.pair.manager]
    assert new_york_nine is not None
    assert new_york_nine.date() == DUE and new_york_nine.hour in (13, 14)
    assert responses["employee"].next_nudge_at == tokyo_nine + REMINDER_AFTER


# --- answering --------------------------------------------------------------------------------


def test_the_prompts_ask_each_side_their_questions(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    _, _, mine, theirs = prompts_delivered(slack, fake_slack, bot_database)
    employee_text = block_texts(mine.json("blocks"))
    assert "How is your mission going?" in employee_text
    assert "How aligned do you feel with your role, manager and company values?" in employee_text
    assert "(Asia/Tokyo)" in employee_text
    for action_id in (
        ON_TRACK,
        AT_RISK,
        OFF_TRACK,
        ACTION_REVIEW_THOUGHTS,
        *ACTION_REVIEW_ALIGNMENT.values(),
    ):
        button(mine, action_id)
    # Snoozing is a menu beside the first line, not a fourth row of buttons.
    menu = button(mine, ACTION_REVIEW_SNOOZE_MENU)
    assert [o["text"]["text"] for o in menu["options"]] == ["Snooze 1 day", "Snooze 1 week"]
    rows = [b for b in mine.json("blocks") if b["type"] == "actions"]
    assert len(rows) == 3
    manager_text = block_texts(theirs.json("blocks"))
    assert "How is Dana Okafor's mission going?" in manager_text
    assert "(America/New_York)" in manager_text
    with pytest.raises(AssertionError):
        button(theirs, ACTION_REVIEW_THOUGHTS)


def test_buttons_record_answers_and_update_the_message(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    agreed, review, prompt, _ = prompts_delivered(slack, fake_slack, bot_database)
    employee = agreed.pair.employee
    press(slack, prompt, AT_RISK, employee)
    assert chosen(updated(fake_slack, employee).json("blocks")) == {AT_RISK}
    press(slack, prompt, ACTION_REVIEW_ALIGNMENT[4], employee)
    shown = updated(fake_slack, employee, 2).json("blocks")
    assert chosen(shown) == {AT_RISK, ACTION_REVIEW_ALIGNMENT[4]}
    assert "Your answers: At risk · alignment 4/5" in block_texts(shown)
    first = responses_of(bot_database, review.id)["employee"]
    assert (first.progress, first.alignment) == ("at_risk", 4)
    assert first.answered_at is not None and first.next_nudge_at is None

    # An edit before the review closes changes the answer, not when it was first given.
    press(slack, prompt, ON_TRACK, employee)
    assert chosen(updated(fake_slack, employee, 3).json("blocks")) == {
        ON_TRACK,
        ACTION_REVIEW_ALIGNMENT[4],
    }
    edited = responses_of(bot_database, review.id)["employee"]
    assert (edited.progress, edited.answered_at) == ("on_track", first.answered_at)
    assert wait_for_status(bot_database, review.id, "open").answered_at is None


def test_someone_elses_press_is_refused_without_a_trace(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    agreed, review, prompt, _ = prompts_delivered(slack, fake_slack, bot_database)
    stranger = new_user_id()
    fake_slack.add_user(stranger, name="nosy")
    for user, action in (
        (stranger, OFF_TRACK),
        (stranger, ACTION_REVIEW_THOUGHTS),
        (agreed.pair.manager, OFF_TRACK),  # the manager pressing on the employee's prompt
    ):
        press(slack, prompt, action, user, trigger_id=f"t-{user}-{action}")
    choose(slack, prompt, ACTION_REVIEW_SNOOZE_MENU, stranger, "Snooze 1 week")
    refusals = wait_until(fake_slack, "response_url", lambda c: True, count=4)
    assert {c.args["text"] for c in refusals} == {NOT_YOURS}
    assert all(c.args["response_type"] == "ephemeral" for c in refusals)
    assert not [c for c in fake_slack.calls("chat.update") if ON_TRACK in str(c.args)]
    assert not [c for c in fake_slack.calls("views.open") if c.args["trigger_id"].startswith("t-")]
    untouched = responses_of(bot_database, review.id)["employee"]
    assert (untouched.progress, untouched.snoozed_until) == (None, None)


def test_the_thoughts_modal_saves_the_text_answers(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    agreed, review, prompt, _ = prompts_delivered(slack, fake_slack, bot_database)
    employee = agreed.pair.employee
    press(slack, prompt, ACTION_REVIEW_THOUGHTS, employee, trigger_id="t-thoughts")
    modal = wait_for_call(fake_slack, "views.open", trigger_id="t-thoughts").json("view")

    def typed(to_address: str, learned: str) -> dict[str, Any]:
        return {
            **modal,
            "state": {
                "values": {
                    BLOCK_REVIEW_TO_ADDRESS: {
                        BLOCK_REVIEW_TO_ADDRESS: {"type": "plain_text_input", "value": to_address}
                    },
                    BLOCK_REVIEW_LEARNED: {
                        BLOCK_REVIEW_LEARNED: {"type": "plain_text_input", "value": learned}
                    },
                }
            },
        }

    too_long = slack.view_submission(typed("x" * 1501, ""), user_id=employee)
    assert too_long.json()["response_action"] == "errors"
    assert set(too_long.json()["errors"]) == {BLOCK_REVIEW_TO_ADDRESS}

    saved = slack.view_submission(typed("More time for design reviews", "A"), user_id=employee)
    assert saved.status_code == 200 and not saved.content
    stored = responses_of(bot_database, review.id)["employee"]
    assert (stored.to_address, stored.learned) == ("More time for design reviews", "A")
    assert "More time for design reviews" in block_texts(
        updated(fake_slack, employee).json("blocks")
    )

    stranger = slack.view_submission(typed("sneaky", "sneaky"), user_id=agreed.pair.manager)
    assert stranger.json()["errors"] == {BLOCK_REVIEW_TO_ADDRESS: NOT_YOURS}


# --- the summary ------------------------------------------------------------------------------


def summaries(
    database: Database, fake: FakeSlack, agreed: Agreed, review_id: int
) -> tuple[AlignmentReview, list[Any]]:
    done = wait_for_status(database, review_id, "answered")
    deliver(database, fake, clock.now() + timedelta(days=7))

    def summary_to(user: str) -> Any:
        def wanted(call: Any) -> bool:
            blocks = call.json("blocks") or []
            return call.args["channel"] == user and "both answers are in" in block_texts(blocks)

        return wait_until(fake, "chat.postMessage", wanted)[0]

    calls = [summary_to(user) for user in (agreed.pair.employee, agreed.pair.manager)]
    return done, calls


def test_a_perception_gap_is_flagged_to_both(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    agreed, review, mine, theirs = prompts_delivered(slack, fake_slack, bot_database)
    answer(slack, mine, agreed.pair.employee, ON_TRACK, 4)
    answer(slack, theirs, agreed.pair.manager, OFF_TRACK, 2)
    done, calls = summaries(bot_database, fake_slack, agreed, review.id)
    assert (done.progress_gap, done.alignment_gap) == (True, True)
    assert done.gap_flagged_at is not None
    for call in calls:
        text = block_texts(call.json("blocks"))
        assert "Perception gap" in text and "talk it through together" in text
        assert "On track for Dana Okafor, Off track for Sam Rivera" in text
        assert "4/5 against 2/5" in text
        assert "*Dana Okafor* (employee)\nProgress: On track\nAlignment: 4/5" in text


def test_alignment_one_apart_is_no_gap(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    agreed, review, mine, theirs = prompts_delivered(slack, fake_slack, bot_database)
    answer(slack, mine, agreed.pair.employee, AT_RISK, 4)
    answer(slack, theirs, agreed.pair.manager, AT_RISK, 3)
    done, calls = summaries(bot_database, fake_slack, agreed, review.id)
    assert (done.progress_gap, done.alignment_gap, done.gap_flagged_at) == (False, False, None)
    for call in calls:
        text = block_texts(call.json("blocks"))
        assert "Perception gap" not in text and "the same way" in text


# --- snooze and /alliance checkin -------------------------------------------------------------


def checkin_prompt(fake: FakeSlack, database: Database, user: str) -> Any:
    """The check-in prompt `user` got, once the command's work has planned it and the outbox
    has delivered it."""

    def delivered() -> bool:
        deliver(database, fake, clock.now() + timedelta(minutes=1))
        return any(
            call.args.get("channel") == user and ON_TRACK in json.dumps(call.json("blocks"))
            for call in fake.calls("chat.postMessage")
        )

    assert eventually(delivered)
    return dm_with_button(fake, user, ON_TRACK)


def test_checkin_starts_a_review_now(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    agreed = agree_tour(slack, fake_slack, bot_database)
    started = clock.now()
    reply = slack.slash_command("checkin", user_id=agreed.pair.employee).json()["text"]
    assert "Starting an alignment review with Sam Rivera now" in reply
    checkin_prompt(fake_slack, bot_database, agreed.pair.manager)
    [review] = reviews_of(bot_database, agreed.tour_id)
    assert (review.kind, review.occurrence, review.due_on) == ("checkin", 1, started.date())
    prompts = outbox_rows(
        bot_database,
        "review_prompt",
        [r.id for r in responses_of(bot_database, review.id).values()],
    )
    assert len(prompts) == 2
    # Deliverable at once, not at the next working-hours start.
    assert {r.prompted_at for r in responses_of(bot_database, review.id).values()} == {
        review.opened_at
    }
    again = slack.slash_command("checkin", user_id=agreed.pair.employee).json()["text"]
    assert again == PENDING


def test_a_manager_names_the_report_to_check_in_with(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    agreed = agree_tour(slack, fake_slack, bot_database)
    manager = agreed.pair.manager
    assert slack.slash_command("checkin", user_id=manager).json()["text"] == CHOOSE_REPORT
    reply = slack.slash_command(f"checkin <@{agreed.pair.employee}|dana>", user_id=manager)
    assert "Starting an alignment review with Dana Okafor now" in reply.json()["text"]
    checkin_prompt(fake_slack, bot_database, agreed.pair.employee)
    assert [r.kind for r in reviews_of(bot_database, agreed.tour_id)] == ["checkin"]


def test_checkin_without_a_tour_says_what_is_needed(slack: SignedRequests) -> None:
    assert slack.slash_command("checkin", user_id=new_user_id()).json()["text"] == NO_TOUR


def test_snooze_moves_the_reminder(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    agreed = agree_tour(slack, fake_slack, bot_database)
    slack.slash_command("checkin", user_id=agreed.pair.employee)
    prompt = checkin_prompt(fake_slack, bot_database, agreed.pair.employee)
    [review] = reviews_of(bot_database, agreed.tour_id)
    before = responses_of(bot_database, review.id)["employee"]
    assert before.prompted_at is not None and before.next_nudge_at is not None
    assert before.next_nudge_at == before.prompted_at + REMINDER_AFTER

    choose(slack, prompt, ACTION_REVIEW_SNOOZE_MENU, agreed.pair.employee, "Snooze 1 week")
    shown = block_texts(updated(fake_slack, agreed.pair.employee).json("blocks"))
    assert "Snoozed: I'll remind you on" in shown and "(Asia/Tokyo)" in shown
    after = responses_of(bot_database, review.id)["employee"]
    assert after.snoozed_until is not None and after.next_nudge_at is not None
    assert after.snoozed_until - before.prompted_at >= timedelta(weeks=1)
    assert after.next_nudge_at == after.snoozed_until + REMINDER_AFTER


def test_the_snooze_buttons_of_prompts_sent_before_the_menu_still_work(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    agreed = agree_tour(slack, fake_slack, bot_database)
    slack.slash_command("checkin", user_id=agreed.pair.employee)
    prompt = checkin_prompt(fake_slack, bot_database, agreed.pair.employee)
    response_id = button(prompt, ON_TRACK)["value"]
    press(slack, prompt, ACTION_REVIEW_SNOOZE["day"], agreed.pair.employee, value=response_id)
    shown = block_texts(updated(fake_slack, agreed.pair.employee).json("blocks"))
    assert "Snoozed: I'll remind you on" in shown


def test_a_closed_review_cannot_be_edited(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    agreed, review, prompt, _ = prompts_delivered(slack, fake_slack, bot_database)
    with bot_database.session() as session:
        stored = session.get(AlignmentReview, review.id)
        assert stored is not None
        stored.closes_on = clock.TODAY - timedelta(days=2)
    press(slack, prompt, ON_TRACK, agreed.pair.employee)
    answer_with(fake_slack, "This review closed on")
    assert responses_of(bot_database, review.id)["employee"].progress is None
