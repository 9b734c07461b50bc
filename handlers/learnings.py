"""`/alliance learned`: share what you learned from your network in the learning channel, after
confirming the guideline on nonpublic information once."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient
from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    InputBlock,
    PlainTextInputElement,
)
from slack_sdk.models.views import View

from domain.commands import COMMAND
from handlers.ids import (
    ACTION_LEARNING_CONFIRM,
    BLOCK_LEARNING_LINK,
    BLOCK_LEARNING_SOURCE,
    BLOCK_LEARNING_TEXT,
    VIEW_LEARNING,
)
from handlers.mrkdwn import Mrkdwn, channel_mention, escape_mrkdwn, link
from handlers.subcommands import Invocation, Reply, SubcommandHandler, say
from handlers.views import (
    clip,
    context_block,
    pressed_row_id,
    row_id,
    section_block,
    typed_text,
)
from handlers.wiring import acknowledge, acknowledged
from services.deps import Deps
from services.learnings import (
    LINK_MAX,
    SOURCE_MAX,
    TEXT_MAX,
    LearningPost,
    LearningRefusal,
    has_acknowledged,
    keep_learning,
    learning_problems,
    record_posted,
    to_post,
)
from services.learnings import (
    acknowledge as confirm_guideline,
)

CHANNEL_UNSET = (
    "Sharing learnings isn't set up yet: an admin sets `ALLIANCE_LEARNING_CHANNEL` to the ID of "
    "the channel for them (and invites the bot to it), then restarts Alliance."
)
FIELDS = {"text": BLOCK_LEARNING_TEXT, "source": BLOCK_LEARNING_SOURCE, "link": BLOCK_LEARNING_LINK}
KEPT = "learning_kept"  # context key: the learning the form kept, for the work after the ack


def register(app: App, deps: Deps) -> None:
    app.view(VIEW_LEARNING)(acknowledged(handle_view_learning, share_after_form, deps))
    app.action(ACTION_LEARNING_CONFIRM)(
        acknowledged(acknowledge, handle_action_learning_confirm, deps)
    )


# --- the subcommand ---------------------------------------------------------------------------


def answer_learned(inv: Invocation) -> Reply:
    if inv.deps.learning_channel is None:
        return say(CHANNEL_UNSET)
    words = inv.args.strip()
    if words.lower() == "guideline":
        return say(f"*Before you share:* {inv.deps.nonpublic_guideline}")
    if words:
        problems = learning_problems(words, "", "")
        if problems:
            return say(next(iter(problems.values())))
    return Reply()  # the form opens, or the learning is shared, after the ack


def follow_up_learned(inv: Invocation, client: WebClient, respond: Respond) -> None:
    words = inv.args.strip()
    if inv.deps.learning_channel is None or words.lower() == "guideline":
        return
    if not words:
        client.views_open(trigger_id=inv.trigger_id, view=build_learning_modal())
        return
    if learning_problems(words, "", ""):
        return  # the ack said why
    learning_id = keep_learning(
        inv.deps.database,
        team_id=inv.team_id,
        user_id=inv.user_id,
        text=words,
        source="",
        link="",
        now=inv.deps.clock(),
    )
    _share_or_ask_first(inv.deps, client, inv.team_id, inv.user_id, learning_id, respond)


SUBCOMMAND = SubcommandHandler(answer=answer_learned, follow_up=follow_up_learned)


def _share_or_ask_first(
    deps: Deps,
    client: WebClient,
    team_id: str,
    user_id: str,
    learning_id: int,
    respond: Respond | None,
) -> None:
    """Post the learning; before a person's first post, show the guideline to confirm."""
    if has_acknowledged(
        deps.database, team_id=team_id, user_id=user_id, guideline=deps.nonpublic_guideline
    ):
        channel = _post(
            deps, client, to_post(deps.database, learning_id=learning_id, user_id=user_id)
        )
        thanks = Mrkdwn("Shared in {}. Thank you!").format(channel)
        if respond is not None:
            respond(text=thanks, response_type="ephemeral", replace_original=False)
        else:
            client.chat_postMessage(channel=user_id, text=thanks)
        return
    blocks = build_guideline(deps.nonpublic_guideline, learning_id)
    text = "Before your first learning goes out, a word on what not to share."
    if respond is not None:
        respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=False)
    else:
        client.chat_postMessage(channel=user_id, text=text, blocks=blocks)


