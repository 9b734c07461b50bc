"""Tours of duty end to end: propose, suggest changes, revise, accept, withdraw, and read."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.signed_requests import SignedRequests
from db.engine import Database
from db.models import Tour, TourVersion
from handlers.ids import (
    ACTION_TOUR_ACCEPT,
    ACTION_TOUR_SUCCESS_CHAT,
    ACTION_TOUR_SUGGEST,
    ACTION_TOUR_WITHDRAW,
    BLOCK_TOUR_CADENCE,
    BLOCK_TOUR_EMPLOYEE,
    BLOCK_TOUR_END,
    BLOCK_TOUR_OBJECTIVE,
    BLOCK_TOUR_START,
    BLOCK_TOUR_SUCCESS_EMPLOYEE,
    BLOCK_TOUR_TYPE,
)
from handlers.tours import when_it_starts
from services.tours import Agreement
from tests.helpers import (
    answer_with,
    block_texts,
    eventually,
    new_user_id,
    settle,
    wait_for_call,
    wait_until,
)
from tests.tour_steps import (
    TODAY,
    Pair,
    button,
    converse,
    dm_texts,
    dm_with_button,
    form,
    is_dm_to,
    new_pair,
    open_statement_modal,
    press,
    submit,
)


def tours_of(database: Database, employee: str) -> list[Tour]:
    with database.session() as session:
        return list(
            session.scalars(
                select(Tour).join(Tour.employee).where(Tour.employee.has(user_id=employee))
            ).unique()
        )


def versions_of(database: Database, tour_id: int) -> list[TourVersion]:
    with database.session() as session:
        return list(
            session.scalars(
                select(TourVersion)
                .where(TourVersion.tour_id == tour_id)
                .order_by(TourVersion.version_no)
            )
        )


def propose(slack: SignedRequests, fake: FakeSlack, pair: Pair, **changes: Any) -> Any:
    """The manager proposes through the modal; returns the DM the employee got."""
    modal = open_statement_modal(slack, fake, pair.manager, f"tour new <@{pair.employee}|dana>")
    response = submit(slack, modal, pair.manager, form(**changes), pair.employee)
    assert response.status_code == 200 and not response.content, response.text
    return dm_with_button(fake, pair.employee, ACTION_TOUR_ACCEPT)


def test_manager_opens_the_statement_modal_with_the_employee_chosen(
    slack: SignedRequests, fake_slack: FakeSlack
) -> None:
    pair = new_pair(fake_slack)
    modal = open_statement_modal(slack, fake_slack, pair.manager, f"tour new <@{pair.employee}>")
    assert modal["title"]["text"] == "Statement of Alliance"
    blocks = {block["block_id"]: block for block in modal["blocks"] if "block_id" in block}
    assert blocks[BLOCK_TOUR_EMPLOYEE]["element"]["initial_user"] == pair.employee
    kinds = [o["value"] for o in blocks[BLOCK_TOUR_TYPE]["element"]["options"]]
    assert kinds == ["rotational", "transformational", "foundational"]
    assert all(o["description"]["text"] for o in blocks[BLOCK_TOUR_TYPE]["element"]["options"])
    assert blocks[BLOCK_TOUR_CADENCE]["element"]["initial_option"]["value"] == "4"


def test_propose_suggest_changes_revise_and_accept(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    pair = new_pair(fake_slack)
    offer = propose(slack, fake_slack, pair)
    assert "Sam Rivera* proposes a tour of duty for you" in block_texts(offer.json("blocks"))
    assert "Take checkout from 3 steps to 1" in block_texts(offer.json("blocks"))
    wait_until(
        fake_slack,
        "chat.postMessage",
        lambda c: c.args["channel"] == pair.manager and "I've sent version 1" in c.args["text"],
    )
    [tour] = tours_of(bot_database, pair.employee)
    assert (tour.status, tour.awaiting) == ("proposed", "employee")

    # The employee suggests changes: the same modal, prefilled, for this version.
    trigger = "trigger-suggest-" + pair.employee
    press(slack, offer, ACTION_TOUR_SUGGEST, pair.employee, trigger_id=trigger)
    modal = wait_for_call(fake_slack, "views.open", trigger_id=trigger).json("view")
    objective = next(b for b in modal["blocks"] if b.get("block_id") == BLOCK_TOUR_OBJECTIVE)
    assert objective["element"]["initial_value"].startswith("Take checkout")
    assert all(b.get("block_id") != BLOCK_TOUR_EMPLOYEE for b in modal["blocks"])
    submit(slack, modal, pair.employee, form(success_employee="Speak at a conference"), None)

    revision = dm_with_button(fake_slack, pair.manager, ACTION_TOUR_ACCEPT)
    assert "sent version 2" in block_texts(revision.json("blocks"))
    assert "Speak at a conference" in block_texts(revision.json("blocks"))

    # The manager revises again; the employee accepts version 3.
    trigger = "trigger-revise-" + pair.manager
    press(slack, revision, ACTION_TOUR_SUGGEST, pair.manager, trigger_id=trigger)
    modal = wait_for_call(fake_slack, "views.open", trigger_id=trigger).json("view")
    submit(slack, modal, pair.manager, form(success_employee="Speak at two conferences"), None)
    final = dm_with_button(fake_slack, pair.employee, ACTION_TOUR_ACCEPT, nth=2)
    press(slack, final, ACTION_TOUR_ACCEPT, pair.employee)

    wait_until(
        fake_slack,
        "chat.postMessage",
        lambda c: c.args["channel"] == pair.manager and "agreed" in c.args["text"],
    )
    assert any(
        "agreed your Statement of Alliance (version 3)" in text
        for text in dm_texts(fake_slack, pair.employee)
    )
    settled = wait_for_call(fake_slack, "chat.update")
    assert "You accepted version 3." in block_texts(settled.json("blocks"))
    assert all(block["type"] != "actions" for block in settled.json("blocks"))
    [tour] = tours_of(bot_database, pair.employee)
    assert (tour.status, tour.agreed_version_no, tour.awaiting) == ("active", 3, None)
    assert tour.next_review_on == TODAY + timedelta(weeks=4)
    versions = versions_of(bot_database, tour.id)
    assert [v.success_employee for v in versions][1:] == [
        "Speak at a conference",
        "Speak at two conferences",
    ]
    assert versions[2].employee_accepted_at and versions[2].manager_accepted_at
    assert versions[0].superseded_at and versions[1].superseded_at


def test_a_tour_that_starts_later_is_agreed_not_yet_active(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    pair = new_pair(fake_slack)
    start = TODAY + timedelta(days=30)
    offer = propose(
        slack,
        fake_slack,
        pair,
        start_date=start.isoformat(),
        end_date=(start + timedelta(days=400)).isoformat(),
    )
    press(slack, offer, ACTION_TOUR_ACCEPT, pair.employee)
    wait_until(
        fake_slack,
        "chat.postMessage",
        lambda c: c.args["channel"] == pair.employee and "agreed" in c.args["text"],
    )
    [tour] = tours_of(bot_database, pair.employee)
    assert tour.status == "agreed" and tour.next_review_on is None


@pytest.mark.parametrize(
    ("changes", "block", "message"),
    [
        ({"tour_type": None}, BLOCK_TOUR_TYPE, "Choose the kind of tour."),
        ({"objective": "   "}, BLOCK_TOUR_OBJECTIVE, "Please fill this in."),
        ({"objective": "x" * 1001}, BLOCK_TOUR_OBJECTIVE, "under 1000 characters"),
        ({"success_employee": ""}, BLOCK_TOUR_SUCCESS_EMPLOYEE, "Please fill this in."),
        ({"start_date": None}, BLOCK_TOUR_START, "Pick a start date."),
        ({"end_date": TODAY.isoformat()}, BLOCK_TOUR_END, "The end must come after the start."),
        (
            {"end_date": (TODAY + timedelta(days=20)).isoformat()},
            BLOCK_TOUR_END,
            "at least a month",
        ),
        (
            {"end_date": (TODAY + timedelta(days=3700)).isoformat()},
            BLOCK_TOUR_END,
            "at most 10 years",
        ),
        ({"cadence_weeks": "5"}, BLOCK_TOUR_CADENCE, "2, 4, 6 or 12"),
    ],
)
def test_invalid_statement_is_answered_on_the_right_field(
    slack: SignedRequests,
    fake_slack: FakeSlack,
    bot_database: Database,
    changes: dict[str, Any],
    block: str,
    message: str,
) -> None:
    pair = new_pair(fake_slack)
    modal = open_statement_modal(slack, fake_slack, pair.manager, f"tour new <@{pair.employee}>")
    response = submit(slack, modal, pair.manager, form(**changes), pair.employee)
    assert response.status_code == 200
    body = response.json()
    assert body["response_action"] == "errors"
    assert message in body["errors"][block]
    assert tours_of(bot_database, pair.employee) == []


@pytest.mark.parametrize("who", ["bot", "deactivated", "self", "already_proposed", "nobody"])
def test_employee_must_be_an_active_human_without_an_open_tour(
    slack: SignedRequests, fake_slack: FakeSlack, who: str
) -> None:
    pair = new_pair(fake_slack)
    employee = pair.employee
    if who == "bot":
        employee = new_user_id()
        fake_slack.add_user(employee, name="helperbot", is_bot=True)
    elif who == "deactivated":
        employee = new_user_id()
        fake_slack.add_user(employee, name="gone", deleted=True)
    elif who == "self":
        employee = pair.manager
    elif who == "already_proposed":
        propose(slack, fake_slack, pair)
    modal = open_statement_modal(slack, fake_slack, pair.manager, "tour new")
    response = submit(slack, modal, pair.manager, form(), None if who == "nobody" else employee)
    errors = response.json()["errors"]
    expected = {
        "bot": "That's an app, not a person.",
        "deactivated": "That account is deactivated.",
        "self": "You can't propose a tour to yourself",
        "already_proposed": "already has a tour that is active or waiting for agreement",
        "nobody": "Choose who the tour is for.",
    }[who]
    assert expected in errors[BLOCK_TOUR_EMPLOYEE]


def test_buttons_pressed_by_someone_else_are_refused_without_a_trace(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    pair = new_pair(fake_slack)
    offer = propose(slack, fake_slack, pair)
    stranger = new_user_id()
    fake_slack.add_user(stranger, name="nosy")
    for action in (
        ACTION_TOUR_ACCEPT,
        ACTION_TOUR_SUGGEST,
        ACTION_TOUR_SUCCESS_CHAT,
        ACTION_TOUR_WITHDRAW,
    ):
        value = button(offer, ACTION_TOUR_ACCEPT)["value"]  # a forged click carries real ids
        press(slack, offer, action, stranger, trigger_id=f"t-{action}", value=value)
    refusals = wait_until(fake_slack, "response_url", lambda c: True, count=4)
    assert {c.args["text"] for c in refusals} == {
        "That isn't something you can do. If you think it should be, ask your Alliance admin."
    }
    assert all(c.args["response_type"] == "ephemeral" for c in refusals)
    assert not [c for c in fake_slack.calls("views.open") if c.args["trigger_id"].startswith("t-")]
    [tour] = tours_of(bot_database, pair.employee)
    assert tour.status == "proposed" and len(versions_of(bot_database, tour.id)) == 1


def test_an_old_version_cannot_be_accepted(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    pair = new_pair(fake_slack)
    offer = propose(slack, fake_slack, pair)
    press(slack, offer, ACTION_TOUR_SUGGEST, pair.employee, trigger_id="t-old")
    modal = wait_for_call(fake_slack, "views.open", trigger_id="t-old").json("view")
    submit(slack, modal, pair.employee, form(objective="A different mission"), None)
    dm_with_button(fake_slack, pair.manager, ACTION_TOUR_ACCEPT)
    press(slack, offer, ACTION_TOUR_ACCEPT, pair.employee)
    answer_with(fake_slack, "newer version")
    [tour] = tours_of(bot_database, pair.employee)
    assert tour.status == "proposed"


def test_manager_withdraws_a_proposal(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    pair = new_pair(fake_slack)
    offer = propose(slack, fake_slack, pair)
    press(slack, offer, ACTION_TOUR_SUGGEST, pair.employee, trigger_id="t-w")
    modal = wait_for_call(fake_slack, "views.open", trigger_id="t-w").json("view")
    submit(slack, modal, pair.employee, form(cadence_weeks="2"), None)
    revision = dm_with_button(fake_slack, pair.manager, ACTION_TOUR_WITHDRAW)
    press(slack, revision, ACTION_TOUR_WITHDRAW, pair.manager)
    wait_until(
        fake_slack,
        "chat.postMessage",
        lambda c: c.args["channel"] == pair.employee and "withdrew" in c.args["text"],
    )
    [tour] = tours_of(bot_database, pair.employee)
    assert tour.status == "withdrawn"
    # Withdrawn frees the employee for a new proposal.
    propose(slack, fake_slack, pair)
    assert len(tours_of(bot_database, pair.employee)) == 2


def test_employee_tells_what_success_means_in_a_conversation(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    pair = new_pair(fake_slack)
    offer = propose(slack, fake_slack, pair)
    press(slack, offer, ACTION_TOUR_SUCCESS_CHAT, pair.employee)
    wait_until(
        fake_slack,
        "chat.postMessage",
        lambda c: (
            c.args["channel"] == pair.employee
            and "Question 1 of 5" in block_texts(c.json("blocks") or [])
        ),
    )
    converse(
        slack,
        fake_slack,
        pair.employee,
        [
            "How payments work",
            "skip",
            "Ship one-step checkout",
            "back",
            "Ship one-step checkout everywhere",
            "A conference talk",
            "soon",
            "2 years",
        ],
    )
    assert any(
        "number of months" in block_texts(c.json("blocks") or [])
        for c in fake_slack.calls("chat.postMessage")
        if c.args["channel"].endswith(pair.employee)
    )
    revision = dm_with_button(fake_slack, pair.manager, ACTION_TOUR_ACCEPT)
    text = block_texts(revision.json("blocks"))
    assert "Knowledge: How payments work" in text
    assert "Accomplishments: Ship one-step checkout everywhere" in text
    assert "Skills" not in text
    [tour] = tours_of(bot_database, pair.employee)
    latest = versions_of(bot_database, tour.id)[-1]
    assert latest.source == "success_chat" and latest.employee_success["months"] == 24
    assert (latest.end_date - latest.start_date).days in range(729, 733)


def test_manager_is_guided_through_a_proposal_in_a_dm(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    pair = new_pair(fake_slack)
    response = slack.slash_command(f"tour new <@{pair.employee}|dana> guided", user_id=pair.manager)
    assert "I've sent you a DM" in response.json()["text"]
    wait_until(
        fake_slack,
        "chat.postMessage",
        lambda c: (
            c.args["channel"] == pair.manager
            and "Question 1 of 7" in block_texts(c.json("blocks") or [])
        ),
    )
    converse(
        slack,
        fake_slack,
        pair.manager,
        [
            "transformational",
            "Make onboarding take one day",
            "not a date",
            TODAY.isoformat(),
            "18 months",
            "Onboarding in a day",
            "Owns onboarding end to end",
            "6",
        ],
    )
    offer = dm_with_button(fake_slack, pair.employee, ACTION_TOUR_ACCEPT)
    assert "Make onboarding take one day" in block_texts(offer.json("blocks"))
    assert any(
        "YYYY-MM-DD" in block_texts(c.json("blocks") or [])
        for c in fake_slack.calls("chat.postMessage")
        if is_dm_to(c, pair.manager)
    )
    [tour] = tours_of(bot_database, pair.employee)
    assert (tour.tour_type, tour.cadence_weeks) == ("transformational", 6)
    assert versions_of(bot_database, tour.id)[0].source == "guided"


def test_guided_proposal_needs_someone_to_propose_to(slack: SignedRequests) -> None:
    response = slack.slash_command("tour new guided")
    assert "Who is the tour for?" in response.json()["text"]


def test_your_tours_show_kind_objective_dates_and_elapsed_time(
    slack: SignedRequests, fake_slack: FakeSlack
) -> None:
    pair = new_pair(fake_slack)
    offer = propose(
        slack,
        fake_slack,
        pair,
        start_date=(TODAY - timedelta(days=100)).isoformat(),
        end_date=(TODAY + timedelta(days=100)).isoformat(),
    )
    press(slack, offer, ACTION_TOUR_ACCEPT, pair.employee)
    wait_until(
        fake_slack,
        "chat.postMessage",
        lambda c: c.args["channel"] == pair.employee and "agreed" in c.args["text"],
    )
    shown = block_texts(slack.slash_command("tour", user_id=pair.employee).json()["blocks"])
    assert "*Transformational tour* · active" in shown
    assert "Take checkout from 3 steps to 1" in shown
    assert "`▰▰▰▰▰▱▱▱▱▱` 50% elapsed" in shown
    assert "next review" in shown


def test_someone_without_tours_is_told_how_they_start(slack: SignedRequests) -> None:
    shown = block_texts(slack.slash_command("tour", user_id=new_user_id()).json()["blocks"])
    assert "You don't have a tour of duty yet." in shown


@pytest.mark.parametrize("viewer", ["manager", "admin", "employee", "stranger", "other_manager"])
def test_reading_someone_elses_tour(
    slack: SignedRequests, fake_slack: FakeSlack, viewer: str
) -> None:
    pair = new_pair(fake_slack)
    propose(slack, fake_slack, pair)
    other = new_pair(fake_slack)
    propose(slack, fake_slack, other)
    user = {
        "manager": pair.manager,
        "admin": "UADMIN1",
        "employee": pair.employee,
        "stranger": new_user_id(),
        "other_manager": other.manager,
    }[viewer]
    shown = block_texts(
        slack.slash_command(f"tour <@{pair.employee}>", user_id=user).json()["blocks"]
    )
    if viewer in ("manager", "admin", "employee"):
        assert "Take checkout from 3 steps to 1" in shown
    else:
        assert shown == (
            "You can see the tours of people you manage. If you think you "
            "should see this one, ask your Alliance admin."
        )


def test_the_refusal_is_the_same_whether_or_not_a_tour_exists(
    slack: SignedRequests, fake_slack: FakeSlack
) -> None:
    pair = new_pair(fake_slack)
    propose(slack, fake_slack, pair)
    stranger = new_user_id()
    with_tour = slack.slash_command(f"tour <@{pair.employee}>", user_id=stranger).json()
    without = slack.slash_command(f"tour <@{new_user_id()}>", user_id=stranger).json()
    assert with_tour == without


def test_export_sends_the_statement_as_a_markdown_file_in_a_dm(
    slack: SignedRequests, fake_slack: FakeSlack
) -> None:
    pair = new_pair(fake_slack)
    propose(slack, fake_slack, pair)
    response = slack.slash_command("tour export", user_id=pair.employee)
    assert "will arrive in a DM" in response.json()["text"]
    upload = wait_for_call(fake_slack, "file_upload")
    complete = wait_for_call(fake_slack, "files.completeUploadExternal")
    assert complete.args["channel_id"].startswith("D")
    assert wait_for_call(fake_slack, "conversations.open").args["users"] == pair.employee
    document = upload.body.decode()
    for heading in (
        "# Statement of Alliance",
        "## Preamble",
        "## Article 1: Tour of duty",
        "## Article 2: Alignment",
        "## Article 3: Network intelligence",
        "## Article 4: Alumni network",
    ):
        assert heading in document
    assert "Take checkout from 3 steps to 1" in document
    assert "Dana Okafor" in document and "Sam Rivera" in document


def test_export_without_a_tour_says_so(slack: SignedRequests, fake_slack: FakeSlack) -> None:
    user_id = new_user_id()
    fake_slack.add_user(user_id, name="new")
    slack.slash_command("tour export", user_id=user_id)
    answer_with(fake_slack, "You don't have a tour of duty yet.")
    settle(slack, fake_slack)
    assert not fake_slack.calls("files.completeUploadExternal")


@pytest.mark.parametrize(("started_days_ago", "first_review_in_days"), [(42, 0), (41, 1), (43, 13)])
def test_a_backdated_tour_is_reviewed_on_its_next_cadence_date_today_included(
    slack: SignedRequests,
    fake_slack: FakeSlack,
    bot_database: Database,
    started_days_ago: int,
    first_review_in_days: int,
) -> None:
    pair = new_pair(fake_slack)
    start = TODAY - timedelta(days=started_days_ago)
    offer = propose(slack, fake_slack, pair, start_date=start.isoformat(), cadence_weeks="2")
    press(slack, offer, ACTION_TOUR_ACCEPT, pair.employee)
    agreed = eventually(
        lambda: [t for t in tours_of(bot_database, pair.employee) if t.status == "active"]
    )
    [tour] = agreed
    assert tour.next_review_on == TODAY + timedelta(days=first_review_in_days)
    since = f"It has been active since {start:%-d %B %Y}."
    wait_until(
        fake_slack,
        "chat.postMessage",
        lambda c: c.args["channel"] == pair.employee and since in c.args.get("text", ""),
    )


def test_the_agreement_says_when_the_tour_runs() -> None:
    assert when_it_starts(Agreement.ACTIVE, TODAY, TODAY) == "It is active from today."
    assert when_it_starts(Agreement.ACTIVE, date(2025, 3, 3), TODAY) == (
        "It has been active since 3 March 2025."
    )
    assert (
        when_it_starts(Agreement.AGREED, date(2031, 1, 9), TODAY) == "It starts on 9 January 2031."
    )
