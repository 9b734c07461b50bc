"""Alignment reviews in Slack: the prompts and summaries the outbox sends, their buttons and
modal, and `/alliance checkin`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient

from domain.mentions import mentioned_user
from domain.reviews import Progress, text_problems
from domain.schedule import SnoozeChoice
from domain.tours import Side
from handlers.delivery import ReadAhead, RenderedMessage, Renderer
from handlers.ids import (
    ACTION_REVIEW_ALIGNMENT,
    ACTION_REVIEW_GAP_RESOLVED_ANY,
    ACTION_REVIEW_PROGRESS,
    ACTION_REVIEW_SNOOZE,
    ACTION_REVIEW_SNOOZE_MENU,
    ACTION_REVIEW_THOUGHTS,
    BLOCK_REVIEW_LEARNED,
    BLOCK_REVIEW_TO_ADDRESS,
    VIEW_REVIEW_THOUGHTS,
)
from handlers.mrkdwn import escape_mrkdwn
from handlers.review_views import (
    ThoughtsPurpose,
    build_escalation_message,
    build_overdue_digest,
    build_prompt_message,
    build_summary_message,
    build_thoughts_modal,
    escalation_text,
    overdue_digest_text,
    prompt_text,
    summary_text,
)
from handlers.subcommands import Invocation, Reply, SubcommandHandler, say
from handlers.views import row_id, typed_text
from handlers.wiring import acknowledge, acknowledged
from services.deps import Deps
from services.refusals import NOT_YOURS
from services.review_nudges import ADMIN_DIGEST, ESCALATION, REMINDER
from services.review_reads import ReviewReads
from services.reviews import (
    PROMPT,
    SUMMARY,
    ReviewRefusal,
    ReviewSheet,
    check_checkin,
    record_answer,
    resolve_gap,
    review_of_response,
    snooze,
    start_checkin,
)

# Which answer each button gives.
PROGRESS_BY_ACTION = {action: Progress(value) for value, action in ACTION_REVIEW_PROGRESS.items()}
ALIGNMENT_BY_ACTION = {action: score for score, action in ACTION_REVIEW_ALIGNMENT.items()}
SNOOZE_BY_ACTION = {action: SnoozeChoice(value) for value, action in ACTION_REVIEW_SNOOZE.items()}
TEXT_FIELDS = {"to_address": BLOCK_REVIEW_TO_ADDRESS, "learned": BLOCK_REVIEW_LEARNED}
REDRAW = "review_redraw"  # context key: the message to redraw after the modal's ack


def register(app: App, deps: Deps) -> None:
    for action_id in (*PROGRESS_BY_ACTION, *ALIGNMENT_BY_ACTION):
        app.action(action_id)(acknowledged(acknowledge, handle_action_review_answer, deps))
    for action_id in (ACTION_REVIEW_SNOOZE_MENU, *SNOOZE_BY_ACTION):
        app.action(action_id)(acknowledged(acknowledge, handle_action_review_snooze, deps))
    app.action(ACTION_REVIEW_GAP_RESOLVED_ANY)(
        acknowledged(acknowledge, handle_action_review_gap_resolved, deps)
    )
    app.action(ACTION_REVIEW_THOUGHTS)(
        acknowledged(acknowledge, handle_action_review_thoughts, deps)
    )
    app.view(VIEW_REVIEW_THOUGHTS)(
        acknowledged(handle_view_review_thoughts, redraw_after_thoughts, deps)
    )


# --- what the outbox sends --------------------------------------------------------------------


def renderers(reads: ReviewReads) -> dict[str, Renderer]:
    """The outbox renderers of reviews; they read the review as it is when the message goes."""

    def response_sheet(payload: dict[str, Any]) -> tuple[ReviewSheet, Side]:
        found = reads.of_response(int(payload["response_id"]))
        if found is None:
            raise LookupError(f"no review response {payload['response_id']}")
        return found

    def render_prompt(payload: dict[str, Any]) -> RenderedMessage:
        sheet, side = response_sheet(payload)
        return RenderedMessage(prompt_text(sheet, side), build_prompt_message(sheet, side))

    def render_reminder(payload: dict[str, Any]) -> RenderedMessage:
        sheet, side = response_sheet(payload)
        return RenderedMessage(
            prompt_text(sheet, side, reminder=True),
            build_prompt_message(sheet, side, reminder=True),
        )

    def render_escalation(payload: dict[str, Any]) -> RenderedMessage:
        sheet, _ = response_sheet(payload)
        return RenderedMessage(escalation_text(sheet), build_escalation_message(sheet))

    def render_summary(payload: dict[str, Any]) -> RenderedMessage:
        sheet = reads.review(int(payload["review_id"]))
        if sheet is None:
            raise LookupError(f"no review {payload['review_id']}")
        return RenderedMessage(summary_text(sheet), build_summary_message(sheet))

    def render_overdue_digest(payload: dict[str, Any]) -> RenderedMessage:
        overdue = reads.overdue(str(payload["team_id"]))
        return RenderedMessage(overdue_digest_text(overdue), build_overdue_digest(overdue))

    return {
        PROMPT: render_prompt,
        REMINDER: render_reminder,
        ESCALATION: render_escalation,
        SUMMARY: render_summary,
        ADMIN_DIGEST: render_overdue_digest,
    }


def read_ahead(reads: ReviewReads) -> ReadAhead:
    """Before a delivery pass: the reviews its prompts, reminders and escalations will show."""

    def expect(messages: Sequence[tuple[str, dict[str, Any]]]) -> None:
        reads.expect_responses(
            int(payload["response_id"])
            for purpose, payload in messages
            if purpose in (PROMPT, REMINDER, ESCALATION)
        )

    return expect


# --- buttons on a prompt ----------------------------------------------------------------------


def _pressed(body: dict[str, Any]) -> str:
    """A button's value, or the value of the option chosen in a menu."""
    action = body["actions"][0]
    return str(action.get("value") or (action.get("selected_option") or {}).get("value") or "")


