"""Block Kit for the tour-end conversation: the lead-time prompt, the other side's decision, the
overdue flag, and the thank-you note."""

from __future__ import annotations

from datetime import date

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement, HeaderBlock

from domain.tour_end import EndDecision
from domain.tours import Side
from handlers.ids import (
    ACTION_TOUR_END_LATER,
    ACTION_TOUR_END_NEW,
    ACTION_TOUR_END_OFFBOARD,
    ACTION_TOUR_END_TRANSITION,
)
from handlers.mrkdwn import escape_mrkdwn
from handlers.views import clip, context_block, section_block
from services.tour_end import TourEndSheet


def _day(day: date) -> str:
    return f"{day:%a %-d %b %Y}"


def _name(sheet: TourEndSheet, side: Side) -> str:
    return escape_mrkdwn(sheet.name(side))


def _mission(sheet: TourEndSheet) -> Block:
    return context_block(
        f"{sheet.tour_type.label} tour, {_day(sheet.start_date)} to {_day(sheet.end_date)}. "
        f"Mission: {escape_mrkdwn(clip(sheet.objective, 300))}"
    )


def decision_buttons(tour_id: int, *, later: bool) -> ActionsBlock:
    value = str(tour_id)
    buttons = [
        ButtonElement(
            text="Plan a new tour", action_id=ACTION_TOUR_END_NEW, value=value, style="primary"
        ),
        ButtonElement(
            text="Discuss a transition", action_id=ACTION_TOUR_END_TRANSITION, value=value
        ),
    ]
    if later:
        buttons.append(
            ButtonElement(text="Remind me later", action_id=ACTION_TOUR_END_LATER, value=value)
        )
    return ActionsBlock(elements=buttons)


def offboard_button(tour_id: int) -> ActionsBlock:
    """For the manager: record the departure (last day, and the alumni invitation)."""
    return ActionsBlock(
        elements=[
            ButtonElement(
                text="Record the departure", action_id=ACTION_TOUR_END_OFFBOARD, value=str(tour_id)
            )
        ]
    )


def decision_line(sheet: TourEndSheet, reader: Side) -> str:
    """What was decided and by whom, as the reader reads it."""
    if sheet.decision is None or sheet.decided_by is None:
        return "Nothing is decided yet."
    who = "You" if sheet.decided_by is reader else f"*{_name(sheet, sheet.decided_by)}*"
    return f"{who} chose to *{sheet.decision.label}*."


# --- the lead-time prompt ---------------------------------------------------------------------


def prompt_text(sheet: TourEndSheet, side: Side) -> str:
    return (
        f"Your tour of duty with {sheet.name(side.other)} ends on {_day(sheet.end_date)}: "
        "let's decide together what's next."
    )


def build_prompt(sheet: TourEndSheet, side: Side) -> list[Block]:
    """The end date, the mission, and the three choices (or what was decided meanwhile)."""
    blocks: list[Block] = [
        section_block(
            f"Your tour of duty with *{_name(sheet, side.other)}* ends on "
            f"*{_day(sheet.end_date)}*. Let's decide together what's next: a new tour here, or "
            "a transition done well, so that you stay allies either way."
        ),
        _mission(sheet),
    ]
    if sheet.decision is None:
        blocks.append(decision_buttons(sheet.tour_id, later=True))
    else:
        blocks.append(section_block(decision_line(sheet, side)))
    return blocks


# --- the other side hears the decision --------------------------------------------------------


def decided_text(sheet: TourEndSheet, reader: Side) -> str:
    assert sheet.decided_by is not None and sheet.decision is not None
    return f"{sheet.name(sheet.decided_by)} chose to {sheet.decision.label} at the end of the tour."


def build_decided(sheet: TourEndSheet, reader: Side) -> list[Block]:
    blocks: list[Block] = [section_block(decision_line(sheet, reader)), _mission(sheet)]
    if sheet.decision is EndDecision.NEW_TOUR and reader is Side.MANAGER:
        blocks.append(
            section_block(
                "Propose the next Statement of Alliance when you're ready: the form opens "
                "prefilled for the two of you."
            )
        )
        blocks.append(decision_buttons(sheet.tour_id, later=False))
    elif sheet.decision is EndDecision.TRANSITION:
        blocks.append(
            section_block(
                "Talk it through together soon: what the next step is, how to hand over, and "
                "how you'll stay in touch. A transition done well keeps you allies."
            )
        )
        if reader is Side.MANAGER:
            blocks.append(offboard_button(sheet.tour_id))
    else:
        blocks.append(
            context_block(f"{_name(sheet, Side.MANAGER)} will propose the next statement.")
        )
    return blocks


# --- overdue ----------------------------------------------------------------------------------


def overdue_text(sheet: TourEndSheet) -> str:
    return f"{sheet.employee_name}'s tour of duty passed its end with nothing decided."


def build_overdue(sheet: TourEndSheet, *, to_manager: bool) -> list[Block]:
    """The flag: to the manager with the choices, to admins with names and dates only."""
    employee = _name(sheet, Side.EMPLOYEE)
    if to_manager:
        return [
            section_block(
                f"*{employee}*'s tour of duty with you ended on *{_day(sheet.end_date)}*, and "
                "nothing is decided about what comes next. Please talk it over and choose:"
            ),
            _mission(sheet),
            decision_buttons(sheet.tour_id, later=False),
        ]
    return [
        section_block(
            f"*{employee}*'s tour of duty with *{_name(sheet, Side.MANAGER)}* ended on "
            f"{_day(sheet.end_date)} with no decision about what comes next."
        ),
        context_block("Their manager has been asked to decide with them."),
    ]


# --- thank you --------------------------------------------------------------------------------


def thanks_text(sheet: TourEndSheet) -> str:
    return f"Thank you for your tour of duty, {_day(sheet.start_date)} to {_day(sheet.end_date)}."


def build_thanks(sheet: TourEndSheet, reader: Side) -> list[Block]:
    """A thank-you that sums the tour up: what it was, the reviews held, what comes next."""
    held = sheet.reviews_held
    reviews = f"{held} alignment review{'' if held == 1 else 's'} held together"
    if sheet.decision is EndDecision.NEW_TOUR:
        next_step = "A new tour comes next: here's to the next mission."
    elif sheet.decision is EndDecision.TRANSITION:
        next_step = "A transition comes next. Wherever it leads, you stay allies."
    else:
        next_step = "What comes next is still to be decided together."
    return [
        HeaderBlock(text="Thank you for this tour of duty"),
        section_block(
            f"Your {sheet.tour_type.label.lower()} tour with *{_name(sheet, reader.other)}* has "
            f"ended: {_day(sheet.start_date)} to {_day(sheet.end_date)}, {reviews}."
        ),
        section_block(f"*Mission*\n{escape_mrkdwn(clip(sheet.objective, 1500))}"),
        context_block(next_step),
    ]
