"""The privacy marks on the model columns agree with docs/data-model.md, no column that could
hold someone's words goes unmarked by mistake, and `forget` reaches every marked column."""

from __future__ import annotations

import re

from sqlalchemy import JSON, String, Text

from db.models import Base
from db.privacy import privacy_of
from services.privacy import (
    ABOUT_PERSON,
    ABOUT_THEIR_TOURS,
    DELETED_WITH_THEM,
    erased_values,
)
from tests.surfaces import ROOT

DATA_MODEL = (ROOT / "docs" / "data-model.md").read_text()

# Text, JSON or long string columns that hold nothing personal, each for a reason.
NOT_PERSONAL = {
    ("workspaces", "name"),  # the company's name
    ("workspaces", "company_values"),  # the company's, visible to everyone
    ("workspaces", "company_aspirations"),
    ("workspaces", "settings"),  # admins' settings, such as the guideline's text
    ("conversations", "context"),  # ids only
    ("audit_log", "detail"),  # ids and counts only
    ("outbox", "payload"),  # ids and flags only; the message is rendered when sent
    ("outbox", "last_error"),  # a Slack error code or an HTTP status
    ("leadership_digests", "figures"),  # counts only, small groups withheld
    ("reporting_lines", "department"),  # a team's name, shared by everyone in it
    ("rollout_campaigns", "department"),  # the same
}
LONG_STRING = 64
# Personal columns that `forget` rewrites in steps of their own, not by the marks, and how
# (docs/data-model.md, "Privacy").
REWRITTEN_BY_HAND = {
    ("people", "user_id"): "step 1: 'forgotten:<id>', so that the row and its id stay",
    ("people", "name"): "step 1: ''",
    ("people", "real_name"): "step 1: ''",
    ("people", "tz"): "step 1: NULL",
    ("outbox", "target"): "step 4: 'forgotten' on the rows that went to them",
    ("audit_log", "actor"): "step 4: 'forgotten:<id>'",
}


def model_marks() -> dict[tuple[str, str], str]:
    return {
        (table.name, column.name): str(mark)
        for table in Base.metadata.sorted_tables
        for column in table.columns
        if (mark := privacy_of(column)) is not None
    }


def documented_marks() -> dict[tuple[str, str], str]:
    """The `P` marks of docs/data-model.md: table rows `| a, b | type | null | meaning | T |` and
    inline columns `` `a, b type null T` ``, under each `**table**:` heading."""
    marks: dict[tuple[str, str], str] = {}
    sections = re.split(r"(?m)^\*\*([a-z_]+)\*\*:", DATA_MODEL)[1:]
    for table, section in zip(sections[::2], sections[1::2], strict=True):
        rows = re.findall(r"(?m)^\| ([a-z_, ]+) \|[^\n]*\| ([TI]) \|$", section)
        inline = re.findall(
            r"`([a-z_]+(?:, [a-z_]+)*) [a-z]+(?:\(\d+\))? (?:NN|null) ([TI])`", section
        )
        for names, mark in rows + inline:
            marks.update({(table, name): mark for name in names.split(", ")})
    return marks


def test_the_models_carry_the_marks_of_the_data_model() -> None:
    assert model_marks() == documented_marks()


def test_every_column_that_could_hold_someones_words_is_marked() -> None:
    unmarked = {
        (table.name, column.name)
        for table in Base.metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, Text | JSON)
        or (isinstance(column.type, String) and (column.type.length or 0) > LONG_STRING)
        if privacy_of(column) is None
    }
    assert unmarked == NOT_PERSONAL, "mark new free text T (or I), or say here why it is not"


def forgotten_by_the_marks() -> set[tuple[str, str]]:
    """The personal columns `forget` deletes with their rows (step 2) or writes over (step 3)."""
    found: set[tuple[str, str]] = set()
    for model in [rows.model for rows in ABOUT_PERSON] + list(ABOUT_THEIR_TOURS):
        table = model.__table__
        columns = (
            [column for column in table.columns if privacy_of(column) is not None]
            if model in DELETED_WITH_THEM
            else list(erased_values(model))
        )
        found |= {(table.name, column.name) for column in columns}
    return found


def test_every_table_with_personal_columns_says_which_rows_are_a_persons() -> None:
    personal = {table for table, _ in model_marks()}
    ruled = {rows.model.__tablename__ for rows in ABOUT_PERSON}
    ruled |= {model.__tablename__ for model in ABOUT_THEIR_TOURS}
    by_hand = {table for table, _ in REWRITTEN_BY_HAND}
    assert personal - ruled == by_hand, "say in services/privacy.py which rows are a person's"


def test_forget_reaches_every_personal_column() -> None:
    forgotten = forgotten_by_the_marks()
    assert not forgotten & set(REWRITTEN_BY_HAND)
    assert set(model_marks()) == forgotten | set(REWRITTEN_BY_HAND), (
        "forget reaches a marked column by no step: give its table a rule, or a column that may "
        "not be empty a stand-in (services/privacy.py)"
    )
