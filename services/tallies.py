"""The small-group rule's tallies counted by the database: what the rows of a query add up to,
by part, and how many people they are about, without bringing each row into Python. Only the
people of a part about fewer than the minimum group size are read, as the rule needs them."""

from __future__ import annotations

from collections import defaultdict
from enum import Enum
from typing import Any

from sqlalchemy import ColumnElement, Select, distinct, func, literal_column, select, tuple_
from sqlalchemy.orm import Session

from domain.figures import Tally

# A query of rows to count: columns `person` (whom a row is about), and where they matter
# `part`, `amount` (1 when absent) and `bucket` (which of several figures a row counts for).
Rows = Select[*tuple[Any, ...]]
# What a row adds to a figure when it says nothing else: one.
ONE: ColumnElement[int] = literal_column("1")


def whole_tally(session: Session, rows: Rows, min_group_size: int) -> Tally:
    """The tally of all the rows, in one pass over them."""
    found = rows.subquery()
    amount = found.c.amount if "amount" in found.c else ONE
    total, people = session.execute(
        select(func.coalesce(func.sum(amount), 0), func.count(distinct(found.c.person)))
    ).one()
    few: frozenset[int] = frozenset()
    if 0 < people < min_group_size:
        few = frozenset(session.scalars(select(found.c.person).distinct()))
    return Tally(int(total), int(people), few)


def part_tallies(session: Session, rows: Rows, min_group_size: int) -> dict[str, Tally]:
    """The rows' tally by part, in one pass over them (and a look at the small parts)."""
    return {part: tally for (part,), tally in _grouped(session, rows, min_group_size, 1).items()}


def bucket_tallies(
    session: Session, rows: Rows, min_group_size: int
) -> dict[Any, dict[str, Tally]]:
    """The rows' tally by bucket, then by part, in one pass over them."""
    found: dict[Any, dict[str, Tally]] = defaultdict(dict)
    for (bucket, part), tally in _grouped(session, rows, min_group_size, 2).items():
        found[bucket][part] = tally
    return found


def _grouped(
    session: Session, rows: Rows, min_group_size: int, keys: int
) -> dict[tuple[Any, ...], Tally]:
    found = rows.subquery()
    key = [found.c.bucket, found.c.part] if keys == 2 else [found.c.part]
    amount = found.c.amount if "amount" in found.c else ONE
    counted = {
        tuple(raw[:keys]): (int(raw[keys]), int(raw[keys + 1]))
        for raw in session.execute(
            select(*key, func.sum(amount), func.count(distinct(found.c.person))).group_by(*key)
        )
    }
    small = [raw for raw, (_, people) in counted.items() if people < min_group_size]
    who: dict[tuple[Any, ...], set[int]] = defaultdict(set)
    if small:
        within = tuple_(*key).in_(small) if keys == 2 else key[0].in_([raw[0] for raw in small])
        for *raw, person in session.execute(select(*key, found.c.person).where(within).distinct()):
            who[tuple(raw)].add(person)
    return {
        (*raw[:-1], _name(raw[-1])): Tally(amount_sum, people, frozenset(who[raw]))
        for raw, (amount_sum, people) in counted.items()
    }


def _name(part: object) -> str:
    """A part as the figures name it: an enum column's value, or the text itself."""
    return str(part.value) if isinstance(part, Enum) else str(part)
