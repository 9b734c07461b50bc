"""Values and aspirations: the DM conversation, its summary, editing, sharing, company values."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient

from domain.commands import COMMAND
from domain.conversations import Flow, FlowName
from domain.mentions import mentioned_user
from domain.values import (
    ASPIRATIONS,
    CORE_VALUES,
    MANAGER_NOTE,
    VALUES_FLOW,
    ValuesDraft,
    parse_draft,
    parse_items,
)
from handlers import home
from handlers.conversation_views import Completion, ask
from handlers.ids import (
    ACTION_VALUES_EDIT,
    ACTION_VALUES_SHARE,
    ACTION_VALUES_SHARE_TEAM,
    ACTION_VALUES_UNSHARE,
    BLOCK_COMPANY_ASPIRATIONS,
    BLOCK_COMPANY_VALUES,
    BLOCK_VALUES_ASPIRATIONS,
    BLOCK_VALUES_CORE,
    BLOCK_VALUES_NOTE,
    VIEW_COMPANY_VALUES,
    VIEW_VALUES_EDIT,
)
from handlers.mrkdwn import Mrkdwn, escape_mrkdwn, mention
from handlers.slack_users import fetch_profile, quick_client
from handlers.subcommands import Invocation, Reply, SubcommandHandler, say
from handlers.values_views import (
    ALIGNMENT_TEXT,
    COMPANY_REFUSAL_TEXT,
    DM_SENT_TEXT,
    MENTION_HINT_TEXT,
    NOT_ALLOWED_TEXT,
    NOT_YOURS_TEXT,
    build_alignment_blocks,
    build_company_values_modal,
    build_home_values_blocks,
    build_values_edit_modal,
    build_values_intro_blocks,
    build_values_summary_blocks,
    build_values_usage_blocks,
    company_saved_text,
    summary_text,
)
from handlers.views import Blocks, typed_text
from handlers.wiring import acknowledge, acknowledged
from services.conversations import Progress, start_conversation
from services.deps import Deps
from services.people import remember_person
from services.values import (
    CompanyValues,
    Shared,
    ValuesRefusal,
    alignment_view,
    company_values,
    own_values,
    save_statement,
    set_company_values,
    share_with_manager,
    share_with_reports,
    stop_sharing,
    values_start_facts,
)
from services.values import has_values as _has_values

FIELD_BLOCKS = {
    ASPIRATIONS: BLOCK_VALUES_ASPIRATIONS,
    CORE_VALUES: BLOCK_VALUES_CORE,
    MANAGER_NOTE: BLOCK_VALUES_NOTE,
}
SAVED = "values_saved"  # context key: the ack stored the form, so the work after it reports it
AT_LEAST_ONE = "Fill in at least one of these, or press Cancel to keep what you have."


def register(app: App, deps: Deps) -> None:
    app.view(VIEW_VALUES_EDIT)(acknowledged(handle_view_values_edit, report_values_edit, deps))
    app.view(VIEW_COMPANY_VALUES)(
        acknowledged(handle_view_company_values, report_company_values, deps)
    )
    for action_id, work in (
        (ACTION_VALUES_EDIT, handle_action_values_edit),
        (ACTION_VALUES_SHARE, handle_action_values_share),
        (ACTION_VALUES_SHARE_TEAM, handle_action_values_share_team),
        (ACTION_VALUES_UNSHARE, handle_action_values_unshare),
    ):
        app.action(action_id)(acknowledged(acknowledge, work, deps))


# --- /alliance values -----------------------------------------------------------------------


def answer_values(inv: Invocation) -> Reply:
    """Decided in the ack: which part of `/alliance values` this is, and any refusal."""
    words = inv.args.split()
    first = words[0].lower() if words else ""
    if not words:
        return say(DM_SENT_TEXT)
    if first == "company":
        if inv.user_id not in inv.deps.admins:
            return say(COMPANY_REFUSAL_TEXT)
        return Reply()  # the modal opens after the ack
    if first == "unshare":
        return Reply()  # answered after the ack, once the shares are revoked
    subject = mentioned_user(inv.args)
    if first == "show" and len(words) == 1:
        subject = inv.user_id
    if subject is None:
        if first == "show" or first.startswith("@"):
            return say(MENTION_HINT_TEXT)
        shown = escape_mrkdwn(inv.args[:40])
        return Reply(
            build_values_usage_blocks(f"I didn't understand `{shown}`."), text=MENTION_HINT_TEXT
        )
    read = alignment_view(inv.deps.database, inv.team_id, inv.user_id, subject)
    if read is None:
        return say(NOT_ALLOWED_TEXT)
    return Reply(build_alignment_blocks(read), text=ALIGNMENT_TEXT)


def follow_up_values(inv: Invocation, client: WebClient, respond: Respond) -> None:
    words = inv.args.lower().split()
    if not words:
        start_values_conversation(inv, client)
    elif words[0] == "company" and inv.user_id in inv.deps.admins:
        company = company_values(inv.deps.database, inv.team_id)
        client.views_open(trigger_id=inv.trigger_id, view=build_company_values_modal(company))
    elif words[0] == "unshare":
        revoked = stop_sharing(
            inv.deps.database, team_id=inv.team_id, user_id=inv.user_id, now=inv.deps.clock()
        )
        text = (
            PRIVATE_AGAIN
            if revoked
            else "Your values weren't shared with anyone; nothing to change."
        )
        respond(text=text, response_type="ephemeral")
        if revoked:
            _refresh_home(client, inv.deps, inv.team_id, inv.user_id)


def start_values_conversation(inv: Invocation, client: WebClient) -> None:
    """Begin (or begin again) the values conversation in the person's DM."""
    facts = values_start_facts(inv.deps.database, inv.team_id, inv.user_id)
    assert facts is not None, "the requester is remembered before any follow-up"
    start_conversation(
        inv.deps.database,
        person_id=facts.person_id,
        team_id=inv.team_id,
        flow=FlowName.VALUES,
        now=inv.deps.clock(),
        channel_id=inv.user_id,
    )
    client.chat_postMessage(
        channel=inv.user_id,
        text="Let's write down your aspirations and values.",
        blocks=build_values_intro_blocks(
            has_statement=facts.has_statement, stopped_other=facts.other_conversation_live
        ),
    )
    ask(client, inv.user_id, VALUES_FLOW, 0)