def _response_id(body: dict[str, Any]) -> int:
    """The response a button belongs to: its value, or the value's first part ("12:34")."""
    return row_id(_pressed(body).partition(":")[0])


def _gap_id(body: dict[str, Any]) -> int:
    return row_id(_pressed(body).partition(":")[2])


def _snooze_choice(body: dict[str, Any]) -> SnoozeChoice:
    """From the menu ("12:week"), or from the buttons of prompts sent before it."""
    by_button = SNOOZE_BY_ACTION.get(body["actions"][0]["action_id"])
    try:
        return by_button or SnoozeChoice(_pressed(body).partition(":")[2])
    except ValueError:
        raise ReviewRefusal("I didn't understand that choice; please pick it again.") from None


def _refuse(respond: Respond, refusal: ReviewRefusal) -> None:
    respond(text=refusal.message, response_type="ephemeral", replace_original=False)


def handle_action_review_answer(
    body: dict[str, Any], client: WebClient, respond: Respond, *, deps: Deps
) -> None:
    action_id = body["actions"][0]["action_id"]
    _change_then_redraw(
        body,
        client,
        respond,
        deps,
        lambda response_id: record_answer(
            deps.database,
            response_id=response_id,
            by_user_id=body["user"]["id"],
            now=deps.clock(),
            hours=deps.working_hours,
            progress=PROGRESS_BY_ACTION.get(action_id),
            alignment=ALIGNMENT_BY_ACTION.get(action_id),
        ),
    )


def handle_action_review_snooze(
    body: dict[str, Any], client: WebClient, respond: Respond, *, deps: Deps
) -> None:
    _change_then_redraw(
        body,
        client,
        respond,
        deps,
        lambda response_id: snooze(
            deps.database,
            response_id=response_id,
            by_user_id=body["user"]["id"],
            choice=_snooze_choice(body),
            now=deps.clock(),
        ),
    )


def _change_then_redraw(
    body: dict[str, Any],
    client: WebClient,
    respond: Respond,
    deps: Deps,
    change: Callable[[int], object],
) -> None:
    """Apply a button's change to its response, then redraw the prompt it was pressed on."""
    response_id = _response_id(body)
    try:
        change(response_id)
    except ReviewRefusal as refusal:
        _refuse(respond, refusal)
        return
    container = body.get("container") or {}
    _redraw(client, deps, response_id, container.get("channel_id"), container.get("message_ts"))