def _post(deps: Deps, client: WebClient, learning: LearningPost) -> Mrkdwn:
    """Post the learning in the learning channel; returns that channel, as a mention."""
    assert deps.learning_channel is not None
    details: list[str] = []
    if learning.source:
        details.append(f"From {learning.source}")
    if learning.link:
        details.append(link(learning.link, "Link"))
    blocks: list[Block] = [
        section_block(f"*{escape_mrkdwn(learning.name)}* learned: {escape_mrkdwn(learning.text)}")
    ]
    if details:
        blocks.append(context_block(Mrkdwn(" · ").join(details)))
    posted = client.chat_postMessage(
        channel=deps.learning_channel,
        text=f"{escape_mrkdwn(learning.name)} learned: {escape_mrkdwn(clip(learning.text, 200))}",
        blocks=blocks,
    )
    record_posted(
        deps.database,
        learning_id=learning.learning_id,
        channel=deps.learning_channel,
        ts=str(posted["ts"]),
        now=deps.clock(),
    )
    return channel_mention(deps.learning_channel)


def build_guideline(guideline: str, learning_id: int) -> list[dict[str, Any]]:
    return [
        section_block(f"*Before your first learning goes out:* {guideline}").to_dict(),
        ActionsBlock(
            elements=[
                ButtonElement(
                    text="Understood: share it",
                    action_id=ACTION_LEARNING_CONFIRM,
                    value=str(learning_id),
                    style="primary",
                )
            ]
        ).to_dict(),
        context_block(
            f"You can read this again any time: `{COMMAND} learned guideline`."
        ).to_dict(),
    ]


def handle_action_learning_confirm(
    body: dict[str, Any], client: WebClient, respond: Respond, *, deps: Deps
) -> None:
    team_id, user_id = body["team"]["id"], body["user"]["id"]
    try:
        learning = to_post(deps.database, learning_id=pressed_row_id(body), user_id=user_id)
    except LearningRefusal as refusal:
        respond(text=refusal.message, response_type="ephemeral", replace_original=False)
        return
    confirm_guideline(
        deps.database,
        team_id=team_id,
        user_id=user_id,
        guideline=deps.nonpublic_guideline,
        now=deps.clock(),
    )
    channel = _post(deps, client, learning)
    respond(
        text=Mrkdwn("Thank you. Shared in {}.").format(channel),
        response_type="ephemeral",
        replace_original=False,
    )


# --- the form ---------------------------------------------------------------------------------


def build_learning_modal(source: str = "", expense_id: int | None = None) -> dict[str, Any]:
    """The form; from an expense's follow-up it names the event and links the learning to it."""

    def text_input(
        block_id: str, label: str, limit: int, optional: bool, multiline: bool, initial: str = ""
    ) -> InputBlock:
        return InputBlock(
            block_id=block_id,
            label=label,
            optional=optional,
            element=PlainTextInputElement(
                action_id=block_id,
                max_length=limit,
                multiline=multiline,
                initial_value=initial or None,
            ),
        )

    return View(
        type="modal",
        callback_id=VIEW_LEARNING,
        title="Share what you learned",
        submit="Share",
        close="Cancel",
        private_metadata="" if expense_id is None else str(expense_id),
        blocks=[
            text_input(BLOCK_LEARNING_TEXT, "What you learned", TEXT_MAX, False, True),
            text_input(
                BLOCK_LEARNING_SOURCE,
                "From whom, or where",
                SOURCE_MAX,
                True,
                False,
                clip(source, SOURCE_MAX),
            ),
            text_input(BLOCK_LEARNING_LINK, "Link", LINK_MAX, True, False),
        ],
    ).to_dict()


def handle_view_learning(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext, *, deps: Deps
) -> None:
    values = view.get("state", {}).get("values", {})
    text = typed_text(values, BLOCK_LEARNING_TEXT)
    source = typed_text(values, BLOCK_LEARNING_SOURCE)
    link = typed_text(values, BLOCK_LEARNING_LINK)
    problems = learning_problems(text, source, link)
    if problems:
        ack(
            response_action="errors",
            errors={FIELDS[name]: message for name, message in problems.items()},
        )
        return
    try:
        context[KEPT] = keep_learning(
            deps.database,
            team_id=body["team"]["id"],
            user_id=body["user"]["id"],
            text=text,
            source=source,
            link=link,
            now=deps.clock(),
            expense_id=row_id(view.get("private_metadata")) or None,
        )
    except LearningRefusal as refusal:
        ack(response_action="errors", errors={BLOCK_LEARNING_TEXT: refusal.message})
        return
    ack()


def share_after_form(
    context: BoltContext, body: dict[str, Any], client: WebClient, *, deps: Deps
) -> None:
    learning_id = context.get(KEPT)
    if learning_id is not None and deps.learning_channel is not None:
        _share_or_ask_first(deps, client, body["team"]["id"], body["user"]["id"], learning_id, None)
