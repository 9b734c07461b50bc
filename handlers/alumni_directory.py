"""`/alliance alumni`: the alumni directory, and each alum's own entry (`/alliance alumni me`)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient
from slack_sdk.models.blocks import (
    Block,
    CheckboxesElement,
    InputBlock,
    Option,
    PlainTextInputElement,
)
from slack_sdk.models.views import View

from domain.alumni import EXPERTISE_MAX, ROLE_MAX, DirectoryForm, directory_problems
from handlers.alumni_views import CHANNEL_UNSET
from handlers.ids import (
    BLOCK_ALUMNI_EXPERTISE,
    BLOCK_ALUMNI_LISTED,
    BLOCK_ALUMNI_OPEN_TO,
    BLOCK_ALUMNI_ROLE,
    VIEW_ALUMNI_ENTRY,
)
from handlers.mrkdwn import escape_mrkdwn
from handlers.subcommands import Invocation, Reply, SubcommandHandler, say
from handlers.views import (
    Blocks,
    clip,
    context_block,
    input_state,
    section_block,
    typed_text,
)
from handlers.wiring import answered_in_request
from services.alumni_directory import (
    SHOWN_AT_MOST,
    DirectoryEntry,
    DirectoryRefusal,
    get_own_entry,
    save_own_entry,
    search,
)
from services.deps import Deps

FIELDS = {"current_role": BLOCK_ALUMNI_ROLE, "expertise": BLOCK_ALUMNI_EXPERTISE}
CONSULTING, RETURNING, LISTED = "consulting", "returning", "listed"


def register(app: App, deps: Deps) -> None:
    app.view(VIEW_ALUMNI_ENTRY)(answered_in_request(handle_view_alumni_entry, deps))


# --- the subcommand ---------------------------------------------------------------------------


def answer_alumni(inv: Invocation) -> Reply:
    if inv.deps.alumni_channel is None:
        return say(CHANNEL_UNSET)
    words = inv.args.strip()
    if words.lower() == "me":
        return Reply()  # the form opens after the ack
    entries = search(inv.deps.database, team_id=inv.team_id, keyword=words)
    return Reply(build_directory(entries, words), text=f"{len(entries)} alumni found.")


def follow_up_alumni(inv: Invocation, client: WebClient, respond: Respond) -> None:
    if inv.deps.alumni_channel is None or inv.args.strip().lower() != "me":
        return
    try:
        entry = get_own_entry(inv.deps.database, team_id=inv.team_id, user_id=inv.user_id)
    except DirectoryRefusal as refusal:
        respond(text=refusal.message, response_type="ephemeral", replace_original=False)
        return
    client.views_open(trigger_id=inv.trigger_id, view=build_entry_modal(entry))


SUBCOMMAND = SubcommandHandler(answer=answer_alumni, follow_up=follow_up_alumni)


# --- the listing ------------------------------------------------------------------------------


def build_directory(entries: list[DirectoryEntry], keyword: str) -> Blocks:
    """Opted-in alumni only; each shows just what they chose to show."""
    matching = f" matching “{escape_mrkdwn(keyword)}”" if keyword else ""
    if not entries:
        return [
            section_block(
                f"No alumni in the directory{matching} yet. Alumni choose to be listed with "
                "`/alliance alumni me`."
            ).to_dict()
        ]
    blocks: list[Block] = [section_block(f"*Alumni{matching}* ({len(entries)})")]
    for entry in entries[:SHOWN_AT_MOST]:
        blocks.append(section_block(_entry_text(entry)))
    if len(entries) > SHOWN_AT_MOST:
        blocks.append(
            context_block(f"And {len(entries) - SHOWN_AT_MOST} more: add a word to narrow it.")
        )
    return [block.to_dict() for block in blocks]


def _entry_text(entry: DirectoryEntry) -> str:
    lines = [f"*{escape_mrkdwn(entry.name)}*"]
    if entry.current_role:
        lines.append(f"Now: {escape_mrkdwn(clip(entry.current_role, 200))}")
    if entry.expertise:
        lines.append(f"Expertise: {escape_mrkdwn(clip(entry.expertise, 500))}")
    if entry.directory_line:
        lines.append(f"Here: {escape_mrkdwn(clip(entry.directory_line, 300))}")
    open_to = [
        label
        for label, shown in (
            ("consulting", entry.open_to_consulting),
            ("returning", entry.open_to_returning),
        )
        if shown
    ]
    if open_to:
        lines.append("Open to " + " and ".join(open_to))
    return "\n".join(lines)


# --- one's own entry --------------------------------------------------------------------------


def build_entry_modal(entry: DirectoryForm) -> dict[str, Any]:
    open_to = [
        Option(value=CONSULTING, label="Open to consulting projects"),
        Option(value=RETURNING, label="Open to coming back"),
    ]
    listed = Option(value=LISTED, label="Show me in the alumni directory")
    blocks: list[Block] = [
        section_block(
            "Choose what the alumni directory shows about you. Nothing is shown unless you tick "
            "the last box, and you can change or withdraw it at any time."
        ),
        InputBlock(
            block_id=BLOCK_ALUMNI_ROLE,
            label="Where you are now",
            optional=True,
            element=PlainTextInputElement(
                action_id=BLOCK_ALUMNI_ROLE,
                max_length=ROLE_MAX,
                initial_value=entry.current_role or None,
                placeholder="e.g. Head of Payments at Acme",
            ),
        ),
        InputBlock(
            block_id=BLOCK_ALUMNI_EXPERTISE,
            label="Expertise",
            optional=True,
            element=PlainTextInputElement(
                action_id=BLOCK_ALUMNI_EXPERTISE,
                multiline=True,
                max_length=EXPERTISE_MAX,
                initial_value=entry.expertise or None,
                placeholder="e.g. payments, checkout conversion, hiring engineers",
            ),
        ),
        InputBlock(
            block_id=BLOCK_ALUMNI_OPEN_TO,
            label="Open to",
            optional=True,
            element=CheckboxesElement(
                action_id=BLOCK_ALUMNI_OPEN_TO,
                options=open_to,
                initial_options=[
                    option
                    for option, chosen in zip(
                        open_to, (entry.open_to_consulting, entry.open_to_returning), strict=True
                    )
                    if chosen
                ]
                or None,
            ),
        ),
        InputBlock(
            block_id=BLOCK_ALUMNI_LISTED,
            label="Directory",
            optional=True,
            element=CheckboxesElement(
                action_id=BLOCK_ALUMNI_LISTED,
                options=[listed],
                initial_options=[listed] if entry.listed else None,
            ),
        ),
    ]
    return View(
        type="modal",
        callback_id=VIEW_ALUMNI_ENTRY,
        title="Your alumni entry",
        submit="Save",
        close="Cancel",
        blocks=blocks,
    ).to_dict()


def _ticked(values: dict[str, Any], block_id: str) -> set[str]:
    chosen = input_state(values, block_id).get("selected_options") or []
    return {str(option.get("value")) for option in chosen if isinstance(option, dict)}


def entry_from_state(values: dict[str, Any]) -> DirectoryForm:
    open_to = _ticked(values, BLOCK_ALUMNI_OPEN_TO)
    return DirectoryForm(
        current_role=typed_text(values, BLOCK_ALUMNI_ROLE),
        expertise=typed_text(values, BLOCK_ALUMNI_EXPERTISE),
        open_to_consulting=CONSULTING in open_to,
        open_to_returning=RETURNING in open_to,
        listed=LISTED in _ticked(values, BLOCK_ALUMNI_LISTED),
    )


def handle_view_alumni_entry(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], *, deps: Deps
) -> None:
    form = entry_from_state(view.get("state", {}).get("values", {}))
    errors = {FIELDS[name]: text for name, text in directory_problems(form).items()}
    if errors:
        ack(response_action="errors", errors=errors)
        return
    try:
        save_own_entry(
            deps.database,
            team_id=body["team"]["id"],
            user_id=body["user"]["id"],
            form=form,
            now=deps.clock(),
        )
    except DirectoryRefusal as refusal:
        ack(response_action="errors", errors={BLOCK_ALUMNI_ROLE: refusal.message})
        return
    ack()
