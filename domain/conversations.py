"""DM conversations as state machines: one question at a time, with skip, back and cancel.

A flow is a list of steps. Each reply is handled by `answer`, which returns the next state; the
caller stores it, so a restart between two replies loses nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

CONVERSATION_TIMEOUT = timedelta(days=7)

SKIP, BACK, CANCEL = "skip", "back", "cancel"

EXPIRED_NOTE = (
    "Our conversation has been quiet for a week, so I've closed it; nothing from it was saved. "
    "Start again whenever you like."
)


class FlowName(StrEnum):
    VALUES = "values"
    TOUR_SUCCESS = "tour_success"
    TOUR_GUIDED = "tour_guided"


class Outcome(StrEnum):
    ASKING = "asking"
    DONE = "done"
    CANCELLED = "cancelled"


Parser = Callable[[str, dict[str, Any]], Any]
"""Turns a reply into the value to keep, given the answers so far; raises ValueError to re-ask."""


def keep_text(text: str, _answers: dict[str, Any]) -> str:
    return text.strip()


@dataclass(frozen=True)
class Step:
    key: str
    question: str
    example: str
    parse: Parser = keep_text
    required: bool = False


@dataclass(frozen=True)
class Flow:
    name: FlowName
    steps: tuple[Step, ...]

    def step(self, index: int) -> Step:
        return self.steps[index]


@dataclass(frozen=True)
class State:
    """Where a conversation is: the step it asks now, and the answers so far."""

    step_index: int = 0
    answers: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Turn:
    """What one reply did: the new state, whether the flow goes on, and a word for the person."""

    state: State
    outcome: Outcome
    problem: str | None = None


def answer(flow: Flow, state: State, text: str) -> Turn:
    """Apply one reply: a keyword (skip, back, cancel) or an answer to the current step."""
    word = text.strip().lower()
    step = flow.step(state.step_index)
    if word == CANCEL:
        return Turn(state, Outcome.CANCELLED)
    if word == BACK:
        return Turn(replace(state, step_index=max(0, state.step_index - 1)), Outcome.ASKING)
    if word == SKIP:
        if step.required:
            return Turn(state, Outcome.ASKING, "This one can't be skipped, sorry.")
        return _advance(flow, state, step.key, None)
    if not text.strip():
        return Turn(state, Outcome.ASKING, "I didn't catch that.")
    try:
        value = step.parse(text, state.answers)
    except ValueError as problem:
        return Turn(state, Outcome.ASKING, str(problem))
    return _advance(flow, state, step.key, value)


def _advance(flow: Flow, state: State, key: str, value: Any) -> Turn:
    answers = {**state.answers, key: value}
    next_index = state.step_index + 1
    if next_index == len(flow.steps):
        return Turn(State(next_index, answers), Outcome.DONE)
    return Turn(State(next_index, answers), Outcome.ASKING)


def expires_at(updated_at: datetime) -> datetime:
    return updated_at + CONVERSATION_TIMEOUT


def is_expired(expiry: datetime, now: datetime) -> bool:
    return now >= expiry
