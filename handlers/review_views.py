"""Block Kit for alignment reviews: the prompt each side answers, its modal, and the summary."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    HeaderBlock,
    InputBlock,
    Option,
    OverflowMenuElement,
    PlainTextInputElement,
    SectionBlock,
)
from slack_sdk.models.views import View

from domain.reviews import (
    ALIGNMENT_QUESTION,
    ALIGNMENT_SCORES,
    LEARNED_MAX,
    LEARNED_QUESTION,
    TO_ADDRESS_MAX,
    TO_ADDRESS_QUESTION,
    Progress,
    ReviewKind,
)
from domain.schedule import SnoozeChoice, local_label, zone_for
from domain.tours import Side
from handlers.ids import (
    ACTION_REVIEW_ALIGNMENT,
    ACTION_REVIEW_PROGRESS,
    ACTION_REVIEW_SNOOZE_MENU,
    ACTION_REVIEW_THOUGHTS,
    BLOCK_REVIEW_LEARNED,
    BLOCK_REVIEW_TO_ADDRESS,
    VIEW_REVIEW_THOUGHTS,
    gap_resolved_action,
)
from handlers.mrkdwn import escape_mrkdwn
from handlers.views import FIELD_LIMIT, clip, context_block, mrkdwn_text, section_block
from services.gaps import SHOWN_AT_MOST
from services.review_nudges import OverdueReview
from services.reviews import ReviewSheet, SideAnswers


def _day(day: date) -> str:
    return f"{day:%a %-d %b %Y}"


def prompt_text(sheet: ReviewSheet, side: Side, *, reminder: bool = False) -> str:
    """The notification text of a prompt, or of the reminder that repeats it."""
    if side is Side.EMPLOYEE:
        text = f"your alignment review with {sheet.manager.name}"
    else:
        text = f"your alignment review of {sheet.employee.name}'s tour of duty"
    if reminder:
        return f"A gentle reminder: {text} is waiting for your answers."
    return f"Time for {text}."


def build_prompt_message(sheet: ReviewSheet, side: Side, *, reminder: bool = False) -> list[Block]:
    """One side's prompt: the questions with their buttons, the chosen answers marked."""
    mine = sheet.side(side)
    employee = escape_mrkdwn(sheet.employee.name)
    what = "A check-in" if sheet.kind is ReviewKind.CHECKIN else "Your alignment review"
    if reminder:
        what = f"A gentle reminder: {what[0].lower()}{what[1:]}"
    if side is Side.EMPLOYEE:
        lead = f"*{what}* of your tour of duty with *{escape_mrkdwn(sheet.manager.name)}*."
        progress_q, alignment_q = "How is your mission going?", ALIGNMENT_QUESTION
    else:
        lead = f"*{what}* of *{employee}*'s tour of duty: how do you see it from your side?"
        progress_q = f"How is {employee}'s mission going?"
        alignment_q = (
            f"How aligned do you think {employee} is with their role, with you as manager "
            "and with the company values?"
        )
    blocks: list[Block] = [
        _with_snooze(lead, mine) if not mine.answered else section_block(lead),
        context_block(f"Mission: {escape_mrkdwn(clip(sheet.objective, 300))}"),
        *_open_gaps(sheet, mine.response_id),
        section_block(f"*{progress_q}*"),
        _buttons(
            [
                (
                    ACTION_REVIEW_PROGRESS[progress.value],
                    progress.label,
                    progress is mine.progress,
                )
                for progress in Progress
            ],
            mine.response_id,
        ),
        section_block(f"*{alignment_q}* (1 = not at all, 5 = completely)"),
        _buttons(
            [
                (ACTION_REVIEW_ALIGNMENT[score], str(score), score == mine.alignment)
                for score in ALIGNMENT_SCORES
            ],
            mine.response_id,
        ),
    ]
    if side is Side.EMPLOYEE:
        blocks += _learned_lately(sheet)
        blocks += _thoughts(mine)
    blocks.append(context_block(_status(sheet, mine)))
    return blocks


def _with_snooze(lead: str, mine: SideAnswers) -> SectionBlock:
    """The prompt's first line, with snoozing in a menu beside it: "response id:choice"."""
    return SectionBlock(
        text=mrkdwn_text(lead),
        accessory=OverflowMenuElement(
            action_id=ACTION_REVIEW_SNOOZE_MENU,
            options=[
                Option(text=f"Snooze {choice.label}", value=f"{mine.response_id}:{choice.value}")
                for choice in SnoozeChoice
            ],
        ),
    )


