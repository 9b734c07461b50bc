"""The small-group rule's tallies counted by the database: what the rows of a query add up to,
by part, and how many people they are about, without bringing each row into Python. Only the
people of a part about fewer than the minimum group size are read, as the rule needs them."""

from __future__ import annotations

from collections import defaultdict
from enum import Enum
from typing import Any

from sqlalchemy import ColumnElement, Select, distinct, func, literal_column, select
from sqlalchemy.orm import Session

from domain.figures import Tally

# A query of rows to count: columns person, and maybe part and amount.
Rows = Select[*tuple[Any, ...]]
# What a row adds to a figure when it says nothing else: one.
ONE: ColumnElement[int] = literal_column("1")


def tallies(
    session: Session, rows: Rows, min_group_size: int, *, by_part: bool = False
) -> tuple[Tally, dict[str, Tally]]:
    """The tally of the rows `rows` selects, as a whole and (with `by_part`) by part. Its
    columns are labelled `person` (whom a row is about), and where they matter `part` and
    `amount` (1 when absent)."""
    found = rows.subquery()
    person = found.c.person
    amount = found.c.amount if "amount" in found.c else ONE
    total, people = session.execute(
        select(func.coalesce(func.sum(amount), 0), func.count(distinct(person)))
    ).one()
    few: frozenset[int] = frozenset()
    if 0 < people < min_group_size:
        few = frozenset(session.scalars(select(person).distinct()))
    whole = Tally(int(total), int(people), few)
    if not by_part:
        return whole, {}
    part = found.c.part
    counted = {
        raw: (int(part_total), int(part_people))
        for raw, part_total, part_people in session.execute(
            select(part, func.sum(amount), func.count(distinct(person))).group_by(part)
        )
    }
    small = [raw for raw, (_, part_people) in counted.items() if part_people < min_group_size]
    who: dict[Any, set[int]] = defaultdict(set)
    if small:
        for raw, someone in session.execute(select(part, person).where(part.in_(small)).distinct()):
            who[raw].add(someone)
    return whole, {
        _name(raw): Tally(part_total, part_people, frozenset(who[raw]))
        for raw, (part_total, part_people) in counted.items()
    }


def _name(part: object) -> str:
    """A part as the figures name it: an enum column's value, or the text itself."""
    return str(part.value) if isinstance(part, Enum) else str(part)
