"""Leaving in Slack: `/alliance offboard`, its form, the invitation the outbox sends on the last
day, and joining the alumni channel (by invitation, by Slack Connect, or by an admin's hand)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from domain.alumni import JoinMethod, OffboardingForm, form_problems
from domain.mentions import mentioned_user
from handlers.alumni_views import (
    CHANNEL_UNSET,
    FIELDS,
    build_invitation,
    build_offboard_modal,
    invitation_text,
    joined_text,
    manual_invite_text,
    recorded_text,
    welcome_text,
)
from handlers.delivery import RenderedMessage, Renderer
from handlers.ids import (
    ACTION_ALUMNI_DECLINE,
    ACTION_ALUMNI_JOIN,
    BLOCK_OFFBOARD_EMAIL,
    BLOCK_OFFBOARD_LAST_DAY,
    BLOCK_OFFBOARD_LINE,
    BLOCK_OFFBOARD_STANDING,
    VIEW_OFFBOARD,
)
from handlers.mrkdwn import mention
from handlers.slack_users import fetch_profile, quick_client
from handlers.subcommands import Invocation, Reply, SubcommandHandler, say
from handlers.views import picked_date, picked_option, pressed_row_id, typed_text
from handlers.wiring import acknowledge, acknowledged
from services.deps import Deps
from services.offboarding import (
    INVITATION,
    Invitation,
    OffboardRefusal,
    check_offboard,
    claim_answer,
    record_declined,
    record_joined,
    record_offboarding,
)
from services.people import remember_person

USAGE = "Whose departure? Try `/alliance offboard @dana`."
RECORDED = "offboard_recorded"  # context key: what the ack saved, for the note after it
# conversations.invite errors that another way in may get round.
ALREADY_IN = "already_in_channel"


def register(app: App, deps: Deps) -> None:
    app.view(VIEW_OFFBOARD)(acknowledged(handle_view_offboard, tell_recorded, deps))
    app.action(ACTION_ALUMNI_JOIN)(acknowledged(acknowledge, handle_action_alumni_join, deps))
    app.action(ACTION_ALUMNI_DECLINE)(acknowledged(acknowledge, handle_action_alumni_decline, deps))


# --- /alliance offboard -----------------------------------------------------------------------


def answer_offboard(inv: Invocation) -> Reply:
    person = mentioned_user(inv.args)
    if person is None:
        return say(USAGE)
    return Reply()  # the form opens after the ack, once the person has been looked up


def follow_up_offboard(inv: Invocation, client: WebClient, respond: Respond) -> None:
    person = mentioned_user(inv.args)
    if person is None:
        return
    remember_person(
        inv.deps.database,
        team_id=inv.team_id,
        user_id=person,
        now=inv.deps.clock(),
        fetch=fetch_profile(quick_client(client), inv.team_id),
    )
    try:
        leaver = check_offboard(
            inv.deps.database,
            team_id=inv.team_id,
            by_user_id=inv.user_id,
            person_user_id=person,
            is_admin=inv.user_id in inv.deps.admins,
        )
    except OffboardRefusal as refusal:
        respond(text=refusal.message, response_type="ephemeral", replace_original=False)
        return
    client.views_open(
        trigger_id=inv.trigger_id,
        view=build_offboard_modal(leaver, channel_set=inv.deps.alumni_channel is not None),
    )


SUBCOMMAND = SubcommandHandler(answer=answer_offboard, follow_up=follow_up_offboard)


def form_from_state(values: dict[str, Any]) -> OffboardingForm:
    return OffboardingForm(
        last_day=picked_date(values, BLOCK_OFFBOARD_LAST_DAY),
        good_standing={"yes": True, "no": False}.get(
            picked_option(values, BLOCK_OFFBOARD_STANDING)
        ),
        personal_email=typed_text(values, BLOCK_OFFBOARD_EMAIL),
        directory_line=typed_text(values, BLOCK_OFFBOARD_LINE),
    )


def handle_view_offboard(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext, *, deps: Deps
) -> None:
    """Check the form in the ack; errors go to the field at fault, the leaver's to the top."""
    form = form_from_state(view.get("state", {}).get("values", {}))
    now = deps.clock()
    errors = {FIELDS[name]: text for name, text in form_problems(form, now.date()).items()}
    if errors:
        ack(response_action="errors", errors=errors)
        return
    user_id = body["user"]["id"]
    person = str(view.get("private_metadata") or "")
    try:
        recorded = record_offboarding(
            deps.database,
            team_id=body["team"]["id"],
            by_user_id=user_id,
            person_user_id=person,
            is_admin=user_id in deps.admins,
            form=form,
            now=now,
        )
    except OffboardRefusal as refusal:
        ack(response_action="errors", errors={BLOCK_OFFBOARD_LAST_DAY: refusal.message})
        return
    context[RECORDED] = {"name": recorded.name, "form": form}
    ack()


