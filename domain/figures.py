"""Figures about groups of people that never single anyone out: a figure about fewer people than
the minimum group size is withheld, and so are enough of its parts that no small group can be
found by subtracting the parts shown from the total."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

DEFAULT_MIN_GROUP_SIZE = 5


@dataclass(frozen=True)
class Counted:
    """One thing a figure counts: whom it is about, the part of the figure it falls in, and how
    much it adds (1 for a count, minor units for money)."""

    person_id: int
    part: str = ""
    amount: int = 1


@dataclass(frozen=True)
class Figure:
    """A count or an amount, and the parts it breaks down into (they add up to it); a value is
    None where the small-group rule withholds it."""

    value: int | None
    by: Mapping[str, int | None] = field(default_factory=dict)

    @property
    def withheld(self) -> bool:
        return self.value is None


def is_small(people: Collection[int], min_group_size: int) -> bool:
    """About someone, yet about fewer people than the minimum: showing it could single them out.
    A figure about nobody (zero) singles no one out."""
    return 0 < len(people) < min_group_size


def figure(counted: Iterable[Counted], min_group_size: int, parts: Sequence[str] = ()) -> Figure:
    """The figure, with the small-group rule applied: withheld whole when it is about a small
    group, otherwise with the parts `withheld_parts` names withheld. `parts` lists the breakdown's
    parts in order, each shown even when nothing falls in it; every item's part must be one."""
    items = list(counted)
    if is_small({item.person_id for item in items}, min_group_size):
        return Figure(None, dict.fromkeys(parts))
    people: dict[str, set[int]] = {part: set() for part in parts}
    amounts = dict.fromkeys(parts, 0)
    for item in items:
        if parts:
            people[item.part].add(item.person_id)
            amounts[item.part] += item.amount
    hidden = withheld_parts(people, min_group_size)
    return Figure(
        sum(item.amount for item in items),
        {part: None if part in hidden else amounts[part] for part in parts},
    )


def withheld_parts(people: Mapping[str, Collection[int]], min_group_size: int) -> frozenset[str]:
    """The parts of a shown total to withhold: each part about a small group, then the next
    smallest parts until the withheld ones are about at least `min_group_size` people together.
    So the total less the parts shown never describes a small group."""
    hidden = [part for part, who in people.items() if is_small(who, min_group_size)]
    others = sorted(
        (part for part, who in people.items() if who and part not in hidden),
        key=lambda part: len(people[part]),
    )
    while hidden and others and len(set().union(*(people[p] for p in hidden))) < min_group_size:
        hidden.append(others.pop(0))
    return frozenset(hidden)


@dataclass(frozen=True)
class Split:
    """How a group divides into parts, in per cent of it: None for a withheld part, and no parts
    at all when the group is empty (there is nothing to divide)."""

    percent: Mapping[str, float | None]


def split(counted: Iterable[Counted], min_group_size: int, parts: Sequence[str]) -> Split:
    """The parts' shares of the whole, withheld as the figure of the same items would be."""
    whole = figure(counted, min_group_size, parts)
    if whole.value == 0:
        return Split({})
    return Split(
        {
            part: None if amount is None or whole.value is None else 100 * amount / whole.value
            for part, amount in whole.by.items()
        }
    )


@dataclass(frozen=True)
class Change:
    """A figure's change since an earlier one, part by part: None where either is withheld, or
    when there is nothing earlier to compare with."""

    value: int | None
    by: Mapping[str, int | None]


def change(current: Figure, previous: Figure | None) -> Change:
    """`current` less `previous`. A part the earlier figure (shown) lacks counted zero then."""
    if previous is None or previous.value is None or current.value is None:
        return Change(None, dict.fromkeys(current.by))
    return Change(
        current.value - previous.value,
        {part: _less(now, previous.by.get(part, 0)) for part, now in current.by.items()},
    )


def _less(current: int | None, previous: int | None) -> int | None:
    return None if current is None or previous is None else current - previous
