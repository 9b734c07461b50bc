"""Buttons: the Home tab's guide opens a modal with the trigger Slack gave."""

from __future__ import annotations

from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.signed_requests import SignedRequests
from tests.helpers import block_texts, wait_for_call


def test_guide_button_opens_the_guide_modal(slack: SignedRequests, fake_slack: FakeSlack) -> None:
    home = {"type": "home", "callback_id": "", "blocks": []}
    response = slack.block_actions(
        [{"action_id": "home_open_guide", "type": "button", "value": "guide"}],
        view=home,
        trigger_id="12345.98765.abcd2358fdea",
    )
    assert response.status_code == 200
    call = wait_for_call(fake_slack, "views.open", trigger_id="12345.98765.abcd2358fdea")
    view = call.json("view")
    assert view["type"] == "modal" and view["callback_id"] == "alliance_guide"
    text = block_texts(view["blocks"])
    for tour_type in ("Rotational", "Transformational", "Foundational"):
        assert f"*{tour_type}*" in text
