"""Block Kit for leaving: the offboarding form, the thank-you with its invitation, the welcome."""

from __future__ import annotations

from datetime import date
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    DatePickerElement,
    HeaderBlock,
    InputBlock,
    Option,
    PlainTextInputElement,
    RadioButtonsElement,
)
from slack_sdk.models.views import View

from domain.alumni import DIRECTORY_LINE_MAX, EMAIL_MAX
from handlers.ids import (
    ACTION_ALUMNI_DECLINE,
    ACTION_ALUMNI_JOIN,
    BLOCK_OFFBOARD_EMAIL,
    BLOCK_OFFBOARD_LAST_DAY,
    BLOCK_OFFBOARD_LINE,
    BLOCK_OFFBOARD_STANDING,
    VIEW_OFFBOARD,
)
from handlers.mrkdwn import Mrkdwn, channel_mention, escape_mrkdwn
from handlers.views import clip, context_block, section_block
from services.offboarding import Invitation, Leaver

CHANNEL_UNSET = (
    "The alumni network isn't set up yet: an admin sets `ALLIANCE_ALUMNI_CHANNEL` to the ID of "
    "the alumni channel (and invites the bot to it), then restarts Alliance."
)
FIELDS = {
    "last_day": BLOCK_OFFBOARD_LAST_DAY,
    "good_standing": BLOCK_OFFBOARD_STANDING,
    "personal_email": BLOCK_OFFBOARD_EMAIL,
    "directory_line": BLOCK_OFFBOARD_LINE,
}


def _day(day: date) -> str:
    return f"{day:%a %-d %b %Y}"


def build_offboard_modal(leaver: Leaver, *, channel_set: bool) -> dict[str, Any]:
    blocks: list[Block] = [
        section_block(
            f"*{escape_mrkdwn(leaver.name)}* is leaving. Leaving in good standing brings a "
            "thank-you on their last day and an invitation to the alumni network; nothing is "
            "posted about them without their consent."
        ),
        InputBlock(
            block_id=BLOCK_OFFBOARD_LAST_DAY,
            label="Last day",
            element=DatePickerElement(action_id=BLOCK_OFFBOARD_LAST_DAY),
        ),
        InputBlock(
            block_id=BLOCK_OFFBOARD_STANDING,
            label="Leaving in good standing?",
            element=RadioButtonsElement(
                action_id=BLOCK_OFFBOARD_STANDING,
                options=[
                    Option(value="yes", label="Yes: thank them and invite them to the alumni"),
                    Option(value="no", label="No: record the departure only"),
                ],
            ),
        ),
        InputBlock(
            block_id=BLOCK_OFFBOARD_EMAIL,
            label="Personal email (optional)",
            optional=True,
            element=PlainTextInputElement(
                action_id=BLOCK_OFFBOARD_EMAIL,
                max_length=EMAIL_MAX,
                placeholder="So they can join the alumni channel after their account closes",
            ),
        ),
        InputBlock(
            block_id=BLOCK_OFFBOARD_LINE,
            label="What they did here (optional)",
            optional=True,
            element=PlainTextInputElement(
                action_id=BLOCK_OFFBOARD_LINE,
                multiline=True,
                max_length=DIRECTORY_LINE_MAX,
                placeholder="e.g. Rebuilt our checkout and grew the payments team",
            ),
            hint="Shown to them first; posted in the alumni channel only if they join.",
        ),
    ]
    if not channel_set:
        blocks.append(context_block(CHANNEL_UNSET))
    return View(
        type="modal",
        callback_id=VIEW_OFFBOARD,
        title="Record a departure",
        submit="Save",
        close="Cancel",
        private_metadata=leaver.user_id,
        blocks=blocks,
    ).to_dict()


def recorded_text(name: str, last_day: date, good_standing: bool, channel_set: bool) -> str:
    if not good_standing:
        return f"Recorded: {name}'s last day is {_day(last_day)}. No invitation will go out."
    note = "" if channel_set else f" {CHANNEL_UNSET}"
    return (
        f"Recorded: {name}'s last day is {_day(last_day)}. That day I'll thank them for their "
        f"tour of duty and invite them to the alumni network.{note}"
    )


def invitation_text(invitation: Invitation) -> str:
    return f"Thank you for your tour of duty, {invitation.name}."


def build_invitation(invitation: Invitation) -> list[Block]:
    """The thank-you, what they accomplished, and the invitation with its two answers."""
    blocks: list[Block] = [
        HeaderBlock(text="Thank you"),
        section_block(
            f"Today is your last day, {escape_mrkdwn(invitation.name)}. Thank you for what you "
            "built with us:"
        ),
    ]
    for tour in invitation.tours[-5:]:
        blocks.append(
            section_block(
                f"*{tour.tour_type.label} tour*, {_day(tour.start_date)} to "
                f"{_day(tour.end_date)}\n{escape_mrkdwn(clip(tour.objective, 600))}"
            )
        )
    blocks.append(
        section_block(
            "Leaving is not goodbye. Join our *alumni network* for consulting projects, open "
            "positions and company news, and a place to stay in touch."
        )
    )
    if invitation.directory_line:
        blocks.append(
            context_block(
                "If you join, we'll welcome you in the alumni channel with: "
                f"“{escape_mrkdwn(invitation.directory_line)}”"
            )
        )
    value = str(invitation.offboarding_id)
    blocks.append(
        ActionsBlock(
            elements=[
                ButtonElement(
                    text="Join", action_id=ACTION_ALUMNI_JOIN, value=value, style="primary"
                ),
                ButtonElement(text="No thanks", action_id=ACTION_ALUMNI_DECLINE, value=value),
            ]
        )
    )
    return blocks


def welcome_text(who: str, directory_line: str) -> Mrkdwn:
    """The channel's welcome; `who` is a mention (Mrkdwn) or a name, shown as text."""
    line = f" {directory_line}" if directory_line else ""
    return Mrkdwn(":wave: Please welcome {} to the alumni network!{}").format(who, line)


def joined_text(method_manual: bool) -> str:
    if method_manual:
        return "Welcome to the alumni network! An admin will add you to the alumni channel shortly."
    return (
        "Welcome to the alumni network! You'll find the alumni channel in your sidebar (or an "
        "invitation in your email)."
    )


def manual_invite_text(name: str, channel: str, email: str | None) -> Mrkdwn:
    reach = f" (personal email: {email})" if email else ""
    return Mrkdwn(
        "{} joined the alumni network, but I couldn't add them to {}{}. Please invite them by hand."
    ).format(name, channel_mention(channel), reach)
