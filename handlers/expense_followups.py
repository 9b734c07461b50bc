"""After an approved expense's event, the question of what the person learned there, with a
button that opens the learning form filled in with the event."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import App
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient
from slack_sdk.models.blocks import ActionsBlock, ButtonElement

from handlers.delivery import RenderedMessage, Renderer
from handlers.ids import ACTION_EXPENSE_FOLLOWUP
from handlers.learnings import build_learning_modal
from handlers.mrkdwn import escape_mrkdwn
from handlers.views import pressed_row_id, section_block
from handlers.wiring import acknowledge, acknowledged
from services.deps import Deps
from services.expense_followups import FOLLOWUP, Followup, own_followup
from services.refusals import Refusal


def register(app: App, deps: Deps) -> None:
    app.action(ACTION_EXPENSE_FOLLOWUP)(
        acknowledged(acknowledge, handle_action_expense_followup, deps)
    )


def _on_the_day(followup: Followup) -> str:
    return "" if followup.event_date is None else f" on {followup.event_date:%-d %b}"


def followup_text(followup: Followup) -> str:
    return f"How was {followup.description}{_on_the_day(followup)}? What did you learn there?"


def renderers(followup_of: Callable[[int], Followup | None]) -> dict[str, Renderer]:
    """The outbox renderer of the question; it reads the expense when the message goes."""

    def render_followup(payload: dict[str, Any]) -> RenderedMessage:
        followup = followup_of(int(payload["expense_id"]))
        if followup is None:
            raise LookupError(f"no expense {payload['expense_id']} to follow up")
        blocks = [
            section_block(
                f"How was *{escape_mrkdwn(followup.description)}*{_on_the_day(followup)}? "
                "Sharing one thing you learned there helps your colleagues too."
            ),
            ActionsBlock(
                elements=[
                    ButtonElement(
                        text="Share what I learned",
                        action_id=ACTION_EXPENSE_FOLLOWUP,
                        value=str(followup.expense_id),
                        style="primary",
                    )
                ]
            ),
        ]
        return RenderedMessage(followup_text(followup), blocks)

    return {FOLLOWUP: render_followup}


def handle_action_expense_followup(
    body: dict[str, Any], client: WebClient, respond: Respond, *, deps: Deps
) -> None:
    """Only the person who spent it shares from it; the form names the event."""
    try:
        followup = own_followup(
            deps.database,
            expense_id=pressed_row_id(body),
            user_id=body["user"]["id"],
        )
    except Refusal as refusal:
        respond(text=refusal.message, response_type="ephemeral", replace_original=False)
        return
    client.views_open(
        trigger_id=body["trigger_id"],
        view=build_learning_modal(source=followup.description, expense_id=followup.expense_id),
    )
