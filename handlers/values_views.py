"""Block Kit for values and aspirations: the summary, the modals, the alignment view, Home."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from domain.commands import COMMAND
from domain.values import MAX_ITEM_LENGTH, MAX_ITEMS, MAX_NOTE_LENGTH, VALUES_FLOW, Party
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
from handlers.views import FIELD_LIMIT, Blocks, clip, context_block, mrkdwn_text, section_block
from services.values import (
    AlignmentRead,
    CompanyValues,
    ManagerSide,
    OwnStatement,
    StatementRead,
)

# Slack's limits (see docs/SLACK.md); typed text is escaped, which can make it longer.
HEADER_TEXT = 150
INPUT_MAX = 3000

VALUES_USAGE = (
    f"`{COMMAND} values`: tell me your aspirations and values (a few questions in a DM).\n"
    f"`{COMMAND} values show`: how your values align with your manager's and the company's.\n"
    f"`{COMMAND} values @person`: someone's values, if they shared them with you.\n"
    f"`{COMMAND} values unshare`: stop sharing your values with anyone.\n"
    f"`{COMMAND} values company`: _(admins)_ set the company's values and aspirations."
)

PRIVATE_NOTE = "Private to you until you share them. Admins never see them unless you share."


def bullets(items: Iterable[str]) -> str:
    return "\n".join(f"• {escape_mrkdwn(item)}" for item in items)


def _section(text: str) -> SectionBlock:
    return section_block(text)


def _field(text: str) -> MarkdownTextObject:
    return mrkdwn_text(text, FIELD_LIMIT)


def _header(text: str) -> HeaderBlock:
    return HeaderBlock(text=clip(text, HEADER_TEXT))


def _context(text: str) -> Block:
    return context_block(text)


def _render(blocks: Sequence[Block]) -> Blocks:
    return [block.to_dict() for block in blocks]


# ---------------------------------------------------------------------------- short texts

DM_SENT_TEXT = (
    "I've sent you a DM with a few questions about your aspirations and values. "
    "Answer there, one message at a time."
)
NOT_ALLOWED_TEXT = (
    "I can't show you that. Values are private to each person until they share them with you."
)
COMPANY_REFUSAL_TEXT = (
    "Only Alliance admins can change the company's values. Everyone can see them with "
    f"`{COMMAND} values show`."
)
MENTION_HINT_TEXT = (
    f"I couldn't tell who you meant. Type `{COMMAND} values @name` and pick the person from the "
    "list, so Slack turns it into a mention."
)
NOT_YOURS_TEXT = "That button isn't for you, so I did nothing."


def build_values_usage_blocks(problem: str = "") -> Blocks:
    lead = f"{problem}\n\n" if problem else ""
    return _render([_section(lead + VALUES_USAGE)])


def build_values_intro_blocks(*, has_statement: bool, stopped_other: bool) -> Blocks:
    """The first DM of the values conversation, before the first question."""
    lines = [
        f"Let's write down where you want your career to go and what you value: "
        f"{len(VALUES_FLOW.steps)} short questions, one at a time. Reply here in this DM.",
        PRIVATE_NOTE,
    ]
    if has_statement:
        lines.append(
            "Your current answers stay as they are until you finish; reply `skip` to keep one."
        )
    if stopped_other:
        lines.append("_I've closed our earlier conversation so we can do this one._")
    return _render([_section("\n".join(lines))])


# ---------------------------------------------------------------------------- summary


def _statement_sections(statement: StatementRead) -> list[Block]:
    none = "_Nothing yet._"
    blocks: list[Block] = [
        _section(f"*Core aspirations*\n{bullets(statement.aspirations) or none}"),
        _section(f"*Core values*\n{bullets(statement.core_values) or none}"),
    ]
    if statement.note_for_manager:
        note = escape_mrkdwn(statement.note_for_manager)
        blocks.append(_section(f"*For your manager*\n{note}"))
    return blocks


def _sharing_line(shared_with: Sequence[str]) -> str:
    if not shared_with:
        return PRIVATE_NOTE
    return Mrkdwn(
        "Shared with {}: they also see later edits. `{} values unshare` stops sharing."
    ).format(Mrkdwn(", ").join(mention(u) for u in shared_with), COMMAND)


def _buttons(
    user_id: str, *, manages_anyone: bool, has_statement: bool, shared_with_manager: bool = False
) -> ActionsBlock:
    """Edit, and sharing: with the manager until it is shared, then a way to stop."""
    edit = "Edit" if has_statement else "Write them now"
    elements = [ButtonElement(text=edit, action_id=ACTION_VALUES_EDIT, value=user_id)]
    if has_statement:
        elements.append(
            ButtonElement(text="Stop sharing", action_id=ACTION_VALUES_UNSHARE, value=user_id)
            if shared_with_manager
            else ButtonElement(
                text="Share with my manager",
                action_id=ACTION_VALUES_SHARE,
                value=user_id,
                style="primary",
            )
        )
        if manages_anyone:
            elements.append(
                ButtonElement(
                    text="Share with my team", action_id=ACTION_VALUES_SHARE_TEAM, value=user_id
                )
            )
    return ActionsBlock(elements=elements)


def build_values_summary_blocks(own: OwnStatement, *, lead: str = "Saved.") -> Blocks:
    """The person's statement after the conversation or an edit, with Edit and Share."""
    statement = own.statement
    assert statement is not None
    return _render(
        [
            _section(f"*{lead}* Here are your aspirations and values."),
            *_statement_sections(statement),
            _context(_sharing_line(own.shared_with)),
            _buttons(
                statement.owner_user_id,
                manages_anyone=own.manages_anyone,
                has_statement=True,
                shared_with_manager=own.shared_with_manager,
            ),
            _context(
                f"See how they align with your manager's and the company's: "
                f"`{COMMAND} values show`."
            ),
        ]
    )