def _open_gaps(sheet: ReviewSheet, response_id: int) -> list[Block]:
    """What earlier reviews left to talk about, each with a button to mark it resolved."""
    if not sheet.open_gaps:
        return []
    blocks: list[Block] = [section_block("*Still to talk about, from earlier reviews:*")]
    for gap in sheet.open_gaps[:SHOWN_AT_MOST]:
        said = f": {escape_mrkdwn(clip(gap.label, 500))}" if gap.label else ""
        blocks.append(
            SectionBlock(
                text=mrkdwn_text(f"• {gap.kind.label}{said} _(since {_day(gap.raised_on)})_"),
                accessory=ButtonElement(
                    text="Resolved",
                    action_id=gap_resolved_action(gap.gap_id),
                    value=f"{response_id}:{gap.gap_id}",
                ),
            )
        )
    hidden = len(sheet.open_gaps) - SHOWN_AT_MOST
    if hidden > 0:
        blocks.append(context_block(f"And {hidden} more: resolve these to see them."))
    return blocks


def _buttons(choices: list[tuple[str, str, bool]], response_id: int) -> ActionsBlock:
    return ActionsBlock(
        elements=[
            ButtonElement(
                text=label,
                action_id=action_id,
                value=str(response_id),
                style="primary" if chosen else None,
            )
            for action_id, label, chosen in choices
        ]
    )


def _learned_lately(sheet: ReviewSheet) -> list[Block]:
    """What the employee shared from their network lately, as a prompt for that question."""
    if not sheet.learnings:
        return []
    shared = "; ".join(escape_mrkdwn(clip(text, 200)) for text in sheet.learnings)
    return [context_block(f"What you shared lately: {shared}")]


def _thoughts(mine: SideAnswers) -> list[Block]:
    blocks: list[Block] = []
    for question, answer in (
        (TO_ADDRESS_QUESTION, mine.to_address),
        (LEARNED_QUESTION, mine.learned),
    ):
        if answer:
            blocks.append(section_block(f"*{question}*\n{escape_mrkdwn(answer)}"))
    label = "Edit your thoughts" if mine.to_address or mine.learned else "Add your thoughts"
    blocks.append(_buttons([(ACTION_REVIEW_THOUGHTS, label, False)], mine.response_id))
    return blocks


def _status(sheet: ReviewSheet, mine: SideAnswers) -> str:
    zone = zone_for(mine.tz).key
    if mine.answered and mine.progress is not None:
        return (
            f"Your answers: {mine.progress.label} · alignment {mine.alignment}/5. You can change "
            f"them until {_day(sheet.closes_on)} ({zone})."
        )
    if mine.snoozed_until is not None and mine.next_nudge_at is not None:
        return f"Snoozed: I'll remind you on {local_label(mine.next_nudge_at, mine.tz)}."
    return f"Please answer by {_day(sheet.closes_on)} ({zone})."


def escalation_text(sheet: ReviewSheet) -> str:
    """What a manager is told when their report has left a review unanswered for a week."""
    return f"{sheet.employee.name} hasn't answered their alignment review yet."


def build_escalation_message(sheet: ReviewSheet) -> list[Block]:
    employee = escape_mrkdwn(sheet.employee.name)
    return [
        section_block(
            f"*{employee}* hasn't answered the alignment review of their tour of duty with you, "
            f"due {_day(sheet.due_on)}, after a prompt and a reminder. It closes on "
            f"{_day(sheet.closes_on)}."
        ),
        context_block(
            "A quick word from you may help: the review is a conversation for both of you, "
            "and nothing they have written is shared until both answers are in."
        ),
    ]


def overdue_digest_text(overdue: list[OverdueReview]) -> str:
    if not overdue:
        return "Every alignment review that was waiting on a manager has been answered."
    count = len(overdue)
    return f"{count} alignment review{'s' if count > 1 else ''} waiting on a manager for a week."


def build_overdue_digest(overdue: list[OverdueReview]) -> list[Block]:
    """The admins' daily note of managers' reviews left unanswered: names and dates, no text."""
    if not overdue:
        return [section_block(overdue_digest_text(overdue))]
    lines = [
        f"• *{escape_mrkdwn(item.manager_name)}* on *{escape_mrkdwn(item.employee_name)}*'s "
        f"tour: due {_day(item.due_on)}, closes {_day(item.closes_on)}"
        for item in overdue
    ]
    return [
        HeaderBlock(text="Alignment reviews waiting on managers"),
        *(section_block(chunk) for chunk in _chunks(lines)),
        context_block("Managers were prompted and reminded; a nudge from you may help."),
    ]


