"""The tour-end conversation in Slack: the messages the outbox sends, and the three choices."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import App
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient

from domain.schedule import local_label
from domain.tour_end import EndDecision, follow_on_draft
from domain.tours import Side
from handlers.alumni_views import build_offboard_modal
from handlers.delivery import RenderedMessage, Renderer
from handlers.ids import (
    ACTION_TOUR_END_LATER,
    ACTION_TOUR_END_NEW,
    ACTION_TOUR_END_OFFBOARD,
    ACTION_TOUR_END_TRANSITION,
)
from handlers.tour_end_views import (
    build_decided,
    build_overdue,
    build_prompt,
    build_thanks,
    decided_text,
    offboard_button,
    overdue_text,
    prompt_text,
    thanks_text,
)
from handlers.tour_views import ModalPurpose, build_statement_modal
from handlers.views import pressed_row_id
from handlers.wiring import acknowledge, acknowledged
from services.deps import Deps
from services.offboarding import OffboardRefusal, check_offboard
from services.refusals import NOT_YOURS
from services.tour_end import (
    DECIDED,
    OVERDUE,
    PROMPT,
    TourEndRefusal,
    TourEndSheet,
    get_tour_end,
    record_decision,
    remind_later,
)
from services.tour_lifecycle import THANKS
from services.tours import get_statement

TourEndReads = Callable[[int], TourEndSheet | None]


def register(app: App, deps: Deps) -> None:
    app.action(ACTION_TOUR_END_NEW)(acknowledged(acknowledge, handle_action_tour_end_new, deps))
    app.action(ACTION_TOUR_END_TRANSITION)(
        acknowledged(acknowledge, handle_action_tour_end_transition, deps)
    )
    app.action(ACTION_TOUR_END_LATER)(acknowledged(acknowledge, handle_action_tour_end_later, deps))
    app.action(ACTION_TOUR_END_OFFBOARD)(
        acknowledged(acknowledge, handle_action_tour_end_offboard, deps)
    )


# --- what the outbox sends --------------------------------------------------------------------


def renderers(tour_end_of: TourEndReads) -> dict[str, Renderer]:
    """The outbox renderers of the tour end; each reads the tour as it is when the message goes."""

    def sheet_and_side(payload: dict[str, Any]) -> tuple[TourEndSheet, Side]:
        sheet = tour_end_of(int(payload["tour_id"]))
        if sheet is None:
            raise LookupError(f"no tour {payload['tour_id']}")
        return sheet, Side(payload.get("side", Side.MANAGER.value))

    def render_prompt(payload: dict[str, Any]) -> RenderedMessage:
        sheet, side = sheet_and_side(payload)
        return RenderedMessage(prompt_text(sheet, side), build_prompt(sheet, side))

    def render_decided(payload: dict[str, Any]) -> RenderedMessage:
        sheet, side = sheet_and_side(payload)
        return RenderedMessage(decided_text(sheet, side), build_decided(sheet, side))

    def render_overdue(payload: dict[str, Any]) -> RenderedMessage:
        sheet, _ = sheet_and_side({"tour_id": payload["tour_id"]})
        to_manager = bool(payload.get("to_manager"))
        return RenderedMessage(overdue_text(sheet), build_overdue(sheet, to_manager=to_manager))

    def render_thanks(payload: dict[str, Any]) -> RenderedMessage:
        sheet, side = sheet_and_side(payload)
        return RenderedMessage(thanks_text(sheet), build_thanks(sheet, side))

    return {
        PROMPT: render_prompt,
        DECIDED: render_decided,
        OVERDUE: render_overdue,
        THANKS: render_thanks,
    }


# --- the three choices ------------------------------------------------------------------------


def _tell(respond: Respond, text: str) -> None:
    respond(text=text, response_type="ephemeral", replace_original=False)


def _decide(
    body: dict[str, Any], respond: Respond, deps: Deps, decision: EndDecision
) -> tuple[Side, TourEndSheet] | None:
    try:
        decided = record_decision(
            deps.database,
            tour_id=pressed_row_id(body),
            by_user_id=body["user"]["id"],
            decision=decision,
            now=deps.clock(),
            hours=deps.working_hours,
        )
    except TourEndRefusal as refusal:
        _tell(respond, refusal.message)
        return None
    sheet = get_tour_end(deps.database, decided.tour_id)
    assert sheet is not None
    return decided.side, sheet


def handle_action_tour_end_new(
    body: dict[str, Any], client: WebClient, respond: Respond, *, deps: Deps
) -> None:
    """The manager gets the next statement's form, prefilled; an employee's wish goes to them."""
    decided = _decide(body, respond, deps, EndDecision.NEW_TOUR)
    if decided is None:
        return
    side, sheet = decided
    if side is Side.EMPLOYEE:
        _tell(
            respond,
            f"Noted: you'd like a new tour. I've told {sheet.manager_name}, who will propose the "
            "next Statement of Alliance for you both to agree.",
        )
        return
    statement = get_statement(deps.database, sheet.tour_id)
    assert statement is not None
    client.views_open(
        trigger_id=body["trigger_id"],
        view=build_statement_modal(
            ModalPurpose(follows_tour_id=sheet.tour_id),
            employee_user_id=sheet.employee_user_id,
            draft=follow_on_draft(statement.draft(), statement.end_date),
        ),
    )


def handle_action_tour_end_transition(
    body: dict[str, Any], client: WebClient, respond: Respond, *, deps: Deps
) -> None:
    decided = _decide(body, respond, deps, EndDecision.TRANSITION)
    if decided is None:
        return
    side, sheet = decided
    _tell(
        respond,
        f"Noted: you'd like to discuss a transition. I've let {sheet.name(side.other)} know; "
        "talk it through together soon.",
    )
    if side is Side.MANAGER:
        respond(
            text="When the last day is known, record the departure here.",
            blocks=[offboard_button(sheet.tour_id).to_dict()],
            response_type="ephemeral",
            replace_original=False,
        )


def handle_action_tour_end_offboard(
    body: dict[str, Any], client: WebClient, respond: Respond, *, deps: Deps
) -> None:
    """The manager opens the departure form for the tour's employee."""
    sheet = get_tour_end(deps.database, pressed_row_id(body))
    user_id = body["user"]["id"]
    try:
        if sheet is None:
            raise OffboardRefusal(NOT_YOURS)
        leaver = check_offboard(
            deps.database,
            team_id=body["team"]["id"],
            by_user_id=user_id,
            person_user_id=sheet.employee_user_id,
            is_admin=user_id in deps.admins,
        )
    except OffboardRefusal as refusal:
        _tell(respond, refusal.message)
        return
    client.views_open(
        trigger_id=body["trigger_id"],
        view=build_offboard_modal(leaver, channel_set=deps.alumni_channel is not None),
    )


def handle_action_tour_end_later(
    body: dict[str, Any], client: WebClient, respond: Respond, *, deps: Deps
) -> None:
    try:
        reminder = remind_later(
            deps.database,
            tour_id=pressed_row_id(body),
            by_user_id=body["user"]["id"],
            now=deps.clock(),
            hours=deps.working_hours,
        )
    except TourEndRefusal as refusal:
        _tell(respond, refusal.message)
        return
    _tell(respond, f"Sure: I'll bring this back on {local_label(reminder.at, reminder.tz)}.")
