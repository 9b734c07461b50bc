"""`/alliance expense`: spend from the networking budget; the manager decides what is beyond
the self-approval limit or the budget left."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient
from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    DatePickerElement,
    InputBlock,
    PlainTextInputElement,
)
from slack_sdk.models.views import View

from domain.commands import COMMAND
from domain.money import (
    AmountProblem,
    ExpenseStatus,
    Money,
    amount_examples,
    event_date_problem,
    parse_amount,
)
from handlers.delivery import RenderedMessage, Renderer
from handlers.ids import (
    ACTION_EXPENSE_APPROVE,
    ACTION_EXPENSE_DECLINE,
    ACTION_EXPENSE_NEW,
    BLOCK_EXPENSE_AMOUNT,
    BLOCK_EXPENSE_EVENT_DATE,
    BLOCK_EXPENSE_REASON,
    BLOCK_EXPENSE_WHAT,
    VIEW_EXPENSE,
    VIEW_EXPENSE_DECLINE,
)
from handlers.mrkdwn import escape_mrkdwn
from handlers.subcommands import Invocation, Reply, SubcommandHandler, say
from handlers.views import (
    clip,
    context_block,
    picked_date,
    pressed_row_id,
    row_id,
    section_block,
    typed_text,
)
from handlers.wiring import acknowledge, acknowledged, answered_in_request
from services.budget import (
    DECISION,
    DESCRIPTION_MAX,
    Decision,
    ExpenseRefusal,
    Requested,
    check_decidable,
    decide_expense,
    request_expense,
    year_requests,
)
from services.deps import Deps
from services.people import name_of


def usage(currency: str) -> str:
    return (
        f"Try `{COMMAND} expense 120 DevOpsDays ticket`: an amount ({amount_examples(currency)}), "
        f"then what for; or `{COMMAND} expense new` for the form, with the event's date."
    )


DECIDED_ALREADY = "That request was decided already."
REQUESTED = "expense_requested"  # context key: the request the form recorded
REASON_MAX = 500
STATUS_LABELS = {
    ExpenseStatus.APPROVED_AUTO: "approved",
    ExpenseStatus.PENDING: "waiting for your manager",
    ExpenseStatus.APPROVED: "approved by your manager",
    ExpenseStatus.DECLINED: "declined",
    ExpenseStatus.CANCELLED: "cancelled",
}


def register(app: App, deps: Deps) -> None:
    app.action(ACTION_EXPENSE_APPROVE)(
        acknowledged(acknowledge, handle_action_expense_approve, deps)
    )
    app.action(ACTION_EXPENSE_DECLINE)(
        acknowledged(acknowledge, handle_action_expense_decline, deps)
    )
    app.view(VIEW_EXPENSE_DECLINE)(answered_in_request(handle_view_expense_decline, deps))
    app.action(ACTION_EXPENSE_NEW)(acknowledged(acknowledge, handle_action_expense_new, deps))
    app.view(VIEW_EXPENSE)(acknowledged(handle_view_expense, announce_after_form, deps))


def _split(args: str, deps: Deps) -> tuple[Money, str]:
    """The amount (with a currency code after it, typed in capitals: "1200 USD") and what it
    is for; raises AmountProblem."""
    words = args.strip().split(maxsplit=2)
    if len(words) > 1 and len(words[1]) == 3 and words[1].isalpha() and words[1].isupper():
        amount, rest = f"{words[0]} {words[1]}", words[2:]
    else:
        amount, rest = words[0], [" ".join(words[1:])] if len(words) > 1 else []
    return parse_amount(amount, deps.budget_defaults.currency), " ".join(rest)


def _wants_form(args: str) -> bool:
    return args.strip().lower() == "new"


def answer_expense(inv: Invocation) -> Reply:
    if _wants_form(inv.args):
        return Reply()  # the form opens after the ack
    if not inv.args.strip():
        status, requests = year_requests(
            inv.deps.database,
            team_id=inv.team_id,
            user_id=inv.user_id,
            now=inv.deps.clock(),
            defaults=inv.deps.budget_defaults,
        )
        lines = [
            f"• {request.asked_on:%-d %b}: {request.amount}, "
            f"{escape_mrkdwn(clip(request.description, 120))} ({STATUS_LABELS[request.status]})"
            for request in requests[:20]
        ]
        lead = (
            f"*Your networking budget for {status.year}*: {status.remaining} left of "
            f"{status.budget}; up to {status.limit} a request is approved at once."
        )
        no_requests = f"{lead}\nNo requests yet. {usage(status.budget.currency)}"
        text = "\n".join([lead, *lines]) if lines else no_requests
        return Reply([section_block(text).to_dict(), new_request_actions().to_dict()], text=text)
    currency = inv.deps.budget_defaults.currency
    try:
        _, what = _split(inv.args, inv.deps)
    except AmountProblem as problem:
        return say(f"{problem} {usage(currency)}")
    if not what.strip():
        return say(f"What is it for? {usage(currency)}")
    return Reply()  # the outcome follows the ack


def follow_up_expense(inv: Invocation, client: WebClient, respond: Respond) -> None:
    if _wants_form(inv.args):
        client.views_open(
            trigger_id=inv.trigger_id, view=build_expense_modal(inv.deps.budget_defaults.currency)
        )
        return
    if not inv.args.strip():
        return
    try:
        amount, what = _split(inv.args, inv.deps)
    except AmountProblem:
        return  # the ack said why
    if not what.strip():
        return
    try:
        requested = _request(inv.deps, inv.team_id, inv.user_id, amount, what, None)
    except ExpenseRefusal as refusal:
        respond(text=refusal.message, response_type="ephemeral", replace_original=False)
        return
    text = _announce(client, inv.deps, inv.team_id, inv.user_id, requested, what)
    respond(text=text, response_type="ephemeral", replace_original=False)


def _request(
    deps: Deps, team_id: str, user_id: str, amount: Money, what: str, event_date: date | None
) -> Requested:
    """The request recorded from the command or the form; raises ExpenseRefusal."""
    return request_expense(
        deps.database,
        team_id=team_id,
        user_id=user_id,
        amount=amount,
        description=what,
        event_date=event_date,
        now=deps.clock(),
        defaults=deps.budget_defaults,
    )


def _announce(
    client: WebClient, deps: Deps, team_id: str, user_id: str, requested: Requested, what: str
) -> str:
    """Ask the approver when the request needs them; returns what to tell the person."""
    amount = requested.amount
    if requested.status is ExpenseStatus.APPROVED_AUTO:
        text = f"Approved: {amount} for {what}. {requested.remaining} left this year."
        if requested.event_date is not None:
            text += f" After {requested.event_date:%-d %b}, I'll ask what you learned there."
        return text
    assert requested.approver_user_id is not None
    name = name_of(deps.database, team_id, user_id)
    client.chat_postMessage(
        channel=requested.approver_user_id,
        text=f"{escape_mrkdwn(name)} asks for {amount} from their networking budget.",
        blocks=build_approval_request(name, what, requested),
    )
    return (
        f"Sent to {requested.approver_name} for approval: {amount} for {what}. "
        "I'll tell you what they decide."
    )


SUBCOMMAND = SubcommandHandler(answer=answer_expense, follow_up=follow_up_expense)


def build_approval_request(name: str, what: str, requested: Requested) -> list[Block]:
    value = str(requested.expense_id)
    return [
        section_block(
            f"*{escape_mrkdwn(name)}* asks for *{requested.amount}* from their networking "
            f"budget: {escape_mrkdwn(clip(what, 500))}"
        ),
        context_block(f"If approved, {requested.remaining} is left of their budget this year."),
        ActionsBlock(
            elements=[
                ButtonElement(
                    text="Approve", action_id=ACTION_EXPENSE_APPROVE, value=value, style="primary"
                ),
                ButtonElement(text="Decline", action_id=ACTION_EXPENSE_DECLINE, value=value),
            ]
        ),
    ]


def handle_action_expense_approve(body: dict[str, Any], respond: Respond, *, deps: Deps) -> None:
    """Only the designated approver decides, and a second click changes nothing."""
    try:
        decision = decide_expense(
            deps.database,
            expense_id=pressed_row_id(body),
            by_user_id=body["user"]["id"],
            approve=True,
            reason="",
            now=deps.clock(),
            hours=deps.working_hours,
        )
    except ExpenseRefusal as refusal:
        respond(text=refusal.message, response_type="ephemeral", replace_original=False)
        return
    if not decision.changed:
        respond(text=DECIDED_ALREADY, response_type="ephemeral", replace_original=False)
        return
    respond(
        text=(
            f"You approved {decision.amount} for {escape_mrkdwn(decision.description)}. "
            "I'll let them know."
        ),
        replace_original=True,
    )


def handle_action_expense_decline(
    body: dict[str, Any], client: WebClient, respond: Respond, *, deps: Deps
) -> None:
    """Declining asks for a reason first, which the employee is told."""
    expense_id = pressed_row_id(body)
    try:
        pending = check_decidable(
            deps.database, expense_id=expense_id, by_user_id=body["user"]["id"]
        )
    except ExpenseRefusal as refusal:
        respond(text=refusal.message, response_type="ephemeral", replace_original=False)
        return
    if not pending:
        respond(text=DECIDED_ALREADY, response_type="ephemeral", replace_original=False)
        return
    client.views_open(trigger_id=body["trigger_id"], view=build_decline_modal(expense_id))


def build_decline_modal(expense_id: int) -> dict[str, Any]:
    return View(
        type="modal",
        callback_id=VIEW_EXPENSE_DECLINE,
        title="Decline the request",
        submit="Decline",
        close="Cancel",
        private_metadata=str(expense_id),
        blocks=[
            InputBlock(
                block_id=BLOCK_EXPENSE_REASON,
                label="Why? They will read this.",
                element=PlainTextInputElement(
                    action_id=BLOCK_EXPENSE_REASON,
                    multiline=True,
                    max_length=REASON_MAX,
                    placeholder="e.g. Let's find a conference closer to home this year",
                ),
            )
        ],
    ).to_dict()


def handle_view_expense_decline(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext, *, deps: Deps
) -> None:
    reason = typed_text(view.get("state", {}).get("values", {}), BLOCK_EXPENSE_REASON)
    if not reason.strip():
        ack(response_action="errors", errors={BLOCK_EXPENSE_REASON: "Say why, in a few words."})
        return
    try:
        decide_expense(
            deps.database,
            expense_id=row_id(view.get("private_metadata")),
            by_user_id=body["user"]["id"],
            approve=False,
            reason=reason,
            now=deps.clock(),
            hours=deps.working_hours,
        )
    except ExpenseRefusal as refusal:
        ack(response_action="errors", errors={BLOCK_EXPENSE_REASON: refusal.message})
        return
    ack()


# --- the form ---------------------------------------------------------------------------------


def new_request_actions() -> ActionsBlock:
    return ActionsBlock(
        elements=[ButtonElement(text="New request", action_id=ACTION_EXPENSE_NEW, value="new")]
    )


def build_expense_modal(currency: str) -> dict[str, Any]:
    return View(
        type="modal",
        callback_id=VIEW_EXPENSE,
        title="Networking budget",
        submit="Ask",
        close="Cancel",
        blocks=[
            InputBlock(
                block_id=BLOCK_EXPENSE_AMOUNT,
                label="Amount",
                hint=f"As you would write it: {amount_examples(currency)}.",
                element=PlainTextInputElement(action_id=BLOCK_EXPENSE_AMOUNT, max_length=40),
            ),
            InputBlock(
                block_id=BLOCK_EXPENSE_WHAT,
                label="What for",
                element=PlainTextInputElement(
                    action_id=BLOCK_EXPENSE_WHAT,
                    max_length=DESCRIPTION_MAX,
                    placeholder="e.g. DevOpsDays ticket",
                ),
            ),
            InputBlock(
                block_id=BLOCK_EXPENSE_EVENT_DATE,
                label="Event date",
                optional=True,
                hint="After it, I'll ask what you learned there.",
                element=DatePickerElement(action_id=BLOCK_EXPENSE_EVENT_DATE),
            ),
        ],
    ).to_dict()


def handle_action_expense_new(body: dict[str, Any], client: WebClient, *, deps: Deps) -> None:
    modal = build_expense_modal(deps.budget_defaults.currency)
    client.views_open(trigger_id=body["trigger_id"], view=modal)


def handle_view_expense(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext, *, deps: Deps
) -> None:
    """Checked in the form; a refusal shows by the amount, and nothing typed is lost."""
    values = view.get("state", {}).get("values", {})
    what = typed_text(values, BLOCK_EXPENSE_WHAT).strip()
    event_date = picked_date(values, BLOCK_EXPENSE_EVENT_DATE)
    errors: dict[str, str] = {}
    try:
        amount = parse_amount(
            typed_text(values, BLOCK_EXPENSE_AMOUNT), deps.budget_defaults.currency
        )
    except AmountProblem as problem:
        errors[BLOCK_EXPENSE_AMOUNT] = str(problem)
    if not what:
        errors[BLOCK_EXPENSE_WHAT] = "Say what it is for."
    date_problem = event_date_problem(event_date, deps.clock().date()) if event_date else None
    if date_problem:
        errors[BLOCK_EXPENSE_EVENT_DATE] = date_problem
    if errors:
        ack(response_action="errors", errors=errors)
        return
    try:
        requested = _request(deps, body["team"]["id"], body["user"]["id"], amount, what, event_date)
    except ExpenseRefusal as refusal:
        ack(response_action="errors", errors={BLOCK_EXPENSE_AMOUNT: refusal.message})
        return
    context[REQUESTED] = (requested, what)
    ack()


def announce_after_form(
    context: BoltContext, body: dict[str, Any], client: WebClient, *, deps: Deps
) -> None:
    recorded = context.get(REQUESTED)
    if recorded is not None:
        requested, what = recorded
        team_id, user_id = body["team"]["id"], body["user"]["id"]
        text = _announce(client, deps, team_id, user_id, requested, what)
        client.chat_postMessage(channel=user_id, text=text)


def decision_text(decision: Decision) -> str:
    if decision.approved:
        return (
            f"Your manager approved {decision.amount} for {decision.description}. Enjoy it, "
            "and share what you learn!"
        )
    return (
        f"Your manager declined {decision.amount} for {decision.description}: “{decision.reason}”"
    )


def renderers(decision_of: Callable[[int], Decision | None]) -> dict[str, Renderer]:
    """The outbox renderer telling the employee the decision; it reads it when the message goes."""

    def render_decision(payload: dict[str, Any]) -> RenderedMessage:
        decision = decision_of(int(payload["expense_id"]))
        if decision is None:
            raise LookupError(f"no decision on expense {payload['expense_id']}")
        return RenderedMessage(decision_text(decision))

    return {DECISION: render_decision}
