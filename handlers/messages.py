"""Messages the bot hears: replies in a DM conversation, one step at a time, answers in the
threads of questions to the alumni, and an org chart file an admin shares in a DM."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from domain.conversations import Flow, FlowName, Outcome
from handlers import tours, values
from handlers.alumni_asks import is_reply_in_the_alumni_channel, relay_reply
from handlers.conversation_views import CANCELLED_TEXT, NO_CONVERSATION_TEXT, Completion, ask
from handlers.people_import import is_file_shared_with_the_bot, receive_org_chart
from handlers.wiring import on_event
from services.conversations import reply_to_conversation
from services.deps import Deps

# Each flow belongs to the surface that starts it, which also says what its answers become.
FLOWS: dict[FlowName, Flow] = {**tours.FLOWS, **values.FLOWS}
COMPLETIONS: dict[FlowName, Completion] = {**tours.COMPLETIONS, **values.COMPLETIONS}


def register(app: App, deps: Deps) -> None:
    on_event(app, "message", handle_event_message, deps)


def is_person_writing_to_the_bot(event: dict[str, Any]) -> bool:
    """A person's new DM: not an edit, a deletion, a join, or another bot (ourselves included)."""
    return (
        event.get("channel_type") == "im"
        and "subtype" not in event
        and "bot_id" not in event
        and bool(event.get("user"))
    )


def handle_event_message(
    event: dict[str, Any], body: dict[str, Any], client: WebClient, *, deps: Deps
) -> None:
    if is_reply_in_the_alumni_channel(event, deps.alumni_channel):
        relay_reply(event, body, deps)
        return
    if is_file_shared_with_the_bot(event):
        receive_org_chart(event, body, client, deps=deps)
        return
    if not is_person_writing_to_the_bot(event):
        return
    progress = reply_to_conversation(
        deps.database,
        FLOWS,
        team_id=body["team_id"],
        user_id=event["user"],
        text=event.get("text") or "",
        now=deps.clock(),
    )
    channel = event["channel"]
    if progress is None:
        client.chat_postMessage(channel=channel, text=NO_CONVERSATION_TEXT)
        return
    turn = progress.turn
    if turn.outcome is Outcome.CANCELLED:
        client.chat_postMessage(channel=channel, text=CANCELLED_TEXT)
    elif turn.outcome is Outcome.DONE:
        COMPLETIONS[progress.flow](progress, client, deps)
    else:
        ask(client, channel, FLOWS[progress.flow], turn.state.step_index, turn.problem)
