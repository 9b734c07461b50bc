"""DM conversations on Slack: one question at a time, with its example and the keywords."""

from __future__ import annotations

from collections.abc import Callable

from slack_sdk import WebClient

from domain.conversations import Flow
from handlers.views import Blocks, context_block, section_block
from services.conversations import Progress
from services.deps import Deps

Completion = Callable[[Progress, WebClient, Deps], None]

KEYWORDS_HINT = "Reply `skip`, `back` or `cancel` at any time."


def build_question_blocks(flow: Flow, step_index: int, problem: str | None = None) -> Blocks:
    step = flow.step(step_index)
    lead = f"{problem} " if problem else ""
    return [
        section_block(
            f"{lead}*Question {step_index + 1} of {len(flow.steps)}.* {step.question}"
        ).to_dict(),
        context_block(f"For example: _{step.example}_  ·  {KEYWORDS_HINT}").to_dict(),
    ]


def question_text(flow: Flow, step_index: int) -> str:
    return flow.step(step_index).question


CANCELLED_TEXT = "Okay, I've stopped there and saved nothing. Start again whenever you like."
NO_CONVERSATION_TEXT = (
    "I'm not in the middle of a conversation with you. Type `/alliance help` to see what I can "
    "do, or `/alliance values` to tell me your aspirations and values."
)


def ask(
    client: WebClient, channel: str, flow: Flow, step_index: int, problem: str | None = None
) -> None:
    """Post the question at `step_index`, after the problem with the last reply if there was one."""
    client.chat_postMessage(
        channel=channel,
        text=question_text(flow, step_index),
        blocks=build_question_blocks(flow, step_index, problem),
    )
