"""Block Kit builders stay within Slack's limits."""

from __future__ import annotations

from domain.commands import SUBCOMMANDS
from handlers.commands import AVAILABLE
from handlers.views import (
    build_guide_modal,
    build_help_blocks,
    build_home_welcome,
    build_not_yet_blocks,
    build_subcommand_help_blocks,
    build_unknown_command_blocks,
)

MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
SECTION_TEXT = 3000


def section_texts(blocks: list[dict]) -> list[str]:
    return [block["text"]["text"] for block in blocks if block["type"] == "section"]


def test_help_fits_in_one_message() -> None:
    blocks = build_unknown_command_blocks("x" * 4000, SUBCOMMANDS[1], AVAILABLE)
    assert len(blocks) <= MESSAGE_BLOCKS
    assert all(len(text) <= SECTION_TEXT for text in section_texts(blocks))


def test_every_subcommand_has_help_and_a_not_ready_message() -> None:
    for subcommand in SUBCOMMANDS:
        assert build_subcommand_help_blocks(subcommand, False)
        assert subcommand.summary in section_texts(build_not_yet_blocks(subcommand))[0]


def test_help_blocks_are_fresh_lists_each_time() -> None:
    first = build_help_blocks(AVAILABLE)
    first.clear()
    assert build_help_blocks(AVAILABLE)


def test_home_and_guide_fit_in_a_view() -> None:
    home = build_home_welcome("A" * 2000)
    guide = build_guide_modal()
    assert len(home["blocks"]) <= VIEW_BLOCKS and len(guide["blocks"]) <= VIEW_BLOCKS
    assert len(guide["title"]["text"]) <= 24
