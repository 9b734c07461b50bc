"""The privacy marks of docs/data-model.md (its `P` column), carried on the model columns so that
code can ask a column what it says about a person."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlalchemy import Column

PRIVACY_KEY = "privacy"  # the key of the mark in Column.info


class Privacy(StrEnum):
    TEXT = "T"  # personal free text
    IDENTIFIER = "I"  # names a person, or leads to them (a Slack id, an email, a message's ts)


def marked(privacy: Privacy) -> dict[str, Privacy]:
    """The `info=` of a column holding personal data (a dict of its own for each column)."""
    return {PRIVACY_KEY: privacy}


def privacy_of(column: Column[Any]) -> Privacy | None:
    """The column's mark; None when it holds nothing personal."""
    mark = column.info.get(PRIVACY_KEY)
    return Privacy(mark) if mark is not None else None
