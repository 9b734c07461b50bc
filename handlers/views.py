"""Block Kit builders: pure functions from values to the blocks and views the bot sends."""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from domain.commands import COMMAND, SUBCOMMANDS, Subcommand
from domain.tours import TourType
from handlers.ids import ACTION_OPEN_GUIDE, VIEW_GUIDE
from handlers.mrkdwn import Mrkdwn, as_mrkdwn

Blocks = list[dict[str, Any]]

ECHO_LIMIT = 40

PRIVACY_NOTE = "Career conversations are private: only you, your manager and admins see them."


TEXT_LIMIT = 3000  # Slack's limit for a section's or a context element's text
FIELD_LIMIT = 2000  # Slack's limit for the text of one of a section's fields


def clip(text: str, limit: int = TEXT_LIMIT) -> str:
    """Text cut to Slack's limit, with an ellipsis when something was cut.

    Escaping can make typed text longer (one `&` becomes `&amp;`), so this runs on the final text.
    """
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    amp = cut.rfind("&", max(0, len(cut) - 5))
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]  # never half an `&amp;`
    cut += "…"
    return Mrkdwn(cut) if isinstance(text, Mrkdwn) else cut


def input_state(values: dict[str, Any], block_id: str) -> dict[str, Any]:
    """What Slack reports for an input block whose element's action_id is its block_id.

    Empty when Slack sent nothing for it, so a forged or partial submission reads as blank.
    """
    state = (values.get(block_id) or {}).get(block_id)
    return state if isinstance(state, dict) else {}


def typed_text(values: dict[str, Any], block_id: str) -> str:
    return str(input_state(values, block_id).get("value") or "")


def picked_option(values: dict[str, Any], block_id: str) -> str:
    """The value of the option chosen in a select or radio buttons; "" when none."""
    return str((input_state(values, block_id).get("selected_option") or {}).get("value") or "")


def picked_date(values: dict[str, Any], block_id: str) -> date | None:
    """The day chosen in a date picker; None when none (or not a date)."""
    try:
        return date.fromisoformat(input_state(values, block_id).get("selected_date") or "")
    except ValueError:
        return None


def row_id(value: object) -> int:
    """A row id carried in a button's value or a view's metadata; 0 (no row) if it is not one."""
    text = str(value or "")
    return int(text) if text.isdigit() else 0


def pressed_row_id(body: dict[str, Any]) -> int:
    """The row id in the value of the button pressed."""
    return row_id(body["actions"][0].get("value"))


def mrkdwn_text(text: str, limit: int = TEXT_LIMIT) -> MarkdownTextObject:
    """A mrkdwn text object: escaped unless it is Mrkdwn (handlers/mrkdwn.py), then clipped."""
    return MarkdownTextObject(text=clip(as_mrkdwn(text), limit))


def section_block(text: str) -> SectionBlock:
    return SectionBlock(text=mrkdwn_text(text))


def context_block(text: str) -> ContextBlock:
    return ContextBlock(elements=[mrkdwn_text(text)])


def _render(blocks: list[Block]) -> Blocks:
    return [block.to_dict() for block in blocks]


def _usage_line(subcommand: Subcommand) -> str:
    return f"`{COMMAND} {subcommand.usage}`\n{subcommand.summary}"


def build_help_blocks() -> Blocks:
    """The guide to every subcommand."""
    return list(_help_blocks())


@cache
def _help_blocks() -> tuple[dict[str, Any], ...]:
    # The guide only changes with a release: render it once, not on every request.
    lines = "\n\n".join(_usage_line(s) for s in SUBCOMMANDS)
    return tuple(
        _render(
            [
                HeaderBlock(text="Alliance: how to use it"),
                section_block(
                    "Alliance helps you and your manager agree an explicit *tour of duty*, keep "
                    "your values and aspirations aligned, and stay allies after you move on."
                ),
                DividerBlock(),
                section_block(lines),
                context_block(
                    f"Type `{COMMAND} help <subcommand>` for an example. "
                    "What you write here is private to you unless you choose to share it."
                ),
            ]
        )
    )


