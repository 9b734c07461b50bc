"""Block Kit for opportunities: the form, the alumni channel post, and the notes to the poster."""

from __future__ import annotations

from datetime import date
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    DatePickerElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from domain.alumni import (
    CONTACT_MAX,
    DESCRIPTION_MAX,
    LINK_MAX,
    TITLE_MAX,
    OpportunityKind,
    OpportunityStatus,
)
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
from handlers.mrkdwn import Mrkdwn, escape_mrkdwn, link, mention
from handlers.views import clip, context_block, section_block
from services.opportunities import OpportunitySheet

FIELDS = {
    "kind": BLOCK_OPPORTUNITY_KIND,
    "title": BLOCK_OPPORTUNITY_TITLE,
    "description": BLOCK_OPPORTUNITY_DESCRIPTION,
    "link": BLOCK_OPPORTUNITY_LINK,
    "contact": BLOCK_OPPORTUNITY_CONTACT,
    "closes_on": BLOCK_OPPORTUNITY_CLOSES,
}


def _day(day: date) -> str:
    return f"{day:%a %-d %b %Y}"


def _text(
    block_id: str, label: str, limit: int, *, optional: bool, multiline: bool = False
) -> InputBlock:
    return InputBlock(
        block_id=block_id,
        label=label,
        optional=optional,
        element=PlainTextInputElement(action_id=block_id, max_length=limit, multiline=multiline),
    )


def build_opportunity_modal() -> dict[str, Any]:
    kinds = [Option(value=kind.value, label=kind.label) for kind in OpportunityKind]
    blocks: list[Block] = [
        section_block(
            "Offer something to the alumni network. It is posted in the alumni channel in "
            "working hours with an *I'm interested* button; you hear from each alum who clicks."
        ),
        InputBlock(
            block_id=BLOCK_OPPORTUNITY_KIND,
            label="Kind",
            element=StaticSelectElement(action_id=BLOCK_OPPORTUNITY_KIND, options=kinds),
        ),
        _text(BLOCK_OPPORTUNITY_TITLE, "Title", TITLE_MAX, optional=False),
        _text(
            BLOCK_OPPORTUNITY_DESCRIPTION,
            "Description",
            DESCRIPTION_MAX,
            optional=True,
            multiline=True,
        ),
        _text(BLOCK_OPPORTUNITY_LINK, "Link", LINK_MAX, optional=True),
        _text(BLOCK_OPPORTUNITY_CONTACT, "Contact", CONTACT_MAX, optional=True),
        InputBlock(
            block_id=BLOCK_OPPORTUNITY_CLOSES,
            label="Closes on",
            optional=True,
            element=DatePickerElement(action_id=BLOCK_OPPORTUNITY_CLOSES),
        ),
    ]
    return View(
        type="modal",
        callback_id=VIEW_OPPORTUNITY,
        title="Offer to the alumni",
        submit="Queue it",
        close="Cancel",
        blocks=blocks,
    ).to_dict()


def post_text(sheet: OpportunitySheet) -> str:
    state = " (closed)" if sheet.status is OpportunityStatus.CLOSED else ""
    return f"{sheet.kind.label}{state}: {sheet.title}"


def build_post(sheet: OpportunitySheet) -> list[Block]:
    """The channel post; once closed, it says so and loses its button."""
    closed = sheet.status is OpportunityStatus.CLOSED
    lines = [f"*{sheet.kind.label}{' · closed' if closed else ''}*: {escape_mrkdwn(sheet.title)}"]
    if sheet.description:
        lines.append(escape_mrkdwn(clip(sheet.description, DESCRIPTION_MAX)))
    blocks: list[Block] = [section_block("\n".join(lines))]
    details = [f"Posted by {sheet.poster_name}"]
    if sheet.link:
        details.append(link(sheet.link, "Details"))
    if sheet.contact:
        details.append(f"Contact: {sheet.contact}")
    if sheet.closes_on:
        details.append(f"{'Closed' if closed else 'Closes'} {_day(sheet.closes_on)}")
    blocks.append(context_block(Mrkdwn(" · ").join(details)))
    if not closed:
        blocks.append(
            ActionsBlock(
                elements=[
                    ButtonElement(
                        text="I'm interested",
                        action_id=ACTION_OPPORTUNITY_INTERESTED,
                        value=str(sheet.opportunity_id),
                        style="primary",
                    )
                ]
            )
        )
    return blocks


def interest_text(sheet: OpportunitySheet, user_id: str) -> Mrkdwn:
    return Mrkdwn(
        "{} is interested in your {} “{}”. Reply to them directly to take it further."
    ).format(mention(user_id), sheet.kind.label.lower(), sheet.title)


def summary_text(sheet: OpportunitySheet) -> Mrkdwn:
    if not sheet.interested:
        return Mrkdwn("“{}” has closed. Nobody said they were interested this time.").format(
            sheet.title
        )
    people = Mrkdwn(", ").join(mention(person.user_id) for person in sheet.interested)
    count = len(sheet.interested)
    return Mrkdwn("“{}” has closed. {} {} interested: {}.").format(
        sheet.title, count, "person was" if count == 1 else "people were", people
    )
