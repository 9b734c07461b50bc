"""`/alliance opportunity`: the form, the alumni channel post the outbox sends, "I'm
interested", and the closing update and summary."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from typing import Any

from slack_bolt import Ack, App
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient

from domain.alumni import OpportunityForm, OpportunityKind, opportunity_problems
from handlers.alumni_views import CHANNEL_UNSET
from handlers.delivery import RenderedMessage, Renderer
from handlers.ids import (
    ACTION_OPPORTUNITY_INTERESTED,
    BLOCK_OPPORTUNITY_CLOSES,
    BLOCK_OPPORTUNITY_CONTACT,
    BLOCK_OPPORTUNITY_DESCRIPTION,
    BLOCK_OPPORTUNITY_KIND,
    BLOCK_OPPORTUNITY_LINK,
    BLOCK_OPPORTUNITY_TITLE,
    VIEW_OPPORTUNITY,
)
from handlers.opportunity_views import (
    FIELDS,
    build_opportunity_modal,
    build_post,
    interest_text,
    post_text,
    summary_text,
)
from handlers.slack_users import fetch_profile, quick_client
from handlers.subcommands import Invocation, Reply, SubcommandHandler, say
from handlers.views import picked_date, picked_option, pressed_row_id, typed_text
from handlers.wiring import acknowledge, acknowledged, answered_in_request
from services.deps import Deps
from services.opportunities import (
    CLOSED,
    INTEREST,
    POST,
    SUMMARY,
    OpportunityRefusal,
    OpportunitySheet,
    check_may_post,
    queue_opportunity,
    record_interest,
)
from services.people import ProfileUnavailable, remember_person

OpportunityReads = Callable[[int], OpportunitySheet | None]


def register(app: App, deps: Deps) -> None:
    app.view(VIEW_OPPORTUNITY)(answered_in_request(handle_view_opportunity, deps))
    app.action(ACTION_OPPORTUNITY_INTERESTED)(
        acknowledged(acknowledge, handle_action_opportunity_interested, deps)
    )


# --- the subcommand and its form --------------------------------------------------------------


def answer_opportunity(inv: Invocation) -> Reply:
    if inv.deps.alumni_channel is None:
        return say(CHANNEL_UNSET)
    try:
        check_may_post(
            inv.deps.database,
            team_id=inv.team_id,
            user_id=inv.user_id,
            is_admin=inv.user_id in inv.deps.admins,
        )
    except OpportunityRefusal as refusal:
        return say(refusal.message)
    return Reply()  # the form opens after the ack


def follow_up_opportunity(inv: Invocation, client: WebClient, respond: Respond) -> None:
    if inv.deps.alumni_channel is None:
        return
    try:
        check_may_post(
            inv.deps.database,
            team_id=inv.team_id,
            user_id=inv.user_id,
            is_admin=inv.user_id in inv.deps.admins,
        )
    except OpportunityRefusal:
        return  # the ack said why
    client.views_open(trigger_id=inv.trigger_id, view=build_opportunity_modal())


SUBCOMMAND = SubcommandHandler(answer=answer_opportunity, follow_up=follow_up_opportunity)


def form_from_state(values: dict[str, Any]) -> OpportunityForm:
    kind = picked_option(values, BLOCK_OPPORTUNITY_KIND)
    return OpportunityForm(
        kind=OpportunityKind(kind) if kind in set(OpportunityKind) else None,
        title=typed_text(values, BLOCK_OPPORTUNITY_TITLE),
        description=typed_text(values, BLOCK_OPPORTUNITY_DESCRIPTION),
        link=typed_text(values, BLOCK_OPPORTUNITY_LINK),
        contact=typed_text(values, BLOCK_OPPORTUNITY_CONTACT),
        closes_on=picked_date(values, BLOCK_OPPORTUNITY_CLOSES),
    )


def handle_view_opportunity(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], *, deps: Deps
) -> None:
    form = form_from_state(view.get("state", {}).get("values", {}))
    now = deps.clock()
    errors = {FIELDS[name]: text for name, text in opportunity_problems(form, now.date()).items()}
    if errors:
        ack(response_action="errors", errors=errors)
        return
    user_id = body["user"]["id"]
    try:
        queue_opportunity(
            deps.database,
            team_id=body["team"]["id"],
            user_id=user_id,
            is_admin=user_id in deps.admins,
            form=form,
            now=now,
        )
    except OpportunityRefusal as refusal:
        ack(response_action="errors", errors={BLOCK_OPPORTUNITY_TITLE: refusal.message})
        return
    ack()


# --- "I'm interested" -------------------------------------------------------------------------


def handle_action_opportunity_interested(
    body: dict[str, Any], client: WebClient, respond: Respond, *, deps: Deps
) -> None:
    team_id, user_id = body["team"]["id"], body["user"]["id"]
    now = deps.clock()
    # Alumni from other workspaces (Slack Connect) meet the bot here for the first time; one
    # Slack will not describe is refused below, not failed on.
    with suppress(ProfileUnavailable):
        remember_person(
            deps.database,
            team_id=team_id,
            user_id=user_id,
            now=now,
            fetch=fetch_profile(quick_client(client), team_id),
        )
    try:
        new = record_interest(
            deps.database,
            team_id=team_id,
            opportunity_id=pressed_row_id(body),
            user_id=user_id,
            now=now,
            hours=deps.working_hours,
        )
    except OpportunityRefusal as refusal:
        respond(text=refusal.message, response_type="ephemeral", replace_original=False)
        return
    respond(
        text=(
            "Thanks! I've told the person who posted it; they'll get in touch."
            if new
            else "You're already on their list: they know you're interested."
        ),
        response_type="ephemeral",
        replace_original=False,
    )


# --- what the outbox sends --------------------------------------------------------------------


def renderers(opportunity_of: OpportunityReads) -> dict[str, Renderer]:
    """The post, its closing update, and the notes to the poster, read when they go."""

    def sheet(payload: dict[str, Any]) -> OpportunitySheet:
        found = opportunity_of(int(payload["opportunity_id"]))
        if found is None:
            raise LookupError(f"no opportunity {payload['opportunity_id']}")
        return found

    def render_post(payload: dict[str, Any]) -> RenderedMessage:
        found = sheet(payload)
        return RenderedMessage(post_text(found), build_post(found))

    def render_closed(payload: dict[str, Any]) -> RenderedMessage:
        found = sheet(payload)
        if found.post is None:
            raise LookupError(f"opportunity {found.opportunity_id} has not been posted yet")
        return RenderedMessage(post_text(found), build_post(found), replaces=found.post)

    def render_interest(payload: dict[str, Any]) -> RenderedMessage:
        found = sheet(payload)
        interest_id = int(payload["interest_id"])
        person = next((p for p in found.interested if p.interest_id == interest_id), None)
        if person is None:
            raise LookupError(f"no interest {interest_id}")
        return RenderedMessage(interest_text(found, person.user_id))

    def render_summary(payload: dict[str, Any]) -> RenderedMessage:
        return RenderedMessage(summary_text(sheet(payload)))

    return {
        POST: render_post,
        CLOSED: render_closed,
        INTEREST: render_interest,
        SUMMARY: render_summary,
    }
