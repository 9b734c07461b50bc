"""`/alliance export` and `/alliance forget`: a person's records as a file, and erasing them
(after a confirmation; an admin may do it for someone on request)."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient
from slack_sdk.models.blocks import ActionsBlock, ButtonElement, ConfirmObject

from domain.mentions import mentioned_user
from handlers.dm_files import send_file_in_dm
from handlers.ids import ACTION_PRIVACY_FORGET
from handlers.mrkdwn import Mrkdwn, mention
from handlers.subcommands import Invocation, Reply, SubcommandHandler, say
from handlers.views import section_block
from handlers.wiring import acknowledge, acknowledged
from services.deps import Deps
from services.privacy import PrivacyRefusal, export_records, forget_person

ADMINS_ONLY = "Only Alliance admins can ask me to forget someone else, on their request."
FORGET_WHAT = (
    "Forgetting erases your answers, values, conversations and what you wrote, and your name "
    "wherever it appears. Dates and counts stay, so reports still add up. What was posted in "
    "Slack channels stays there: an admin can remove it. It cannot be undone."
)


def register(app: App, deps: Deps) -> None:
    app.action(ACTION_PRIVACY_FORGET)(acknowledged(acknowledge, handle_action_privacy_forget, deps))


# --- /alliance export -------------------------------------------------------------------------


def answer_export(inv: Invocation) -> Reply:
    return say("Gathering everything I hold about you: it arrives as a file in our DM.")


def follow_up_export(inv: Invocation, client: WebClient, respond: Respond) -> None:
    try:
        records = export_records(
            inv.deps.database, team_id=inv.team_id, user_id=inv.user_id, now=inv.deps.clock()
        )
    except PrivacyRefusal as refusal:
        respond(text=refusal.message, response_type="ephemeral", replace_original=False)
        return
    send_file_in_dm(
        client,
        inv.user_id,
        content=records,
        filename="alliance-export.json",
        title="Everything Alliance holds about you",
        comment="Here is every record I hold about you, as JSON.",
    )


EXPORT = SubcommandHandler(answer=answer_export, follow_up=follow_up_export)


# --- /alliance forget -------------------------------------------------------------------------


def answer_forget(inv: Invocation) -> Reply:
    named = mentioned_user(inv.args)
    if named is not None and named != inv.user_id and inv.user_id not in inv.deps.admins:
        return say(ADMINS_ONLY)
    target = named or inv.user_id
    yourself = target == inv.user_id
    label = "Forget me" if yourself else "Forget them"
    lead = (
        f"Do you want me to forget you? {FORGET_WHAT}"
        if yourself
        else Mrkdwn("Forget {}, at their request? {}").format(
            mention(target), FORGET_WHAT.replace("your", "their")
        )
    )
    button = ButtonElement(
        text=label,
        action_id=ACTION_PRIVACY_FORGET,
        value=target,
        style="danger",
        confirm=ConfirmObject(
            title="Forget for good?",
            text="This erases the personal records and cannot be undone.",
            confirm=label,
            deny="Keep them",
            style="danger",
        ),
    )
    blocks = [section_block(lead).to_dict(), ActionsBlock(elements=[button]).to_dict()]
    return Reply(blocks, text=lead)


FORGET = SubcommandHandler(answer=answer_forget)


def handle_action_privacy_forget(body: dict[str, Any], respond: Respond, *, deps: Deps) -> None:
    presser = body["user"]["id"]
    target = str(body["actions"][0].get("value") or "")
    if target != presser and presser not in deps.admins:
        respond(text=ADMINS_ONLY, response_type="ephemeral", replace_original=False)
        return
    try:
        forget_person(
            deps.database,
            team_id=body["team"]["id"],
            user_id=target,
            by_user_id=presser,
            now=deps.clock(),
        )
    except PrivacyRefusal as refusal:
        respond(text=refusal.message, response_type="ephemeral", replace_original=True)
        return
    respond(
        text=(
            "Done: I've forgotten you. If you use Alliance again, you start afresh."
            if target == presser
            else "Done: they are forgotten."
        ),
        response_type="ephemeral",
        replace_original=True,
    )