def _chunks(lines: list[str], limit: int = 2900) -> list[str]:
    """Lines joined into texts that each fit a section block."""
    chunks: list[str] = []
    for line in lines:
        if chunks and len(chunks[-1]) + 1 + len(line) <= limit:
            chunks[-1] += "\n" + line
        else:
            chunks.append(line)
    return chunks


def summary_text(sheet: ReviewSheet) -> str:
    gap = " There is a perception gap to talk about." if sheet.gaps.any else ""
    return f"Both answers are in for the alignment review of {sheet.employee.name}'s tour.{gap}"


def build_summary_message(sheet: ReviewSheet) -> list[Block]:
    """Both sides' answers side by side, and any perception gap flagged for discussion."""
    blocks: list[Block] = [
        HeaderBlock(text="Alignment review: both answers are in"),
        SectionBlock(
            fields=[
                mrkdwn_text(_answer_column(sheet.employee, "employee"), FIELD_LIMIT),
                mrkdwn_text(_answer_column(sheet.manager, "manager"), FIELD_LIMIT),
            ]
        ),
    ]
    for question, answer in (
        (TO_ADDRESS_QUESTION, sheet.employee.to_address),
        (LEARNED_QUESTION, sheet.employee.learned),
    ):
        if answer:
            blocks.append(section_block(f"*{question}*\n{escape_mrkdwn(answer)}"))
    gaps = []
    employee, manager = sheet.employee, sheet.manager
    if sheet.gaps.progress and employee.progress and manager.progress:
        gaps.append(
            f"progress: {employee.progress.label} for {escape_mrkdwn(employee.name)}, "
            f"{manager.progress.label} for {escape_mrkdwn(manager.name)}"
        )
    if sheet.gaps.alignment:
        gaps.append(f"alignment: {employee.alignment}/5 against {manager.alignment}/5")
    if gaps:
        lines = "\n".join(f"• {gap}" for gap in gaps)
        blocks.append(
            section_block(
                f":warning: *Perception gap*: you see this differently.\n{lines}\n"
                "Please talk it through together, at your next 1:1 or sooner."
            )
        )
    else:
        blocks.append(context_block("You see the tour the same way. Keep it up."))
    return blocks


def _answer_column(answers: SideAnswers, role: str) -> str:
    progress = answers.progress.label if answers.progress else "-"
    alignment = f"{answers.alignment}/5" if answers.alignment else "-"
    return f"*{escape_mrkdwn(answers.name)}* ({role})\nProgress: {progress}\nAlignment: {alignment}"


@dataclass(frozen=True)
class ThoughtsPurpose:
    """Which response the modal edits, and the prompt message to redraw afterwards."""

    response_id: int
    channel: str = ""
    ts: str = ""

    def to_metadata(self) -> str:
        return json.dumps({"response_id": self.response_id, "channel": self.channel, "ts": self.ts})

    @classmethod
    def from_metadata(cls, metadata: str) -> ThoughtsPurpose:
        data = json.loads(metadata or "{}")
        return cls(int(data.get("response_id") or 0), data.get("channel", ""), data.get("ts", ""))


def build_thoughts_modal(purpose: ThoughtsPurpose, answers: SideAnswers) -> View:
    return View(
        type="modal",
        callback_id=VIEW_REVIEW_THOUGHTS,
        title="Alignment review",
        submit="Save",
        close="Cancel",
        private_metadata=purpose.to_metadata(),
        blocks=[
            _text_input(
                BLOCK_REVIEW_TO_ADDRESS, TO_ADDRESS_QUESTION, TO_ADDRESS_MAX, answers.to_address
            ),
            _text_input(BLOCK_REVIEW_LEARNED, LEARNED_QUESTION, LEARNED_MAX, answers.learned),
        ],
    )


def _text_input(block_id: str, label: str, limit: int, initial: str) -> InputBlock:
    return InputBlock(
        block_id=block_id,
        label=label,
        optional=True,
        element=PlainTextInputElement(
            action_id=block_id, multiline=True, max_length=limit, initial_value=initial or None
        ),
    )