def summary_text(lead: str = "Saved.") -> str:
    return f"{lead} Here are your aspirations and values."


# ---------------------------------------------------------------------------- modals


def _list_input(
    block_id: str, label: str, items: Sequence[str], placeholder: str, hint: str
) -> InputBlock:
    return InputBlock(
        block_id=block_id,
        label=label,
        optional=True,
        hint=hint,
        element=PlainTextInputElement(
            action_id=block_id,
            multiline=True,
            max_length=INPUT_MAX,
            initial_value="\n".join(items) or None,
            placeholder=clip(placeholder, 150),
        ),
    )


LIST_HINT = (
    f"One per line (or separated by commas): up to {MAX_ITEMS}, {MAX_ITEM_LENGTH} characters each."
)


def build_values_edit_modal(statement: StatementRead | None) -> dict[str, Any]:
    """The same three fields as the conversation, prefilled with the stored statement."""
    aspirations, core, note = VALUES_FLOW.steps
    return View(
        type="modal",
        callback_id=VIEW_VALUES_EDIT,
        title=PlainTextObject(text="Your values"),
        submit=PlainTextObject(text="Save"),
        close=PlainTextObject(text="Cancel"),
        blocks=[
            _context(PRIVATE_NOTE),
            _list_input(
                BLOCK_VALUES_ASPIRATIONS,
                "Core aspirations: where you want your career to go",
                statement.aspirations if statement else (),
                aspirations.example,
                LIST_HINT,
            ),
            _list_input(
                BLOCK_VALUES_CORE,
                "Core values: a few words each",
                statement.core_values if statement else (),
                core.example,
                LIST_HINT,
            ),
            InputBlock(
                block_id=BLOCK_VALUES_NOTE,
                label="What you'd like your manager to know",
                optional=True,
                element=PlainTextInputElement(
                    action_id=BLOCK_VALUES_NOTE,
                    multiline=True,
                    max_length=MAX_NOTE_LENGTH,
                    initial_value=(statement.note_for_manager if statement else None) or None,
                    placeholder=clip(note.example, 150),
                ),
            ),
        ],
    ).to_dict()


def build_company_values_modal(company: CompanyValues) -> dict[str, Any]:
    return View(
        type="modal",
        callback_id=VIEW_COMPANY_VALUES,
        title=PlainTextObject(text="Company values"),
        submit=PlainTextObject(text="Save"),
        close=PlainTextObject(text="Cancel"),
        blocks=[
            _context(
                "Everyone in the workspace sees these, next to their own values and their "
                "manager's."
            ),
            _list_input(
                BLOCK_COMPANY_VALUES,
                "The company's core values",
                company.values,
                "Customers first, ownership, candour",
                LIST_HINT,
            ),
            _list_input(
                BLOCK_COMPANY_ASPIRATIONS,
                "The company's aspirations",
                company.aspirations,
                "Be the tool every small clinic runs on, open an office in Lisbon",
                LIST_HINT,
            ),
        ],
    ).to_dict()


