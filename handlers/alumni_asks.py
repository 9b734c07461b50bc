"""`/alliance ask`: a question to the alumni channel, and the answers in its thread relayed to
the asker by DM."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt.context.respond import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from handlers.alumni_views import CHANNEL_UNSET
from handlers.delivery import RenderedMessage, Renderer
from handlers.mrkdwn import escape_mrkdwn, mention, quote
from handlers.subcommands import Invocation, Reply, SubcommandHandler, say
from handlers.views import clip, context_block, section_block
from services.alumni_asks import (
    RELAY,
    AskRefusal,
    Relayed,
    ask_problem,
    record_answer_in_thread,
    record_ask,
    record_posted,
)
from services.deps import Deps
from services.people import name_of

RelayReads = Callable[[int], Relayed | None]


def answer_ask(inv: Invocation) -> Reply:
    if inv.deps.alumni_channel is None:
        return say(CHANNEL_UNSET)
    problem = ask_problem(inv.args)
    if problem:
        return say(problem)
    return say(
        "Posting your question to the alumni channel. Answers in its thread come to you by DM."
    )


def follow_up_ask(inv: Invocation, client: WebClient, respond: Respond) -> None:
    channel = inv.deps.alumni_channel
    if channel is None or ask_problem(inv.args):
        return  # the ack said why
    now = inv.deps.clock()
    try:
        ask_id = record_ask(
            inv.deps.database,
            team_id=inv.team_id,
            user_id=inv.user_id,
            question=inv.args,
            now=now,
        )
    except AskRefusal as refusal:
        respond(text=refusal.message, response_type="ephemeral", replace_original=False)
        return
    name = name_of(inv.deps.database, inv.team_id, inv.user_id)
    question = escape_mrkdwn(clip(inv.args.strip(), 2800))
    try:
        posted = client.chat_postMessage(
            channel=channel,
            text=f"A question from {escape_mrkdwn(name)}: {question}",
            blocks=[
                section_block(
                    f":raising_hand: *A question from {escape_mrkdwn(name)}*\n{question}"
                ),
                context_block("Answer in this thread: your reply goes to them by DM."),
            ],
        )
    except SlackApiError as error:
        code = error.response.get("error") or "an error"
        respond(
            text=(
                f"I couldn't post to the alumni channel ({code}). An admin may need to invite "
                "me to it; your question is kept, so try again once they have."
            ),
            response_type="ephemeral",
            replace_original=False,
        )
        return
    record_posted(inv.deps.database, ask_id=ask_id, channel=channel, ts=str(posted["ts"]), now=now)


SUBCOMMAND = SubcommandHandler(answer=answer_ask, follow_up=follow_up_ask)


def is_reply_in_the_alumni_channel(event: dict[str, Any], channel: str | None) -> bool:
    """A person's reply in a thread of the alumni channel (not the thread's first message)."""
    return (
        channel is not None
        and event.get("channel") == channel
        and bool(event.get("thread_ts"))
        and event.get("thread_ts") != event.get("ts")
        and event.get("subtype") in (None, "thread_broadcast")
        and "bot_id" not in event
        and bool(event.get("user"))
    )


def relay_reply(event: dict[str, Any], body: dict[str, Any], deps: Deps) -> None:
    """Keep a reply to a question, to be relayed to the asker."""
    record_answer_in_thread(
        deps.database,
        team_id=body["team_id"],
        channel=event["channel"],
        thread_ts=event["thread_ts"],
        answerer_slack_id=event["user"],
        text=event.get("text") or "",
        ts=event["ts"],
        now=deps.clock(),
        hours=deps.working_hours,
    )


def renderers(relayed_of: RelayReads) -> dict[str, Renderer]:
    def render_relay(payload: dict[str, Any]) -> RenderedMessage:
        relayed = relayed_of(int(payload["answer_id"]))
        if relayed is None:
            raise LookupError(f"no answer {payload['answer_id']}")
        return RenderedMessage(
            f"{relayed.answerer_name or 'An alum'} answered your question to the alumni.",
            [
                section_block(
                    mention(relayed.answerer_slack_id)
                    + " answered your question to the alumni:\n"
                    + quote(clip(relayed.question, 500))
                ),
                section_block(clip(relayed.text, 2800)),
                context_block("Reply to them directly, or in the thread in the alumni channel."),
            ],
        )

    return {RELAY: render_relay}
