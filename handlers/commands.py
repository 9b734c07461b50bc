"""The `/alliance` slash command: acknowledged at once with a reply, slow work after."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient

from domain.commands import (
    SUBCOMMANDS_BY_NAME,
    ParsedCommand,
    closest_subcommand,
    parse_command_text,
)
from handlers import (
    alumni,
    alumni_asks,
    alumni_directory,
    away,
    expenses,
    leadership,
    learnings,
    news,
    opportunities,
    privacy,
    reviews,
    rollout,
    tours,
    values,
)
from handlers.ids import COMMAND
from handlers.mrkdwn import as_mrkdwn
from handlers.slack_users import fetch_profile
from handlers.subcommands import Invocation, Reply, SubcommandHandler
from handlers.views import (
    build_help_blocks,
    build_subcommand_help_blocks,
    build_unknown_command_blocks,
    help_text,
    section_block,
    subcommand_help_text,
    unknown_command_text,
)
from handlers.wiring import acknowledged
from services.alumni_directory import is_alum
from services.deps import Deps
from services.people import meet

# Each subcommand of the catalogue (domain.commands) but help, and what answers it.
HANDLERS: dict[str, SubcommandHandler] = {
    "tour": tours.SUBCOMMAND,
    "values": values.SUBCOMMAND,
    "checkin": reviews.SUBCOMMAND,
    "away": away.SUBCOMMAND,
    "offboard": alumni.SUBCOMMAND,
    "alumni": alumni_directory.SUBCOMMAND,
    "opportunity": opportunities.SUBCOMMAND,
    "news": news.SUBCOMMAND,
    "ask": alumni_asks.SUBCOMMAND,
    "export": privacy.EXPORT,
    "forget": privacy.FORGET,
    "learned": learnings.SUBCOMMAND,
    "expense": expenses.SUBCOMMAND,
    "report": leadership.SUBCOMMAND,
    "rollout": rollout.SUBCOMMAND,
}
# What alumni use: they never see a current employee's tour, values or reviews.
FOR_ALUMNI = frozenset({"alumni", "export", "forget"})
ALUMNI_ONLY_TEXT = (
    "As an alum, you have the alumni network: `/alliance alumni` finds other alumni and "
    "`/alliance alumni me` is your directory entry; `/alliance export` and `/alliance forget` "
    "are yours too."
)


def register(app: App, deps: Deps) -> None:
    app.command(COMMAND)(
        acknowledged(handle_command_alliance, follow_up_command, deps, owes_work=has_follow_up)
    )


def has_follow_up(command: dict[str, Any]) -> bool:
    """Whether the subcommand does work after its ack that the person would miss; a reply
    given whole in the ack (help, say) owes none: meeting the person again can wait."""
    handler = HANDLERS.get(parse_command_text(command.get("text") or "").name)
    return handler is not None and handler.follow_up is not None


ALUM = "alliance_alum"  # context key: whether an alum ran an employee subcommand


def handle_command_alliance(
    ack: Ack, command: dict[str, Any], context: BoltContext, *, deps: Deps
) -> None:
    """Answer in the ack itself: the reply is ephemeral and arrives with no extra API call."""
    parsed = parse_command_text(command.get("text") or "")
    context[ALUM] = alum_kept_out(parsed.name, command, deps)
    reply = (
        Reply([section_block(ALUMNI_ONLY_TEXT).to_dict()], text=ALUMNI_ONLY_TEXT)
        if context[ALUM]
        else answer_command(parsed, command, deps)
    )
    if reply.blocks is None:
        ack()
    else:
        ack(text=as_mrkdwn(reply.text), blocks=reply.blocks)


def alum_kept_out(name: str, command: dict[str, Any], deps: Deps) -> bool:
    """Whether this is an alum asking for something only employees have."""
    return (
        name in HANDLERS
        and name not in FOR_ALUMNI
        and is_alum(deps.database, team_id=command["team_id"], user_id=command["user_id"])
    )


def answer_command(parsed: ParsedCommand, command: dict[str, Any], deps: Deps) -> Reply:
    if parsed.name in ("", "help"):
        topic = SUBCOMMANDS_BY_NAME.get(parse_command_text(parsed.args).name)
        if topic is None:
            return Reply(build_help_blocks(), text=help_text())
        return Reply(build_subcommand_help_blocks(topic), text=subcommand_help_text(topic))
    if parsed.name in HANDLERS:
        return HANDLERS[parsed.name].answer(Invocation.of(command, parsed.args, deps))
    suggestion = closest_subcommand(parsed.name)
    return Reply(
        build_unknown_command_blocks(parsed.name, suggestion),
        text=unknown_command_text(parsed.name, suggestion),
    )


def follow_up_command(
    command: dict[str, Any],
    context: BoltContext,
    client: WebClient,
    respond: Respond,
    *,
    deps: Deps,
) -> None:
    """After the ack: meet the person, then whatever slow work their subcommand needs."""
    team_id = command["team_id"]
    meet(
        deps.database,
        deps.people_seen,
        team_id=team_id,
        user_id=command["user_id"],
        name=command.get("user_name") or "",
        now=deps.clock(),
        fetch=fetch_profile(client, team_id),
    )
    parsed = parse_command_text(command.get("text") or "")
    handler = HANDLERS.get(parsed.name)
    if context.get(ALUM):
        return
    if handler is not None and handler.follow_up is not None:
        handler.follow_up(Invocation.of(command, parsed.args, deps), client, respond)