def company_saved_text(company: CompanyValues) -> str:
    return (
        f"Saved the company's values ({len(company.values)}) and aspirations "
        f"({len(company.aspirations)}). Everyone sees them in `{COMMAND} values show`."
    )


# ---------------------------------------------------------------------------- alignment

GAP_PROMPTS = {
    Party.EMPLOYEE: "talk about how the work could make more room for it",
    Party.MANAGER: "talk about what it means day to day in the team",
    Party.COMPANY: "talk about where it shows up in this tour of duty",
}
GENERIC_LABELS = frozenset({"You", "Your manager", "Their manager", "The company"})


def _mid_sentence(label: str) -> str:
    """A label inside a sentence: "your manager", but a person's name as it is."""
    return label.lower() if label in GENERIC_LABELS else escape_mrkdwn(label)


def _labels(read: AlignmentRead) -> dict[Party, str]:
    name = read.subject_name or "Them"
    if read.viewer_role is Party.EMPLOYEE:
        return {Party.EMPLOYEE: "You", Party.MANAGER: "Your manager", Party.COMPANY: "The company"}
    if read.viewer_role is Party.MANAGER:
        return {Party.EMPLOYEE: name, Party.MANAGER: "You", Party.COMPANY: "The company"}
    return {Party.EMPLOYEE: name, Party.MANAGER: "Their manager", Party.COMPANY: "The company"}


def _listed(items: tuple[str, ...]) -> str:
    return bullets(items) or "_None given._"


def _subject_column(read: AlignmentRead, values: bool) -> str:
    if read.subject is None:
        return f"_Not written yet: `{COMMAND} values`._"
    return _listed(read.subject.core_values if values else read.subject.aspirations)


def _manager_column(read: AlignmentRead, values: bool) -> str:
    if read.manager is not None:
        return _listed(read.manager.core_values if values else read.manager.aspirations)
    if read.manager_side is ManagerSide.NONE:
        return "_No manager yet: once you agree a tour of duty, they can share theirs with you._"
    if read.viewer_role is Party.MANAGER:
        return f"_You haven't written yours yet: `{COMMAND} values`._"
    return "_Not shared with you._"


def _company_column(read: AlignmentRead, values: bool) -> str:
    if not read.company.is_set:
        return f"_Not set yet: an admin sets them with `{COMMAND} values company`._"
    return _listed(read.company.values if values else read.company.aspirations)


def _side_by_side(read: AlignmentRead, *, values: bool) -> SectionBlock:
    labels = _labels(read)
    columns = (
        (Party.EMPLOYEE, _subject_column(read, values)),
        (Party.MANAGER, _manager_column(read, values)),
        (Party.COMPANY, _company_column(read, values)),
    )
    return SectionBlock(
        text=mrkdwn_text("*Core values*" if values else "*Aspirations*"),
        fields=[_field(f"*{_at_start(labels[party])}*\n{text}") for party, text in columns],
    )


def _at_start(label: str) -> str:
    return label if label in GENERIC_LABELS else escape_mrkdwn(label)


def _joined(values: Iterable[str]) -> str:
    return ", ".join(f"*{escape_mrkdwn(value)}*" for value in values)


def _overlap_text(read: AlignmentRead) -> str:
    labels = _labels(read)
    result = read.alignment
    e, m, c = Party.EMPLOYEE, Party.MANAGER, Party.COMPANY
    lines = []
    for parties, title in (
        ((e, m, c), "Shared by all three"),
        ((e, m), f"{_at_start(labels[e])} and {_mid_sentence(labels[m])}"),
        ((e, c), f"{_at_start(labels[e])} and {_mid_sentence(labels[c])}"),
        ((m, c), f"{_at_start(labels[m])} and {_mid_sentence(labels[c])}"),
    ):
        shared = result.shared_by_exactly(*parties)
        if shared:
            lines.append(f"• {title}: {_joined(shared)}")
    if not lines:
        return "*Where you overlap*\n_No values in common yet._"
    return "*Where you overlap*\n" + "\n".join(lines)


