"""How a `/alliance` subcommand plugs in: an answer given in the ack, and work done after it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt.context.respond import Respond
from slack_sdk import WebClient

from handlers.views import Blocks, section_block
from services.deps import Deps


@dataclass(frozen=True)
class Invocation:
    """One use of a subcommand: who typed what, where."""

    team_id: str
    user_id: str
    args: str
    trigger_id: str
    deps: Deps

    @classmethod
    def of(cls, command: dict[str, Any], args: str, deps: Deps) -> Invocation:
        return cls(
            team_id=command["team_id"],
            user_id=command["user_id"],
            args=args,
            trigger_id=command.get("trigger_id", ""),
            deps=deps,
        )


@dataclass(frozen=True)
class Reply:
    """What the ack shows the person; no blocks means nothing is shown (a modal is opening)."""

    blocks: Blocks | None = None
    text: str = ""  # the notification's; required with blocks

    def __post_init__(self) -> None:
        if self.blocks is not None and not self.text:
            raise ValueError("a reply with blocks needs its notification text")


def say(text: str) -> Reply:
    """A short answer in the ack: one section with the text."""
    return Reply([section_block(text).to_dict()], text=text)


@dataclass(frozen=True)
class SubcommandHandler:
    answer: Callable[[Invocation], Reply]
    follow_up: Callable[[Invocation, WebClient, Respond], None] | None = None
