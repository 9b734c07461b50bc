"""The note that someone on a tour can no longer be reached on Slack."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from domain.tours import Side
from handlers.delivery import RenderedMessage, Renderer
from handlers.mrkdwn import escape_mrkdwn
from handlers.views import context_block, section_block
from services.unreachable import UNREACHABLE, UnreachableNote

NoteReads = Callable[[int, Side], UnreachableNote | None]


def renderers(note_of: NoteReads) -> dict[str, Renderer]:
    def render(payload: dict[str, Any]) -> RenderedMessage:
        note = note_of(int(payload["tour_id"]), Side(payload["gone"]))
        if note is None:
            raise LookupError(f"no tour {payload['tour_id']}")
        gone = escape_mrkdwn(note.gone_name)
        if note.gone is Side.EMPLOYEE:
            lead = (
                f"I can't reach *{gone}* on Slack any more (their account looks deactivated), "
                "so the prompts of their tour of duty with you have stopped."
            )
        else:
            lead = (
                f"I can't reach *{gone}* on Slack any more (their account looks deactivated). "
                f"They manage *{escape_mrkdwn(note.other_name)}*'s tour of duty, which now "
                "needs a manager who can take it on."
            )
        text = f"I can't reach {note.gone_name} on Slack any more."
        return RenderedMessage(
            text,
            [
                section_block(lead),
                context_block(
                    "If they have left, nothing more is needed here. If this looks wrong, ask "
                    "your Slack admin to check their account: later prompts go out as soon as "
                    "Slack accepts them again."
                ),
            ],
        )

    return {UNREACHABLE: render}
