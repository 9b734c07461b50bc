"""Block Kit builders stay within Slack's limits."""

from __future__ import annotations

from domain.commands import SUBCOMMANDS
from handlers.commands import HANDLERS
from handlers.views import (
    build_guide_modal,
    build_help_blocks,
    build_home_welcome,
    build_subcommand_help_blocks,
    build_unknown_command_blocks,
)

MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
SECTION_TEXT = 3000


def section_texts(blocks: list[dict]) -> list[str]:
    return [block["text"]["text"] for block in blocks if block["type"] == "section"]


def test_help_fits_in_one_message() -> None:
    blocks = build_unknown_command_blocks("x" * 4000, SUBCOMMANDS[1])
    assert len(blocks) <= MESSAGE_BLOCKS
    assert all(len(text) <= SECTION_TEXT for text in section_texts(blocks))


def test_every_subcommand_has_help_and_a_handler() -> None:
    for subcommand in SUBCOMMANDS:
        assert subcommand.example in section_texts(build_subcommand_help_blocks(subcommand))[0]
    assert {"help", *HANDLERS} == {subcommand.name for subcommand in SUBCOMMANDS}


def test_help_blocks_are_fresh_lists_each_time() -> None:
    first = build_help_blocks()
    first.clear()
    assert build_help_blocks()


def test_home_and_guide_fit_in_a_view() -> None:
    home = build_home_welcome("A" * 2000)
    guide = build_guide_modal()
    assert len(home["blocks"]) <= VIEW_BLOCKS and len(guide["blocks"]) <= VIEW_BLOCKS
    assert len(guide["title"]["text"]) <= 24


def test_statements_of_maximum_length_and_hostile_characters_fit() -> None:
    from datetime import date

    from domain.tours import OBJECTIVE_MAX, SUCCESS_MAX, Side, TourStatus, TourType
    from handlers.tour_views import build_proposal_message, build_tour_list
    from services.tours import TourStatement

    statement = TourStatement(
        tour_id=1,
        team_id="T1",
        version_no=99,
        employee_user_id="U1",
        manager_user_id="U2",
        employee_name="<&>" * 85,
        manager_name="&" * 255,
        tour_type=TourType.FOUNDATIONAL,
        objective="&" * OBJECTIVE_MAX,
        start_date=date(2026, 1, 1),
        end_date=date(2036, 1, 1),
        success_company="<" * SUCCESS_MAX,
        success_employee=">" * SUCCESS_MAX,
        cadence_weeks=12,
        status=TourStatus.ACTIVE,
        awaiting=Side.EMPLOYEE,
        next_review_on=date(2026, 3, 1),
    )
    blocks = build_proposal_message(statement, Side.EMPLOYEE, "lead")
    assert len(blocks) <= MESSAGE_BLOCKS
    assert all(len(text) <= SECTION_TEXT for text in section_texts(blocks))
    listing = build_tour_list("Tours", [statement] * 30, date(2026, 6, 1), "none")
    assert len(listing) <= MESSAGE_BLOCKS
