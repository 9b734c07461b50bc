"""Block Kit for tours of duty: the statement modal, the statement itself, and tour lists."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    DatePickerElement,
    HeaderBlock,
    InputBlock,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    RadioButtonsElement,
    StaticSelectElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from domain.tours import (
    CADENCES_WEEKS,
    OBJECTIVE_MAX,
    SUCCESS_MAX,
    Side,
    TourDraft,
    TourStatus,
    TourType,
    elapsed_fraction,
    progress_bar,
)
from handlers.ids import (
    ACTION_TOUR_ACCEPT,
    ACTION_TOUR_SUCCESS_CHAT,
    ACTION_TOUR_SUGGEST,
    ACTION_TOUR_WITHDRAW,
    BLOCK_TOUR_CADENCE,
    BLOCK_TOUR_EMPLOYEE,
    BLOCK_TOUR_END,
    BLOCK_TOUR_OBJECTIVE,
    BLOCK_TOUR_START,
    BLOCK_TOUR_SUCCESS_COMPANY,
    BLOCK_TOUR_SUCCESS_EMPLOYEE,
    BLOCK_TOUR_TYPE,
    VIEW_TOUR_STATEMENT,
)
from handlers.mrkdwn import Mrkdwn, escape_mrkdwn
from handlers.views import Blocks, context_block, section_block
from services.tours import TourStatement


@dataclass(frozen=True)
class ModalPurpose:
    """Why the statement modal is open: a new proposal (perhaps to follow an active tour), or a
    revision of a given version."""

    tour_id: int | None = None
    version_no: int | None = None
    follows_tour_id: int | None = None

    def to_metadata(self) -> str:
        return json.dumps(
            {
                "tour_id": self.tour_id,
                "version_no": self.version_no,
                "follows_tour_id": self.follows_tour_id,
            }
        )

    @classmethod
    def from_metadata(cls, metadata: str) -> ModalPurpose:
        data = json.loads(metadata or "{}")
        return cls(data.get("tour_id"), data.get("version_no"), data.get("follows_tour_id"))


def build_statement_modal(
    purpose: ModalPurpose,
    *,
    employee_user_id: str | None,
    draft: TourDraft | None,
    counterpart: str = "",
) -> dict[str, Any]:
    """The Statement of Alliance form; prefilled when revising, with a chosen employee if known."""
    blocks: list[Any] = []
    if purpose.tour_id is None:
        blocks.append(
            InputBlock(
                block_id=BLOCK_TOUR_EMPLOYEE,
                label="Employee",
                element=UserSelectElement(
                    action_id=BLOCK_TOUR_EMPLOYEE, initial_user=employee_user_id
                ),
                hint="The report this tour of duty is for.",
            )
        )
    else:
        blocks.append(
            context_block(
                f"Revising version {purpose.version_no} of the statement "
                f"with {escape_mrkdwn(counterpart)}."
            )
        )
    options = [Option(value=t.value, label=t.label, description=t.in_short) for t in TourType]
    chosen = next((o for o in options if draft and o.value == draft.tour_type), None)
    blocks += [
        InputBlock(
            block_id=BLOCK_TOUR_TYPE,
            label="Kind of tour",
            element=RadioButtonsElement(
                action_id=BLOCK_TOUR_TYPE, options=options, initial_option=chosen
            ),
        ),
        _text_input(
            BLOCK_TOUR_OBJECTIVE,
            "Mission objective",
            OBJECTIVE_MAX,
            draft.objective if draft else None,
            "e.g. Take our checkout from 3 steps to 1 and lift conversion by 5%",
        ),
        InputBlock(
            block_id=BLOCK_TOUR_START,
            label="Start date",
            element=DatePickerElement(
                action_id=BLOCK_TOUR_START, initial_date=_iso(draft.start_date if draft else None)
            ),
        ),
        InputBlock(
            block_id=BLOCK_TOUR_END,
            label="Expected end date",
            element=DatePickerElement(
                action_id=BLOCK_TOUR_END, initial_date=_iso(draft.end_date if draft else None)
            ),
            hint="Between a month and 10 years after the start.",
        ),
        _text_input(
            BLOCK_TOUR_SUCCESS_COMPANY,
            "What success looks like for the company",
            SUCCESS_MAX,
            draft.success_company if draft else None,
            "e.g. Checkout conversion up 5%",
        ),
        _text_input(
            BLOCK_TOUR_SUCCESS_EMPLOYEE,
            "What success looks like for the employee",
            SUCCESS_MAX,
            draft.success_employee if draft else None,
            "e.g. Leads a cross-team project; known as our checkout expert",
        ),
        InputBlock(
            block_id=BLOCK_TOUR_CADENCE,
            label="Alignment review every",
            element=StaticSelectElement(
                action_id=BLOCK_TOUR_CADENCE,
                options=[_cadence_option(weeks) for weeks in CADENCES_WEEKS],
                initial_option=_cadence_option(draft.cadence_weeks if draft else 4),
            ),
        ),
    ]
    return View(
        type="modal",
        callback_id=VIEW_TOUR_STATEMENT,
        title=PlainTextObject(text="Statement of Alliance"),
        submit=PlainTextObject(text="Propose" if purpose.tour_id is None else "Send"),
        close=PlainTextObject(text="Cancel"),
        private_metadata=purpose.to_metadata(),
        blocks=blocks,
    ).to_dict()


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _cadence_option(weeks: int) -> Option:
    return Option(value=str(weeks), label=f"{weeks} weeks")


def _text_input(
    block_id: str, label: str, limit: int, initial: str | None, placeholder: str
) -> InputBlock:
    return InputBlock(
        block_id=block_id,
        label=label,
        element=PlainTextInputElement(
            action_id=block_id,
            multiline=True,
            max_length=limit,
            initial_value=initial or None,
            placeholder=placeholder[:150],
        ),
    )


def statement_blocks(statement: TourStatement) -> Blocks:
    """The statement itself, as both parties read it."""
    days = (statement.end_date - statement.start_date).days
    return [
        HeaderBlock(text=f"Statement of Alliance · version {statement.version_no}").to_dict(),
        section_block(
            f"*{statement.tour_type.label} tour* for *{escape_mrkdwn(statement.employee_name)}*"
            f", with *{escape_mrkdwn(statement.manager_name)}* as manager\n"
            f"{_dates(statement.start_date, statement.end_date)} (about {round(days / 30.44)}"
            f" months) · alignment review every {statement.cadence_weeks} weeks"
        ).to_dict(),
        section_block(f"*Mission objective*\n{escape_mrkdwn(statement.objective)}").to_dict(),
        section_block(
            f"*What success looks like for the company*\n{escape_mrkdwn(statement.success_company)}"
        ).to_dict(),
        section_block(
            "*What success looks like for the employee*\n"
            f"{escape_mrkdwn(statement.success_employee)}"
        ).to_dict(),
    ]


def _dates(start: date, end: date) -> str:
    return f"{start:%-d %b %Y} → {end:%-d %b %Y}"


def proposal_actions(tour_id: int, version_no: int, side: Side) -> dict[str, Any]:
    """What the awaited side can do with a version."""
    value = f"{tour_id}:{version_no}"
    buttons = [
        ButtonElement(text="Accept", action_id=ACTION_TOUR_ACCEPT, value=value, style="primary")
    ]
    if side is Side.EMPLOYEE:
        buttons += [
            ButtonElement(text="Suggest changes", action_id=ACTION_TOUR_SUGGEST, value=value),
            ButtonElement(
                text="Tell me what success means for you",
                action_id=ACTION_TOUR_SUCCESS_CHAT,
                value=value,
            ),
        ]
    else:
        buttons += [
            ButtonElement(text="Revise", action_id=ACTION_TOUR_SUGGEST, value=value),
            ButtonElement(
                text="Withdraw", action_id=ACTION_TOUR_WITHDRAW, value=value, style="danger"
            ),
        ]
    return ActionsBlock(elements=buttons).to_dict()


def build_proposal_message(statement: TourStatement, side: Side, lead: str) -> Blocks:
    return [
        section_block(lead).to_dict(),
        *statement_blocks(statement),
        proposal_actions(statement.tour_id, statement.version_no, side),
    ]


def build_outcome_message(statement: TourStatement, outcome: str) -> Blocks:
    """The proposal message once acted on: the statement stays, the buttons give way."""
    return [*statement_blocks(statement), context_block(outcome).to_dict()]


def tour_card(statement: TourStatement, today: date) -> Blocks:
    """A short card: kind, objective, dates, time elapsed, next review."""
    fraction = elapsed_fraction(statement.start_date, statement.end_date, today)
    review = (
        f" · next review {statement.next_review_on:%-d %b %Y}"
        if statement.next_review_on and statement.status is TourStatus.ACTIVE
        else ""
    )
    objective = escape_mrkdwn(statement.objective)
    if len(objective) > 300:
        objective = objective[:299] + "…"
    return [
        section_block(
            f"*{statement.tour_type.label} tour* · {_status_label(statement.status)}\n"
            f"{objective}\n"
            f"{_dates(statement.start_date, statement.end_date)}  "
            f"`{progress_bar(fraction)}` {round(fraction * 100)}% elapsed{review}"
        ).to_dict(),
    ]


def _status_label(status: TourStatus) -> str:
    return {
        TourStatus.PROPOSED: "waiting for agreement",
        TourStatus.AGREED: "agreed, starts soon",
        TourStatus.ACTIVE: "active",
        TourStatus.ENDED: "ended",
        TourStatus.WITHDRAWN: "withdrawn",
    }[status]


def build_tour_list(title: str, statements: list[TourStatement], today: date, empty: str) -> Blocks:
    blocks = [section_block(Mrkdwn("*{}*").format(title)).to_dict()]
    if not statements:
        return [*blocks, section_block(empty).to_dict()]
    for statement in statements[:20]:
        blocks += tour_card(statement, today)
    return blocks
