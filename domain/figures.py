"""Figures about groups of people that never single anyone out: a figure about fewer people than
the minimum group size is withheld, and so are enough of its parts that no small group can be
found by subtracting the parts shown from the total."""

from __future__ import annotations

from collections import defaultdict
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


@dataclass(frozen=True)
class Tally:
    """What some counted items add up to and how many people they are about; who those people
    are only while they are fewer than the minimum group size, which is all the small-group
    rule needs to know about them (the database can count the rest)."""

    amount: int = 0
    people: int = 0
    few: frozenset[int] = frozenset()

    def is_small(self, min_group_size: int) -> bool:
        return 0 < self.people < min_group_size


def tally_of(counted: Iterable[Counted], min_group_size: int) -> tuple[Tally, dict[str, Tally]]:
    """The items' tally as a whole, and by part."""
    people: dict[str, set[int]] = defaultdict(set)
    amounts: dict[str, int] = defaultdict(int)
    for item in counted:
        people[item.part].add(item.person_id)
        amounts[item.part] += item.amount
    everyone = set().union(*people.values())
    whole = _tally(sum(amounts.values()), everyone, min_group_size)
    return whole, {part: _tally(amounts[part], who, min_group_size) for part, who in people.items()}


def head_count(people: Sequence[int], min_group_size: int) -> Tally:
    """The tally of things counted once each, given as the person each is about."""
    return _tally(len(people), set(people), min_group_size)


def _tally(amount: int, who: set[int], min_group_size: int) -> Tally:
    return Tally(amount, len(who), frozenset(who) if len(who) < min_group_size else frozenset())


def whole_of(parts: Mapping[str, Tally], min_group_size: int) -> Tally:
    """The whole that the parts make up, as far as the small-group rule needs: its people
    counted exactly while they are few, and otherwise as many as the largest part is about."""
    people = _together(parts.values())
    few = frozenset().union(*(each.few for each in parts.values()))
    return Tally(
        sum(each.amount for each in parts.values()),
        people,
        few if 0 < people < min_group_size else frozenset(),
    )


def disjoint_whole(parts: Iterable[Tally], min_group_size: int) -> Tally:
    """The whole of parts about different people each (no one is in two of them, as with
    each person's one department), exactly: their people add up."""
    parts = list(parts)
    people = sum(each.people for each in parts)
    few = frozenset().union(*(each.few for each in parts)) if people < min_group_size else None
    return Tally(sum(each.amount for each in parts), people, few or frozenset())


def figure(counted: Iterable[Counted], min_group_size: int, parts: Sequence[str] = ()) -> Figure:
    """The figure, with the small-group rule applied (`figure_of`). `parts` lists the
    breakdown's parts in order; every item's part must be one."""
    whole, by_part = tally_of(counted, min_group_size)
    if parts and not by_part.keys() <= set(parts):
        raise KeyError(f"parts {sorted(by_part.keys() - set(parts))} are not among {parts}")
    return figure_of(whole, by_part, min_group_size, parts)


def figure_of(
    whole: Tally, by_part: Mapping[str, Tally], min_group_size: int, parts: Sequence[str] = ()
) -> Figure:
    """The figure of a tally: withheld whole when it is about a small group, otherwise with the
    parts `withheld_parts` names withheld. Each of `parts` is shown, even when nothing falls in
    it."""
    if whole.is_small(min_group_size):
        return Figure(None, dict.fromkeys(parts))
    shown = {part: by_part.get(part, Tally()) for part in parts}
    hidden = withheld_parts(shown, min_group_size)
    return Figure(
        whole.amount,
        {part: None if part in hidden else each.amount for part, each in shown.items()},
    )


def withheld_parts(parts: Mapping[str, Tally], min_group_size: int) -> frozenset[str]:
    """The parts of a shown total to withhold: each part about a small group, then the next
    smallest parts until the withheld ones are about at least `min_group_size` people together.
    So the total less the parts shown never describes a small group."""
    hidden = [part for part, each in parts.items() if each.is_small(min_group_size)]
    others = sorted(
        (part for part, each in parts.items() if each.people and part not in hidden),
        key=lambda part: parts[part].people,
    )
    while hidden and others and _together(parts[p] for p in hidden) < min_group_size:
        hidden.append(others.pop(0))
    return frozenset(hidden)


def _together(tallies: Iterable[Tally]) -> int:
    """How many people the tallies are about together, as far as the small-group rule needs:
    exactly, while each is about a small group; at least the largest, once one is not."""
    tallies = list(tallies)
    return max(
        len(set().union(*(each.few for each in tallies))),
        max((each.people for each in tallies if not each.few), default=0),
    )


@dataclass(frozen=True)
class Split:
    """How a group divides into parts, in per cent of it: None for a withheld part, and no parts
    at all when the group is empty (there is nothing to divide)."""

    percent: Mapping[str, float | None]


def split(counted: Iterable[Counted], min_group_size: int, parts: Sequence[str]) -> Split:
    """The parts' shares of the whole, withheld as the figure of the same items would be."""
    return split_of(figure(counted, min_group_size, parts))


def split_of(whole: Figure) -> Split:
    """A figure's parts as shares of it."""
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