def tell_recorded(
    context: BoltContext, body: dict[str, Any], client: WebClient, *, deps: Deps
) -> None:
    """The person who saved the form gets a note of what happens next."""
    recorded = context.get(RECORDED)
    if not recorded:
        return
    form: OffboardingForm = recorded["form"]
    assert form.last_day is not None and form.good_standing is not None
    client.chat_postMessage(
        channel=body["user"]["id"],
        text=recorded_text(
            recorded["name"], form.last_day, form.good_standing, deps.alumni_channel is not None
        ),
    )


# --- what the outbox sends --------------------------------------------------------------------


def renderers(invitation_of: Callable[[int], Invitation | None]) -> dict[str, Renderer]:
    """The outbox renderer of the invitation; it reads the offboarding when the message goes."""

    def render_invitation(payload: dict[str, Any]) -> RenderedMessage:
        invitation = invitation_of(int(payload["offboarding_id"]))
        if invitation is None:
            raise LookupError(f"no offboarding {payload['offboarding_id']}")
        return RenderedMessage(invitation_text(invitation), build_invitation(invitation))

    return {INVITATION: render_invitation}


# --- the two answers --------------------------------------------------------------------------


def _claim(body: dict[str, Any], respond: Respond, deps: Deps) -> Invitation | None:
    try:
        return claim_answer(
            deps.database, offboarding_id=pressed_row_id(body), by_user_id=body["user"]["id"]
        )
    except OffboardRefusal as refusal:
        respond(text=refusal.message, response_type="ephemeral", replace_original=False)
        return None


def handle_action_alumni_decline(body: dict[str, Any], respond: Respond, *, deps: Deps) -> None:
    invitation = _claim(body, respond, deps)
    if invitation is None:
        return
    record_declined(deps.database, offboarding_id=invitation.offboarding_id, now=deps.clock())
    respond(
        text="No problem. Thank you again, and all the best for what comes next.",
        replace_original=False,
        response_type="ephemeral",
    )


def handle_action_alumni_join(
    body: dict[str, Any], client: WebClient, respond: Respond, *, deps: Deps
) -> None:
    invitation = _claim(body, respond, deps)
    if invitation is None:
        return
    channel = deps.alumni_channel
    if channel is None:
        respond(text=CHANNEL_UNSET, response_type="ephemeral", replace_original=False)
        _tell_admins(
            client, deps, f"{invitation.name} wants to join the alumni network. {CHANNEL_UNSET}"
        )
        return
    method, error = _add_to_channel(client, channel, invitation)
    record_joined(
        deps.database,
        offboarding_id=invitation.offboarding_id,
        method=method,
        error=error,
        now=deps.clock(),
    )
    if method is JoinMethod.MANUAL:
        _tell_admins(
            client, deps, manual_invite_text(invitation.name, channel, invitation.personal_email)
        )
    in_channel = method is JoinMethod.CHANNEL_INVITE
    client.chat_postMessage(
        channel=channel,
        text=welcome_text(
            mention(invitation.user_id) if in_channel else invitation.name,
            invitation.directory_line,
        ),
    )
    respond(
        text=joined_text(method is JoinMethod.MANUAL),
        response_type="ephemeral",
        replace_original=False,
    )


def _add_to_channel(
    client: WebClient, channel: str, invitation: Invitation
) -> tuple[JoinMethod, str | None]:
    """Into the alumni channel while their account can be reached; else by Slack Connect to
    their personal email; else the admins do it by hand. Returns how, and the error that
    forced a fallback."""
    try:
        client.conversations_invite(channel=channel, users=invitation.user_id)
        return JoinMethod.CHANNEL_INVITE, None
    except SlackApiError as failure:
        error = str(failure.response.get("error") or "")
        if error == ALREADY_IN:
            return JoinMethod.CHANNEL_INVITE, None
    if invitation.personal_email:
        try:
            client.conversations_inviteShared(channel=channel, emails=[invitation.personal_email])
            return JoinMethod.SLACK_CONNECT, error
        except SlackApiError as failure:
            error = str(failure.response.get("error") or error)
    return JoinMethod.MANUAL, error


def _tell_admins(client: WebClient, deps: Deps, text: str) -> None:
    for admin in sorted(deps.admins):
        client.chat_postMessage(channel=admin, text=text)
