"""When the org chart moves a report: the question to the tour's manager (hand it over or close
it), the notes to the new manager and the employee, and the admins' note about a proposal from
someone the chart does not name as the person's manager."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import App
from slack_bolt.context.respond import Respond
from slack_sdk.models.blocks import ActionsBlock, ButtonElement

from domain.tours import Side, TourStatus
from handlers.delivery import RenderedMessage, Renderer
from handlers.ids import ACTION_TOUR_CLOSE_ON_MOVE, ACTION_TOUR_HAND_OVER
from handlers.mrkdwn import Mrkdwn, mention
from handlers.views import context_block, row_id, section_block
from handlers.wiring import acknowledge, acknowledged
from services.deps import Deps
from services.hand_over import (
    ASK,
    SETTLED,
    TOLD,
    Choice,
    HandOverNote,
    HandOverRefusal,
    settle_hand_over,
)
from services.off_chart import OFF_CHART, OffChartNote

NoteReads = Callable[[int, int], HandOverNote | None]
OffChartReads = Callable[[int], OffChartNote | None]

CHOICES = {ACTION_TOUR_HAND_OVER: Choice.HANDED_OVER, ACTION_TOUR_CLOSE_ON_MOVE: Choice.CLOSED}


def register(app: App, deps: Deps) -> None:
    for action_id in CHOICES:
        app.action(action_id)(acknowledged(acknowledge, handle_action_hand_over, deps))


# --- what the outbox sends --------------------------------------------------------------------


def renderers(note_of: NoteReads, off_chart_of: OffChartReads) -> dict[str, Renderer]:
    def read(payload: dict[str, Any]) -> HandOverNote:
        note = note_of(int(payload["tour_id"]), int(payload["line_id"]))
        if note is None:
            raise LookupError(f"no tour {payload['tour_id']} or line {payload['line_id']}")
        return note

    def render_ask(payload: dict[str, Any]) -> RenderedMessage:
        note = read(payload)
        return RenderedMessage(
            f"{note.employee_name} now reports to {note.new_manager_name} in the org chart.",
            ask_blocks(note),
        )

    def render_told(payload: dict[str, Any]) -> RenderedMessage:
        note = read(payload)
        lead = Mrkdwn(
            "*{employee}* now reports to you in the org chart. Their tour of duty is with "
            "*{manager}*: I've asked them to hand it over to you or close it, and I'll tell you "
            "which."
        ).format(employee=note.employee_name, manager=note.tour_manager_name)
        return RenderedMessage(
            f"{note.employee_name} now reports to you in the org chart.", [section_block(lead)]
        )

    def render_settled(payload: dict[str, Any]) -> RenderedMessage:
        note = read(payload)
        text = settled_text(note, Choice(payload["choice"]), Side(payload["side"]))
        return RenderedMessage(text, [section_block(text)])

    def render_off_chart(payload: dict[str, Any]) -> RenderedMessage:
        note = off_chart_of(int(payload["tour_id"]))
        if note is None:
            raise LookupError(f"no tour {payload['tour_id']} off the chart")
        lead = Mrkdwn(
            "*{proposer}* proposed a tour of duty to *{employee}*, whose manager in the org "
            "chart is *{manager}*."
        ).format(
            proposer=note.proposer_name,
            employee=note.employee_name,
            manager=note.chart_manager_name,
        )
        return RenderedMessage(
            f"{note.proposer_name} proposed a tour of duty to {note.employee_name}, whose "
            f"manager in the org chart is {note.chart_manager_name}.",
            [
                section_block(lead),
                context_block(
                    Mrkdwn(
                        "If the chart is out of date, import the new one (`alliance people "
                        "import`); if the proposal went to the wrong person, {proposer} can "
                        "withdraw it."
                    ).format(proposer=note.proposer_name)
                ),
            ],
        )

    return {
        ASK: render_ask,
        TOLD: render_told,
        SETTLED: render_settled,
        OFF_CHART: render_off_chart,
    }


def ask_blocks(note: HandOverNote) -> list[Any]:
    waiting = "" if note.tour_status is TourStatus.ACTIVE else " (not begun yet)"
    lead = Mrkdwn(
        "*{employee}* now reports to *{new}* in the org chart, and their tour of duty{waiting} "
        "is with you. Shall I hand it over to {new}, or close it?"
    ).format(employee=note.employee_name, new=note.new_manager_name, waiting=waiting)
    value = f"{note.tour_id}:{note.line_id}"
    return [
        section_block(lead),
        context_block(
            Mrkdwn(
                "Handing it over keeps the statement and its reviews; {new} answers the next "
                "ones. Closing it ends the tour, and {new} can propose a new one."
            ).format(new=note.new_manager_name)
        ),
        ActionsBlock(
            elements=[
                ButtonElement(
                    text=f"Hand it over to {note.new_manager_name}"[:75],
                    action_id=ACTION_TOUR_HAND_OVER,
                    value=value,
                    style="primary",
                ),
                ButtonElement(text="Close it", action_id=ACTION_TOUR_CLOSE_ON_MOVE, value=value),
            ]
        ),
    ]


def settled_text(note: HandOverNote, choice: Choice, reader: Side) -> Mrkdwn:
    """What was chosen, as the new manager (MANAGER) or the employee reads it."""
    if reader is Side.EMPLOYEE:
        return Mrkdwn(
            "Your tour of duty now continues with *{new}*, your manager in the org chart. "
            "The statement you agreed stays as it is."
        ).format(new=note.new_manager_name)
    if choice is Choice.HANDED_OVER:
        return Mrkdwn(
            ":handshake: *{old}* handed *{employee}*'s tour of duty over to you. It's on your "
            "Home tab, and you'll answer its next reviews."
        ).format(old=note.tour_manager_name, employee=note.employee_name)
    return Mrkdwn(
        "*{old}* closed *{employee}*'s tour of duty. When you're ready, propose a new one "
        "together: `/alliance tour new` "
    ).format(old=note.tour_manager_name, employee=note.employee_name) + mention(
        note.employee_user_id
    )


# --- the two choices --------------------------------------------------------------------------


def handle_action_hand_over(body: dict[str, Any], respond: Respond, *, deps: Deps) -> None:
    action = body["actions"][0]
    tour_id, _, line_id = str(action.get("value") or "").partition(":")
    user_id = body["user"]["id"]
    choice = CHOICES[action["action_id"]]
    try:
        note = settle_hand_over(
            deps.database,
            tour_id=row_id(tour_id),
            line_id=row_id(line_id),
            choice=choice,
            by_user_id=user_id,
            is_admin=user_id in deps.admins,
            now=deps.clock(),
            hours=deps.working_hours,
        )
    except HandOverRefusal as refusal:
        respond(text=refusal.message, response_type="ephemeral", replace_original=False)
        return
    if choice is Choice.HANDED_OVER:
        done = Mrkdwn("Done: *{employee}*'s tour of duty is now with *{new}*. I've told them both.")
    else:
        done = Mrkdwn(
            "Closed: *{employee}*'s tour of duty {ended}. I've told *{new}*, who can propose "
            "a new one."
        )
    ended = "has ended" if note.tour_status is TourStatus.ACTIVE else "is withdrawn"
    text = done.format(employee=note.employee_name, new=note.new_manager_name, ended=ended)
    respond(text=text, blocks=[section_block(text).to_dict()], replace_original=True)