def help_text() -> str:
    """The guide's notification: the subcommands by name."""
    names = ", ".join(dict.fromkeys(s.name for s in SUBCOMMANDS))
    return f"What I can do: {names}. `{COMMAND} help tour` shows one with an example."


def subcommand_help_text(subcommand: Subcommand) -> str:
    return f"`{COMMAND} {subcommand.usage}`: {subcommand.summary}"


def build_subcommand_help_blocks(subcommand: Subcommand) -> Blocks:
    return _render(
        [
            section_block(
                f"*`{COMMAND} {subcommand.usage}`*\n{subcommand.summary}\n"
                f"Example: `{COMMAND} {subcommand.example}`"
            ),
        ]
    )


def build_unknown_command_blocks(typed: str, suggestion: Subcommand | None) -> Blocks:
    intro = section_block(unknown_command_text(typed, suggestion))
    return [intro.to_dict(), *build_help_blocks()]


def unknown_command_text(typed: str, suggestion: Subcommand | None) -> str:
    shown = typed[:ECHO_LIMIT] + ("…" if len(typed) > ECHO_LIMIT else "")
    hint = f"Did you mean `{COMMAND} {suggestion.usage}`?" if suggestion else "Here is what I do:"
    return f"I don't know `{COMMAND} {shown}`. {hint}"


def error_text(request_id: str) -> str:
    return (
        "Sorry, something went wrong on my side and nothing was changed. Please try again in a "
        f"moment; if it keeps happening, tell your Alliance admin (reference `{request_id}`)."
    )


def build_error_blocks(request_id: str) -> Blocks:
    return _render([section_block(error_text(request_id))])


def build_home_welcome(first_name: str) -> dict[str, Any]:
    """The Home tab for someone who has not started an alliance yet."""
    greeting = f"Welcome, {first_name}!" if first_name else "Welcome!"
    return View(
        type="home",
        blocks=[
            HeaderBlock(text="The Alliance"),
            section_block(
                f"{greeting} Alliance is how you and your manager agree what the next stretch "
                "of your work is for: a *tour of duty* with a clear mission, what success means "
                "for you and for the company, and regular check-ins so nothing drifts."
            ),
            section_block(
                "*How to start*\n"
                f"• Managers: propose a tour with `{COMMAND} tour new @person`.\n"
                f"• Everyone: share your aspirations and values with `{COMMAND} values`.\n"
                f"• Type `{COMMAND} help` for everything else."
            ),
            ActionsBlock(
                elements=[
                    ButtonElement(text="How the Alliance works", action_id=ACTION_OPEN_GUIDE),
                ]
            ),
            context_block(PRIVACY_NOTE),
        ],
    ).to_dict()


def build_guide_modal() -> dict[str, Any]:
    """A short read on the Alliance: the three kinds of tour and how a statement is agreed."""
    tours = "\n".join(f"*{tour.label}*: {tour.explanation}" for tour in TourType)
    return View(
        type="modal",
        callback_id=VIEW_GUIDE,
        title=PlainTextObject(text="The Alliance"),
        close=PlainTextObject(text="Close"),
        blocks=[
            section_block(
                "Employer and employee are allies: the company helps you transform your "
                "career, and you help transform the company. You agree it explicitly, one "
                "*tour of duty* at a time."
            ),
            HeaderBlock(text="Three kinds of tour"),
            section_block(tours),
            HeaderBlock(text="How it goes"),
            section_block(
                "1. Your manager proposes a tour: mission, dates, what success means for you "
                "and for the company.\n"
                "2. You accept it or suggest changes, until you both agree.\n"
                "3. Regular alignment reviews keep it on course, and well before the end you "
                "decide together what comes next.\n"
                "4. If you move on, the alumni network keeps you in touch."
            ),
            context_block(PRIVACY_NOTE),
        ],
    ).to_dict()