def handle_action_review_gap_resolved(
    body: dict[str, Any], client: WebClient, respond: Respond, *, deps: Deps
) -> None:
    _change_then_redraw(
        body,
        client,
        respond,
        deps,
        lambda response_id: resolve_gap(
            deps.database,
            response_id=response_id,
            gap_id=_gap_id(body),
            by_user_id=body["user"]["id"],
            now=deps.clock(),
        ),
    )


def handle_action_review_thoughts(
    body: dict[str, Any], client: WebClient, respond: Respond, *, deps: Deps
) -> None:
    response_id = _response_id(body)
    found = review_of_response(deps.database, response_id)
    if found is None or found[1] is not Side.EMPLOYEE:
        _refuse(respond, ReviewRefusal(NOT_YOURS))
        return
    answers = found[0].side(Side.EMPLOYEE)
    if answers.user_id != body["user"]["id"]:
        _refuse(respond, ReviewRefusal(NOT_YOURS))
        return
    container = body.get("container") or {}
    purpose = ThoughtsPurpose(
        response_id, container.get("channel_id") or "", container.get("message_ts") or ""
    )
    client.views_open(trigger_id=body["trigger_id"], view=build_thoughts_modal(purpose, answers))


def handle_view_review_thoughts(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    context: BoltContext,
    *,
    deps: Deps,
) -> None:
    """Check and save the text answers in the ack; problems go back to their field."""
    values = view.get("state", {}).get("values", {})
    texts = {name: typed_text(values, block) for name, block in TEXT_FIELDS.items()}
    problems = text_problems(texts["to_address"], texts["learned"])
    if problems:
        ack(
            response_action="errors",
            errors={TEXT_FIELDS[name]: text for name, text in problems.items()},
        )
        return
    purpose = ThoughtsPurpose.from_metadata(view.get("private_metadata", ""))
    try:
        record_answer(
            deps.database,
            response_id=purpose.response_id,
            by_user_id=body["user"]["id"],
            now=deps.clock(),
            hours=deps.working_hours,
            to_address=texts["to_address"],
            learned=texts["learned"],
        )
    except ReviewRefusal as refusal:
        ack(response_action="errors", errors={BLOCK_REVIEW_TO_ADDRESS: refusal.message})
        return
    context[REDRAW] = purpose
    ack()


def redraw_after_thoughts(context: BoltContext, client: WebClient, *, deps: Deps) -> None:
    purpose = context.get(REDRAW)
    if purpose is not None:
        _redraw(client, deps, purpose.response_id, purpose.channel, purpose.ts)


def _redraw(
    client: WebClient,
    deps: Deps,
    response_id: int,
    channel: str | None,
    ts: str | None,
) -> None:
    """Show the prompt again with the answers as they now stand."""
    found = review_of_response(deps.database, response_id)
    if found is None or not channel or not ts:
        return
    sheet, side = found
    client.chat_update(
        channel=channel,
        ts=ts,
        text=prompt_text(sheet, side),
        blocks=build_prompt_message(sheet, side),
    )


# --- /alliance checkin ------------------------------------------------------------------------


def answer_checkin(inv: Invocation) -> Reply:
    try:
        checkin = check_checkin(
            inv.deps.database,
            team_id=inv.team_id,
            user_id=inv.user_id,
            subject_user_id=mentioned_user(inv.args),
            today=inv.deps.clock().date(),
        )
    except ReviewRefusal as refusal:
        return say(refusal.message)
    other = (
        checkin.manager_name if checkin.employee_user_id == inv.user_id else checkin.employee_name
    )
    return say(
        f"Starting an alignment review with {escape_mrkdwn(other)} now: you'll both get a DM "
        "with the questions."
    )


def follow_up_checkin(inv: Invocation, client: WebClient, respond: Respond) -> None:
    subject = mentioned_user(inv.args)
    try:
        check_checkin(
            inv.deps.database,
            team_id=inv.team_id,
            user_id=inv.user_id,
            subject_user_id=subject,
            today=inv.deps.clock().date(),
        )
    except ReviewRefusal:
        return  # the ack said why
    try:
        start_checkin(
            inv.deps.database,
            team_id=inv.team_id,
            user_id=inv.user_id,
            subject_user_id=subject,
            now=inv.deps.clock(),
        )
    except ReviewRefusal as refusal:  # something changed since the ack
        respond(text=refusal.message, response_type="ephemeral", replace_original=False)


SUBCOMMAND = SubcommandHandler(answer=answer_checkin, follow_up=follow_up_checkin)
