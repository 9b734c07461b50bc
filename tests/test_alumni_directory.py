"""The alumni directory: alumni choose what it shows, opt in and withdraw; nothing is shown about
anyone who did not opt in."""

from __future__ import annotations

from typing import Any

from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.signed_requests import SignedRequests
from db.engine import Database
from db.models import Tour
from domain.tours import TourStatus
from handlers.ids import (
    ACTION_TOUR_ACCEPT,
    BLOCK_ALUMNI_EXPERTISE,
    BLOCK_ALUMNI_LISTED,
    BLOCK_ALUMNI_OPEN_TO,
    BLOCK_ALUMNI_ROLE,
)
from tests.alumni_steps import LINE, alum
from tests.helpers import answer_with, block_texts, eventually, new_user_id, wait_for_call
from tests.tour_steps import dm_with_button, form, open_statement_modal, submit


def entry_modal(slack: SignedRequests, fake: FakeSlack, user: str) -> dict[str, Any]:
    trigger = f"trigger-{new_user_id()}"
    response = slack.slash_command("alumni me", user_id=user, trigger_id=trigger)
    assert response.status_code == 200 and not response.content
    return dict(wait_for_call(fake, "views.open", trigger_id=trigger).json("view"))


def save_entry(
    slack: SignedRequests,
    modal: dict[str, Any],
    user: str,
    *,
    role: str = "Head of Payments at Acme",
    expertise: str = "payments, hiring engineers",
    open_to: tuple[str, ...] = ("consulting",),
    listed: bool = True,
) -> Any:
    def ticked(*values: str) -> dict[str, Any]:
        return {
            "type": "checkboxes",
            "selected_options": [
                {"text": {"type": "plain_text", "text": value}, "value": value} for value in values
            ],
        }

    values = {
        BLOCK_ALUMNI_ROLE: {BLOCK_ALUMNI_ROLE: {"type": "plain_text_input", "value": role}},
        BLOCK_ALUMNI_EXPERTISE: {
            BLOCK_ALUMNI_EXPERTISE: {"type": "plain_text_input", "value": expertise}
        },
        BLOCK_ALUMNI_OPEN_TO: {BLOCK_ALUMNI_OPEN_TO: ticked(*open_to)},
        BLOCK_ALUMNI_LISTED: {BLOCK_ALUMNI_LISTED: ticked(*(("listed",) if listed else ()))},
    }
    return slack.view_submission({**modal, "state": {"values": values}}, user_id=user)


def directory(slack: SignedRequests, user: str, keyword: str = "") -> str:
    reply = slack.slash_command(f"alumni {keyword}".strip(), user_id=user).json()
    return block_texts(reply["blocks"])


def test_an_alum_opts_in_and_colleagues_find_them(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    agreed = alum(slack, fake_slack, bot_database)
    colleague = agreed.pair.manager
    company = f"Acme{new_user_id()}"  # found only by this alum's entry
    # Joined, but not listed yet: nothing about them shows.
    assert "No alumni in the directory" in directory(slack, colleague, company)

    modal = entry_modal(slack, fake_slack, agreed.pair.employee)
    assert "Nothing is shown unless you tick" in block_texts(modal["blocks"])
    role = f"Head of Payments at {company}"
    assert save_entry(slack, modal, agreed.pair.employee, role=role).content == b""

    def listing_dana() -> str:
        text = directory(slack, colleague, f"PAYMENTS {company.upper()}")
        return text if "Dana Okafor" in text else ""

    found = eventually(listing_dana)
    assert f"Now: {role}" in found
    assert "Expertise: payments, hiring engineers" in found
    assert f"Here: {LINE}" in found
    assert "Open to consulting" in found and "returning" not in found
    assert "No alumni in the directory" in directory(slack, colleague, f"{company} astronomy")


def test_an_alum_withdraws_and_is_no_longer_shown(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    agreed = alum(slack, fake_slack, bot_database)
    company = f"Zeta{new_user_id()}"  # found only by this alum's entry
    role = f"Founder of {company}"
    modal = entry_modal(slack, fake_slack, agreed.pair.employee)
    save_entry(slack, modal, agreed.pair.employee, role=role)
    assert eventually(lambda: "Dana Okafor" in directory(slack, agreed.pair.manager, company))

    modal = entry_modal(slack, fake_slack, agreed.pair.employee)
    assert role in str(modal["blocks"])  # the form shows what they had
    save_entry(slack, modal, agreed.pair.employee, role=role, listed=False)
    assert eventually(
        lambda: "No alumni in the directory" in directory(slack, agreed.pair.manager, company)
    )


def test_the_entry_is_for_alumni_only(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    user = new_user_id()
    fake_slack.add_user(user, name="current")
    slack.slash_command("alumni me", user_id=user, trigger_id=f"trigger-{new_user_id()}")
    answer_with(fake_slack, "for alumni")


def test_too_long_a_role_is_refused_in_the_form(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    agreed = alum(slack, fake_slack, bot_database)
    modal = entry_modal(slack, fake_slack, agreed.pair.employee)
    refused = save_entry(slack, modal, agreed.pair.employee, role="x" * 201)
    assert refused.json()["errors"] == {BLOCK_ALUMNI_ROLE: "Keep it to 200 characters."}


def test_alumni_see_alumni_features_only(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    agreed = alum(slack, fake_slack, bot_database)
    former = agreed.pair.employee
    for command in ("tour", f"tour <@{agreed.pair.manager}|sam>", "values", "checkin", "ask Hi?"):
        reply = slack.slash_command(command, user_id=former).json()
        assert "As an alum, you have the alumni network" in reply["text"], command
    assert "No alumni in the directory matching" in directory(slack, former, "zzzz-nobody")


def test_someone_rehired_is_an_employee_again(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    agreed = alum(slack, fake_slack, bot_database)
    former, manager = agreed.pair.employee, agreed.pair.manager
    with bot_database.session() as session:  # months later their old tour is long over
        session.get_one(Tour, agreed.tour_id).status = TourStatus.ENDED
    modal = open_statement_modal(slack, fake_slack, manager, f"tour new <@{former}|dana>")
    assert submit(slack, modal, manager, form(), former).content == b""
    dm_with_button(fake_slack, former, ACTION_TOUR_ACCEPT)  # the new statement reaches them
    reply = slack.slash_command("tour", user_id=former).json()
    assert "As an alum" not in reply["text"]
    assert "waiting for agreement" in block_texts(reply["blocks"])
