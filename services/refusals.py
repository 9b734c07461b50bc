"""Refusals: what a person asked for is not possible, with words fit to show them."""

from __future__ import annotations

# The same words whatever was refused, so that a refusal reveals nothing about what exists.
NOT_YOURS = "That isn't something you can do. If you think it should be, ask your Alliance admin."


class Refusal(Exception):
    """The action is not possible; `message` says why, in words fit for the person."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
