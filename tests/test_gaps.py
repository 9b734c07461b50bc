"""Gaps to talk about: kept when a review is answered, shown at the tour's next reviews until
one side marks them resolved."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.signed_requests import SignedRequests
from db.engine import Database
from db.models import Gap
from domain.reviews import Progress
from handlers.ids import ACTION_REVIEW_GAP_RESOLVED, gap_resolved_action
from services.reviews import record_answer, start_checkin
from tests import clock
from tests.helpers import (
    answer_with,
    block_texts,
    eventually,
    new_user_id,
    wait_until,
)
from tests.review_steps import HOURS, ON_TRACK, Agreed, deliver, prompts_delivered, responses_of
from tests.tour_steps import dm_with_button, press


def gaps_of(database: Database, tour_id: int) -> dict[str, Gap]:
    with database.read() as session:
        return {gap.kind: gap for gap in session.scalars(select(Gap).where(Gap.tour_id == tour_id))}


def answered_with_gaps(
    slack: SignedRequests, fake: FakeSlack, database: Database
) -> tuple[Agreed, int]:
    """A review both sides answered, seeing progress and alignment differently, and the
    employee naming something to address; returns the tour and the review."""
    agreed, review, _, _ = prompts_delivered(slack, fake, database)
    responses = responses_of(database, review.id)
    now = clock.now()
    for side, user, progress, score in (
        ("employee", agreed.pair.employee, Progress.AT_RISK, 2),
        ("manager", agreed.pair.manager, Progress.ON_TRACK, 4),
    ):
        record_answer(
            database,
            response_id=responses[side].id,
            by_user_id=user,
            now=now,
            hours=HOURS,
            progress=progress,
            alignment=score,
            to_address="Too many meetings on Fridays" if side == "employee" else None,
        )
    return agreed, review.id


def next_prompt(fake: FakeSlack, database: Database, agreed: Agreed, nth: int) -> Any:
    """Start a check-in of the tour and return the employee's prompt for it."""
    start_checkin(database, team_id="T0001", user_id=agreed.pair.employee, now=clock.now())
    deliver(database, fake, clock.now() + timedelta(minutes=1))
    return dm_with_button(fake, agreed.pair.employee, ON_TRACK, nth=nth)


def test_an_answered_review_keeps_its_gaps(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    agreed, review_id = answered_with_gaps(slack, fake_slack, bot_database)
    gaps = gaps_of(bot_database, agreed.tour_id)
    assert set(gaps) == {"progress", "alignment", "named"}
    assert gaps["named"].label == "Too many meetings on Fridays"
    assert all(gap.raised_in_review_id == review_id for gap in gaps.values())
    assert all(gap.resolved_at is None for gap in gaps.values())


def test_the_next_review_shows_them_until_resolved(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    agreed, _ = answered_with_gaps(slack, fake_slack, bot_database)
    prompt = next_prompt(fake_slack, bot_database, agreed, nth=2)
    shown = block_texts(prompt.json("blocks"))
    assert "Still to talk about, from earlier reviews" in shown
    assert "To address: Too many meetings on Fridays" in shown
    assert "You saw the mission's progress differently" in shown
    named = gaps_of(bot_database, agreed.tour_id)["named"]
    ids = [
        element["action_id"]
        for block in prompt.json("blocks")
        for element in [*block.get("elements", []), block.get("accessory") or {}]
        if "action_id" in element
    ]
    assert len(ids) == len(set(ids)), "action_ids repeat within the prompt"

    press(slack, prompt, gap_resolved_action(named.id), agreed.pair.employee)
    redrawn = wait_until(
        fake_slack,
        "chat.update",
        lambda c: (
            c.args.get("channel") == agreed.pair.employee
            and "Still to talk about" in block_texts(c.json("blocks"))
        ),
    )[-1]
    assert "Too many meetings" not in block_texts(redrawn.json("blocks"))
    resolved = eventually(lambda: gaps_of(bot_database, agreed.tour_id)["named"].resolved_at)
    assert resolved is not None
    assert gaps_of(bot_database, agreed.tour_id)["progress"].resolved_at is None


def test_someone_else_cannot_resolve_a_gap(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    agreed, _ = answered_with_gaps(slack, fake_slack, bot_database)
    prompt = next_prompt(fake_slack, bot_database, agreed, nth=2)
    stranger = new_user_id()
    fake_slack.add_user(stranger, name="nosy")
    named = gaps_of(bot_database, agreed.tour_id)["named"]
    press(
        slack,
        prompt,
        ACTION_REVIEW_GAP_RESOLVED,
        stranger,
        value=f"{prompt_response_id(prompt)}:{named.id}",
    )
    answer_with(fake_slack, "isn't something you can do")
    assert gaps_of(bot_database, agreed.tour_id)["named"].resolved_at is None


def test_editing_what_to_address_updates_or_withdraws_the_gap(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    agreed, review_id = answered_with_gaps(slack, fake_slack, bot_database)
    employee = responses_of(bot_database, review_id)["employee"]
    record_answer(
        bot_database,
        response_id=employee.id,
        by_user_id=agreed.pair.employee,
        now=clock.now(),
        hours=HOURS,
        to_address="Fridays are fine now; Mondays are not",
    )
    assert gaps_of(bot_database, agreed.tour_id)["named"].label == (
        "Fridays are fine now; Mondays are not"
    )
    record_answer(
        bot_database,
        response_id=employee.id,
        by_user_id=agreed.pair.employee,
        now=clock.now(),
        hours=HOURS,
        to_address="",
    )
    assert "named" not in gaps_of(bot_database, agreed.tour_id)


def prompt_response_id(prompt: Any) -> int:
    """The response a prompt's buttons carry."""
    for block in prompt.json("blocks"):
        for element in block.get("elements", []) if block["type"] == "actions" else []:
            if element["action_id"] == ON_TRACK:
                return int(element["value"])
    raise AssertionError("no answer buttons on the prompt")