SUBCOMMAND = SubcommandHandler(answer=answer_values, follow_up=follow_up_values)


# --- the end of the conversation ------------------------------------------------------------


def complete_values(progress: Progress, client: WebClient, deps: Deps) -> None:
    """Save the answers (a skipped question keeps its earlier answer) and show the summary."""
    draft = ValuesDraft.from_answers(progress.turn.state.answers)
    if draft.is_empty and not _has_values(deps.database, progress.team_id, progress.user_id):
        client.chat_postMessage(
            channel=progress.user_id,
            text=(
                "You skipped every question, so there's nothing to save. Type "
                f"`{COMMAND} values` whenever you'd like to try again."
            ),
        )
        return
    save_statement(
        deps.database,
        team_id=progress.team_id,
        user_id=progress.user_id,
        draft=draft,
        now=deps.clock(),
        keep_unanswered=True,
        conversation_id=progress.conversation_id,
    )
    _post_summary(client, deps, progress.team_id, progress.user_id, "Saved.")


def _post_summary(client: WebClient, deps: Deps, team_id: str, user_id: str, lead: str) -> None:
    own = own_values(deps.database, team_id, user_id)
    if own.statement is None:
        return
    client.chat_postMessage(
        channel=user_id, text=summary_text(lead), blocks=build_values_summary_blocks(own, lead=lead)
    )
    _refresh_home(client, deps, team_id, user_id)


def _refresh_home(client: WebClient, deps: Deps, team_id: str, user_id: str) -> None:
    home.publish_home(client, deps, team_id, user_id)


FLOWS: dict[FlowName, Flow] = {FlowName.VALUES: VALUES_FLOW}
COMPLETIONS: dict[FlowName, Completion] = {FlowName.VALUES: complete_values}


# --- the Edit modal -------------------------------------------------------------------------


def handle_view_values_edit(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    *,
    deps: Deps,
) -> None:
    """Check the form in the ack (errors go back to their fields), then store it."""
    team_id, user_id = body["team"]["id"], body["user"]["id"]
    values = view.get("state", {}).get("values", {})
    draft, problems = parse_draft(
        typed_text(values, BLOCK_VALUES_ASPIRATIONS),
        typed_text(values, BLOCK_VALUES_CORE),
        typed_text(values, BLOCK_VALUES_NOTE),
    )
    errors = {FIELD_BLOCKS[key]: text for key, text in problems.items()}
    if not errors and draft.is_empty:
        errors[BLOCK_VALUES_CORE] = AT_LEAST_ONE
    if errors:
        ack(response_action="errors", errors=errors)
        return
    now = deps.clock()
    remember_person(
        deps.database,
        team_id=team_id,
        user_id=user_id,
        now=now,
        fetch=fetch_profile(quick_client(client), team_id),
    )
    save_statement(deps.database, team_id=team_id, user_id=user_id, draft=draft, now=now)
    context[SAVED] = True
    ack()


def report_values_edit(
    body: dict[str, Any], client: WebClient, context: BoltContext, *, deps: Deps
) -> None:
    if context.get(SAVED):
        _post_summary(client, deps, body["team"]["id"], body["user"]["id"], "Updated.")


# --- the company's values -------------------------------------------------------------------