def _gap_blocks(read: AlignmentRead) -> list[Block]:
    result = read.alignment
    if not result.gaps:
        return []
    labels = _labels(read)
    blocks: list[Block] = [
        _section(
            "*Gaps to talk about at the next alignment review*\n"
            "Values only one side holds. Each is worth a few minutes at your next review."
        )
    ]
    for party in Party:
        gaps = result.gaps_of(party)
        if gaps:
            prompt = GAP_PROMPTS[party]
            lines = "\n".join(
                f"• *{escape_mrkdwn(value)}*: _at the next review, {prompt}._" for value in gaps
            )
            blocks.append(_section(f"*Only {_mid_sentence(labels[party])}*\n{lines}"))
    return blocks


def build_alignment_blocks(read: AlignmentRead) -> Blocks:
    """Employee, manager and company side by side; overlaps; every gap with a prompt."""
    if read.viewer_role is Party.EMPLOYEE:
        title = "Your values, side by side"
    else:
        title = (
            f"{read.subject_name}'s values, side by side"
            if read.subject_name
            else ("Their values, side by side")
        )
    blocks: list[Block] = [
        _header(title),
        _side_by_side(read, values=True),
        _side_by_side(read, values=False),
        DividerBlock(),
    ]
    if len(read.alignment.present) > 1:
        blocks.append(_section(_overlap_text(read)))
        blocks.extend(_gap_blocks(read))
    else:
        blocks.append(
            _section("_Alignment appears here once there is a second side to compare with._")
        )
    subject_note = read.subject.note_for_manager if read.subject else None
    if subject_note and read.viewer_role is not Party.EMPLOYEE:
        blocks.append(
            _section(f"*What they'd like their manager to know*\n{escape_mrkdwn(subject_note)}")
        )
    blocks.append(
        _context(
            "Matching ignores case, punctuation and simple plurals (Customers = customer). "
            + (PRIVATE_NOTE if read.viewer_role is Party.EMPLOYEE else "Shared with you.")
        )
    )
    return _render(blocks)


ALIGNMENT_TEXT = "Values, side by side"


# ---------------------------------------------------------------------------- Home tab


def build_home_values_blocks(user_id: str, own: OwnStatement, read: AlignmentRead | None) -> Blocks:
    """The values part of the Home tab: the statement and its alignment, or an invitation."""
    statement = own.statement
    if statement is None or read is None:
        return _render(
            [
                _header("Your values and aspirations"),
                _section(
                    "Tell me where you want your career to go and what you value, and I'll show "
                    "how it lines up with your manager and the company. Type "
                    f"`{COMMAND} values` for a few questions in a DM, or write them here."
                ),
                _buttons(user_id, manages_anyone=False, has_statement=False),
                _context(PRIVATE_NOTE),
            ]
        )
    result = read.alignment
    lines = []
    if len(result.present) > 1:
        shared = result.shared_with_employee
        lines.append(
            f"*In common*: {_joined(o.value for o in shared)}"
            if shared
            else "*In common*: none yet"
        )
        for party, who in ((Party.MANAGER, "your manager"), (Party.COMPANY, "the company")):
            gaps = result.gaps_of(party)
            if gaps:
                lines.append(f"*Only {who}*: {_joined(gaps)}")
        mine = result.gaps_of(Party.EMPLOYEE)
        if mine:
            lines.append(f"*Only you*: {_joined(mine)}")
        if result.gaps:
            lines.append("_Talk about the gaps at your next alignment review._")
    else:
        lines.append(
            "_Alignment appears once your manager shares theirs or the company sets its values._"
        )
    return _render(
        [
            _header("Your values and aspirations"),
            SectionBlock(
                fields=[
                    _field(f"*Core aspirations*\n{bullets(statement.aspirations) or '_None._'}"),
                    _field(f"*Core values*\n{bullets(statement.core_values) or '_None._'}"),
                ]
            ),
            _section("\n".join(lines)),
            _buttons(
                statement.owner_user_id,
                manages_anyone=own.manages_anyone,
                has_statement=True,
                shared_with_manager=own.shared_with_manager,
            ),
            _context(
                _sharing_line(own.shared_with) + f"  ·  `{COMMAND} values show` for the full view."
            ),
        ]
    )
