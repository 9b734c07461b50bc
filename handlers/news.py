"""`/alliance news`: admins queue company news, and the monthly digest the outbox posts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt.context.respond import Respond
from slack_sdk import WebClient
from slack_sdk.models.blocks import Block, HeaderBlock

from handlers.alumni_views import CHANNEL_UNSET
from handlers.delivery import RenderedMessage, Renderer
from handlers.subcommands import Invocation, Reply, SubcommandHandler, say
from handlers.views import context_block, section_block
from services.news import DIGEST, NewsLine, NewsRefusal, news_problem, queue_news

NewsReads = Callable[[str, str], list[NewsLine]]


def answer_news(inv: Invocation) -> Reply:
    if inv.deps.alumni_channel is None:
        return say(CHANNEL_UNSET)
    problem = news_problem(inv.args, is_admin=inv.user_id in inv.deps.admins)
    if problem:
        return say(problem)
    day = inv.deps.news_digest_day
    return say(
        f"Queued for the alumni news digest, which goes out on day {day} of each month when "
        "there is news."
    )


def follow_up_news(inv: Invocation, client: WebClient, respond: Respond) -> None:
    if inv.deps.alumni_channel is None:
        return
    if news_problem(inv.args, is_admin=inv.user_id in inv.deps.admins):
        return  # the ack said why
    try:
        queue_news(
            inv.deps.database,
            team_id=inv.team_id,
            user_id=inv.user_id,
            is_admin=True,
            text=inv.args,
            now=inv.deps.clock(),
        )
    except NewsRefusal as refusal:
        respond(text=refusal.message, response_type="ephemeral", replace_original=False)


SUBCOMMAND = SubcommandHandler(answer=answer_news, follow_up=follow_up_news)


def renderers(news_of: NewsReads) -> dict[str, Renderer]:
    """The monthly digest, listing the news queued for its month."""

    def render_digest(payload: dict[str, Any]) -> RenderedMessage:
        lines = news_of(str(payload["team_id"]), str(payload["period"]))
        blocks: list[Block] = [HeaderBlock(text="News from the company")]
        blocks += [section_block("• " + line.text) for line in lines]
        blocks.append(context_block("Sent to the alumni network once a month, when there is news."))
        items = "1 item" if len(lines) == 1 else f"{len(lines)} items"
        return RenderedMessage(f"News from the company: {items}", blocks[:50])

    return {DIGEST: render_digest}
