"""The rollout campaign in Slack: `/alliance rollout [department | status | stop]` for admins,
the weekly DM to managers with *Propose a tour* and *Not now*, the same list on the manager's
Home, and the coverage for admins."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import App
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient

from domain.commands import COMMAND
from domain.rollout import ASIDE_LABELS, AsideReason
from handlers.delivery import RenderedMessage, Renderer
from handlers.home import publish_home
from handlers.ids import (
    ACTION_ROLLOUT_ASIDE_ANY,
    ACTION_ROLLOUT_PROPOSE_ANY,
)
from handlers.mrkdwn import Mrkdwn
from handlers.rollout_views import coverage_blocks, coverage_title, report_rows
from handlers.subcommands import Invocation, Reply, SubcommandHandler, say
from handlers.tour_views import ModalPurpose, build_statement_modal
from handlers.views import context_block, section_block
from handlers.wiring import acknowledge, acknowledged
from services.deps import Deps
from services.rollout import (
    DONE,
    PROMPT,
    Campaign,
    ReportToCover,
    RolloutRefusal,
    coverage_report,
    plan_rollout,
    put_aside,
    start_rollout,
    stop_rollout,
)

ADMINS_ONLY = (
    "The rollout is for Alliance admins (`ALLIANCE_ADMINS`): it asks every manager to agree a "
    "tour of duty with each of their reports."
)

ReportsReads = Callable[[int, int], list[ReportToCover]]
CampaignReads = Callable[[int], Campaign | None]


def register(app: App, deps: Deps) -> None:
    app.action(ACTION_ROLLOUT_PROPOSE_ANY)(acknowledged(acknowledge, handle_action_propose, deps))
    app.action(ACTION_ROLLOUT_ASIDE_ANY)(acknowledged(acknowledge, handle_action_aside, deps))


# --- /alliance rollout --------------------------------------------------------------------------


def answer_rollout(inv: Invocation) -> Reply:
    """Only the refusal is said in the ack: the rest needs the admin met first (after it)."""
    if inv.user_id not in inv.deps.admins:
        return say(ADMINS_ONLY)
    return Reply()


def follow_up_rollout(inv: Invocation, client: WebClient, respond: Respond) -> None:
    if inv.user_id not in inv.deps.admins:
        return
    words = inv.args.strip()
    if words.lower() == "status":
        blocks, text = _status(inv)
        respond(text=text, blocks=blocks, response_type="ephemeral")
        return
    try:
        text = _stop(inv) if words.lower() == "stop" else _start(inv, words or None)
    except RolloutRefusal as refusal:
        text = refusal.message
    respond(text=text, response_type="ephemeral")


def _start(inv: Invocation, department: str | None) -> str:
    deps = inv.deps
    started = start_rollout(
        deps.database,
        team_id=inv.team_id,
        department=department,
        by_user_id=inv.user_id,
        now=deps.clock(),
    )
    plan_rollout(deps.database, now=deps.clock(), hours=deps.working_hours)
    return (
        f"Started the rollout for {started.scope}. I'll DM each manager whose reports have no "
        "tour of duty yet, in their working hours, and remind them weekly until every report "
        f"has one or is put aside. `{COMMAND} rollout status` shows the coverage."
    )


def _stop(inv: Invocation) -> str:
    deps = inv.deps
    stopped = stop_rollout(
        deps.database, team_id=inv.team_id, by_user_id=inv.user_id, now=deps.clock()
    )
    return (
        f"Stopped the rollout for {stopped.scope}. Nothing more goes to the managers; "
        f"`{COMMAND} rollout status` still shows where it got to."
    )


def _status(inv: Invocation) -> tuple[list[Any] | None, str]:
    deps = inv.deps
    report = coverage_report(deps.database, inv.team_id, deps.min_group_size)
    if report is None:
        return None, (
            f"No rollout yet: `{COMMAND} rollout` starts one for the whole company, "
            f"`{COMMAND} rollout Sales` for one department."
        )
    return coverage_blocks(report, deps.min_group_size), coverage_title(report)


SUBCOMMAND = SubcommandHandler(answer=answer_rollout, follow_up=follow_up_rollout)


# --- what the outbox sends ----------------------------------------------------------------------


def renderers(reports_of: ReportsReads, campaign_of: CampaignReads) -> dict[str, Renderer]:
    def render_prompt(payload: dict[str, Any]) -> RenderedMessage:
        reports = reports_of(int(payload["campaign_id"]), int(payload["manager_id"]))
        if not reports:
            text = "Every one of your reports now has a tour of duty, or is put aside. Thank you!"
            return RenderedMessage(text, [section_block(text)])
        text = (
            f"{len(reports)} of your reports have no tour of duty yet: let's agree one with each."
        )
        lead = section_block(
            "We the company are asking every manager to agree a tour of duty with each of their "
            "reports: what you'll achieve together, and what's in it for them. These reports "
            "don't have one yet:"
        )
        return RenderedMessage(text, [lead, *report_rows(reports)])

    def render_done(payload: dict[str, Any]) -> RenderedMessage:
        campaign = campaign_of(int(payload["campaign_id"]))
        scope = campaign.scope if campaign is not None else "the company"
        text = (
            f":tada: Every report in {scope} now has a tour of duty, or is put aside: the "
            "rollout is complete."
        )
        return RenderedMessage(
            text,
            [section_block(text), context_block(f"`{COMMAND} rollout status` shows the coverage.")],
        )

    return {PROMPT: render_prompt, DONE: render_done}


# --- the two choices ----------------------------------------------------------------------------


def handle_action_propose(body: dict[str, Any], client: WebClient, *, deps: Deps) -> None:
    """The statement form, with the report chosen."""
    client.views_open(
        trigger_id=body["trigger_id"],
        view=build_statement_modal(
            ModalPurpose(), employee_user_id=body["actions"][0].get("value"), draft=None
        ),
    )


def handle_action_aside(
    body: dict[str, Any], client: WebClient, respond: Respond, *, deps: Deps
) -> None:
    """*Not now*, with why: the report leaves the campaign's lists."""
    picked = (body["actions"][0].get("selected_option") or {}).get("value") or ""
    reason_value, _, report_user_id = picked.partition(":")
    user_id, team_id = body["user"]["id"], body["team"]["id"]
    try:
        name = put_aside(
            deps.database,
            team_id=team_id,
            manager_user_id=user_id,
            report_user_id=report_user_id,
            reason=AsideReason(reason_value),
            is_admin=user_id in deps.admins,
            now=deps.clock(),
        )
    except (RolloutRefusal, ValueError) as refused:
        message = refused.message if isinstance(refused, RolloutRefusal) else "Pick a reason."
        if body.get("response_url"):
            respond(text=message, response_type="ephemeral", replace_original=False)
        return
    if (body.get("container") or {}).get("type") == "view":
        publish_home(client, deps, team_id, user_id)
        return
    label = ASIDE_LABELS[AsideReason(reason_value)].lower()
    respond(
        text=Mrkdwn("Noted: I've left *{name}* out of the rollout for now ({why}).").format(
            name=name, why=label
        ),
        response_type="ephemeral",
        replace_original=False,
    )