def handle_view_company_values(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext, *, deps: Deps
) -> None:
    team_id, user_id = body["team"]["id"], body["user"]["id"]
    values = view.get("state", {}).get("values", {})
    errors: dict[str, str] = {}
    parsed: dict[str, tuple[str, ...]] = {}
    for block in (BLOCK_COMPANY_VALUES, BLOCK_COMPANY_ASPIRATIONS):
        try:
            parsed[block] = tuple(parse_items(typed_text(values, block)))
        except ValueError as problem:
            errors[block] = str(problem)
    if errors:
        ack(response_action="errors", errors=errors)
        return
    try:
        set_company_values(
            deps.database,
            team_id=team_id,
            user_id=user_id,
            admins=deps.admins,
            values=parsed[BLOCK_COMPANY_VALUES],
            aspirations=parsed[BLOCK_COMPANY_ASPIRATIONS],
            now=deps.clock(),
        )
    except ValuesRefusal as refusal:
        ack(response_action="errors", errors={BLOCK_COMPANY_VALUES: refusal.message})
        return
    context[SAVED] = CompanyValues(parsed[BLOCK_COMPANY_VALUES], parsed[BLOCK_COMPANY_ASPIRATIONS])
    ack()


def report_company_values(
    body: dict[str, Any], client: WebClient, context: BoltContext, *, deps: Deps
) -> None:
    saved = context.get(SAVED)
    if isinstance(saved, CompanyValues):
        client.chat_postMessage(channel=body["user"]["id"], text=company_saved_text(saved))


# --- buttons --------------------------------------------------------------------------------


def _tell(body: dict[str, Any], client: WebClient, respond: Respond, text: str) -> None:
    """A word to whoever pressed the button: under the message, or in their DM from Home."""
    if body.get("response_url"):
        respond(text=text, response_type="ephemeral", replace_original=False)
    else:
        client.chat_postMessage(channel=body["user"]["id"], text=text)


def _owner_pressed(body: dict[str, Any]) -> bool:
    """Buttons carry their owner's user id; anyone else pressing one is refused."""
    pressed_by: str = body["user"]["id"]
    return str(body["actions"][0].get("value") or "") == pressed_by


def handle_action_values_edit(
    body: dict[str, Any], client: WebClient, respond: Respond, *, deps: Deps
) -> None:
    if not _owner_pressed(body):
        _tell(body, client, respond, NOT_YOURS_TEXT)
        return
    own = own_values(deps.database, body["team"]["id"], body["user"]["id"])
    client.views_open(trigger_id=body["trigger_id"], view=build_values_edit_modal(own.statement))


def handle_action_values_share(
    body: dict[str, Any], client: WebClient, respond: Respond, *, deps: Deps
) -> None:
    _share(body, client, respond, deps, share_with_manager)


PRIVATE_AGAIN = "Done: your values are private to you again."


def handle_action_values_unshare(
    body: dict[str, Any], client: WebClient, respond: Respond, *, deps: Deps
) -> None:
    if not _owner_pressed(body):
        _tell(body, client, respond, NOT_YOURS_TEXT)
        return
    team_id, owner = body["team"]["id"], body["user"]["id"]
    stop_sharing(deps.database, team_id=team_id, user_id=owner, now=deps.clock())
    _tell(body, client, respond, PRIVATE_AGAIN)
    _refresh_home(client, deps, team_id, owner)


def handle_action_values_share_team(
    body: dict[str, Any], client: WebClient, respond: Respond, *, deps: Deps
) -> None:
    _share(body, client, respond, deps, share_with_reports)


def _share(
    body: dict[str, Any],
    client: WebClient,
    respond: Respond,
    deps: Deps,
    share: Callable[..., Shared],
) -> None:
    if not _owner_pressed(body):
        _tell(body, client, respond, NOT_YOURS_TEXT)
        return
    team_id, owner = body["team"]["id"], body["user"]["id"]
    try:
        shared = share(deps.database, team_id=team_id, user_id=owner, now=deps.clock())
    except ValuesRefusal as refusal:
        _tell(body, client, respond, refusal.message)
        return
    for viewer in shared.newly_shared:
        client.chat_postMessage(
            channel=viewer,
            text=Mrkdwn(
                "{owner} shared their aspirations and values with you. Type "
                "`{command} values {owner}` to see them side by side with yours and the company's."
            ).format(owner=mention(owner), command=COMMAND),
        )
    everyone = Mrkdwn(", ").join(mention(viewer) for viewer, _ in shared.viewers)
    if shared.newly_shared:
        text = Mrkdwn(
            "Shared with {}. They'll see later edits too; `{} values unshare` stops sharing."
        ).format(everyone, COMMAND)
    else:
        text = Mrkdwn("Already shared with {}; they see your latest version.").format(everyone)
    _tell(body, client, respond, text)
    _refresh_home(client, deps, team_id, owner)


# --- the Home tab ---------------------------------------------------------------------------


def build_values_home_blocks(deps: Deps, team_id: str, user_id: str) -> Blocks:
    """Your values and their alignment with your manager and the company, or an invitation."""
    own = own_values(deps.database, team_id, user_id)
    read = alignment_view(deps.database, team_id, user_id, user_id) if own.statement else None
    return build_home_values_blocks(user_id, own, read)


def has_values(deps: Deps, team_id: str, user_id: str) -> bool:
    return _has_values(deps.database, team_id, user_id)
