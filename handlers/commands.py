"""The `/alliance` slash command: acknowledged at once with a reply, slow work after."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from domain.commands import SUBCOMMANDS_BY_NAME, closest_subcommand, parse_command_text
from handlers.ids import COMMAND
from handlers.slack_users import fetch_profile
from handlers.views import (
    Blocks,
    build_help_blocks,
    build_not_yet_blocks,
    build_subcommand_help_blocks,
    build_unknown_command_blocks,
    help_text,
)
from handlers.wiring import in_background
from services.deps import Deps
from services.people import remember_person

SubcommandHandler = Callable[[str], Blocks]

# Subcommands that work today; the rest of the catalogue answers "coming soon".
HANDLERS: dict[str, SubcommandHandler] = {}
AVAILABLE = frozenset({"help", *HANDLERS})


def register(app: App, deps: Deps) -> None:
    app.command(COMMAND)(
        ack=handle_command_alliance,
        lazy=[in_background(remember_requester, deps)],
    )


def handle_command_alliance(ack: Ack, command: dict[str, Any]) -> None:
    """Answer in the ack itself: the reply is ephemeral and arrives with no extra API call."""
    ack(text=help_text(), blocks=reply_blocks(command.get("text") or ""))


def reply_blocks(text: str) -> Blocks:
    parsed = parse_command_text(text)
    if parsed.name in ("", "help"):
        topic = SUBCOMMANDS_BY_NAME.get(parse_command_text(parsed.args).name)
        if topic is None:
            return build_help_blocks(AVAILABLE)
        return build_subcommand_help_blocks(topic, topic.name in AVAILABLE)
    if parsed.name in HANDLERS:
        return HANDLERS[parsed.name](parsed.args)
    if parsed.name in SUBCOMMANDS_BY_NAME:
        return build_not_yet_blocks(SUBCOMMANDS_BY_NAME[parsed.name])
    return build_unknown_command_blocks(parsed.name, closest_subcommand(parsed.name), AVAILABLE)


def remember_requester(command: dict[str, Any], client: WebClient, *, deps: Deps) -> None:
    team_id = command["team_id"]
    remember_person(
        deps.database,
        team_id=team_id,
        user_id=command["user_id"],
        now=deps.clock(),
        fetch=fetch_profile(client, team_id),
    )
