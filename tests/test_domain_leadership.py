"""The leadership digest's rules in plain Python: the small-group rule and its parts, shares,
changes, the digest's week, and how reviews and tour ends are classed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.figures import (
    Change,
    Counted,
    Figure,
    Split,
    Tally,
    change,
    figure,
    is_small,
    split,
    tally_of,
    withheld_parts,
)
from domain.leadership import (
    FIGURE_NAMES,
    Figures,
    ReviewOutcome,
    TourEnd,
    digest_week,
    figures_as_json,
    figures_from_json,
    review_outcome,
    tour_end,
    weeks_up_to,
)

NOW = datetime(2031, 3, 10, 9, tzinfo=UTC)


def people(count: int, first: int = 0) -> list[int]:
    return list(range(first, first + count))


def counted(**parts: list[int]) -> list[Counted]:
    return [Counted(person, part) for part, who in parts.items() for person in who]


def test_zero_is_shown_four_people_withheld_five_shown() -> None:
    assert (is_small([], 5), is_small(people(4), 5), is_small(people(5), 5)) == (False, True, False)
    assert figure([], 5) == Figure(0)
    assert figure(counted(x=people(4)), 5) == Figure(None)
    assert figure(counted(x=people(5)), 5) == Figure(5)
    assert figure(counted(x=[1, 1, 2, 2, 3, 3]), 3) == Figure(6)  # six items about three people


def test_a_withheld_total_withholds_every_part_even_an_empty_one() -> None:
    assert figure(counted(a=people(3)), 5, ["a", "b"]) == Figure(None, {"a": None, "b": None})


def withheld(parts: dict[str, list[int]], size: int = 5) -> frozenset[str]:
    _, by_part = tally_of(counted(**parts), size)
    return withheld_parts({part: by_part.get(part, Tally()) for part in parts}, size)


def test_a_small_part_takes_the_next_smallest_with_it() -> None:
    parts = {"a": people(3), "b": people(6, 10), "c": people(9, 20), "d": []}
    assert withheld(parts) == {"a", "b"}
    assert withheld({**parts, "a": people(5)}) == set()
    # Two small parts about five people together are enough on their own.
    assert withheld({"a": people(2), "b": people(3, 10), "c": people(9, 20)}) == {"a", "b"}
    # A person in two parts counts once: these two parts are about four people.
    assert withheld({"a": [1, 2], "b": [2, 3, 4], "c": people(9, 20)}) == {"a", "b", "c"}


@given(
    parts=st.dictionaries(
        st.sampled_from("abcde"), st.frozensets(st.integers(0, 20), max_size=10), min_size=1
    ),
    size=st.integers(1, 8),
)
def test_no_small_group_is_shown_or_found_by_subtracting_the_shown_parts(
    parts: dict[str, frozenset[int]], size: int
) -> None:
    shown = figure(counted(**{part: list(who) for part, who in parts.items()}), size, list(parts))
    if shown.value is None:
        assert is_small(set().union(*parts.values()), size)
        return
    hidden = [part for part, value in shown.by.items() if value is None]
    assert not any(is_small(parts[part], size) for part in parts if part not in hidden)
    assert not is_small(set().union(*(parts[part] for part in hidden)), size)
    if not any(is_small(who, size) for who in parts.values()):
        assert hidden == []


def test_shares_follow_the_figure_of_the_same_items() -> None:
    assert split([], 5, ["a", "b"]) == Split({})
    assert split(counted(a=people(6), b=people(2, 10)), 5, ["a", "b"]) == Split(
        {"a": None, "b": None}
    )
    assert split(counted(a=people(6), b=people(9, 10)), 5, ["a", "b", "c"]) == Split(
        {"a": 40.0, "b": 60.0, "c": 0.0}
    )


def test_a_change_is_unknown_where_either_side_is_withheld() -> None:
    now = Figure(12, {"a": 7, "b": None, "EUR": 5})
    assert change(now, None) == Change(None, {"a": None, "b": None, "EUR": None})
    assert change(now, Figure(None, {"a": None, "b": None})) == Change(
        None, {"a": None, "b": None, "EUR": None}
    )
    # A part the earlier figure did not have (a first expense in a currency) started at zero.
    assert change(now, Figure(10, {"a": 9, "b": 1})) == Change(2, {"a": -2, "b": None, "EUR": 5})


def test_the_digest_week_is_the_seven_days_before_now_keyed_by_the_week_it_begins_in() -> None:
    week = digest_week(NOW)
    assert (week.start, week.end, week.key) == (NOW - timedelta(days=7), NOW, "2031-W10")
    assert week.contains(NOW - timedelta(days=7)) and not week.contains(NOW)
    assert digest_week(datetime(2027, 1, 4, 9, tzinfo=UTC)).key == "2026-W53"
    weeks = weeks_up_to(NOW, 12)
    assert len(weeks) == 12 and weeks[-1] == week
    assert all(earlier.end == later.start for earlier, later in pairwise(weeks))
    with pytest.raises(ValueError):
        digest_week(datetime(2031, 3, 10, 9))


@pytest.mark.parametrize(
    ("answered", "escalated", "closed", "outcome"),
    [
        (True, False, False, ReviewOutcome.ON_TIME),
        (True, False, True, ReviewOutcome.ON_TIME),
        (True, True, True, ReviewOutcome.LATE),
        (False, True, False, ReviewOutcome.OVERDUE),
        (False, False, True, ReviewOutcome.OVERDUE),
        (False, False, False, None),
    ],
)
def test_review_outcomes(
    answered: bool, escalated: bool, closed: bool, outcome: ReviewOutcome | None
) -> None:
    assert review_outcome(answered=answered, escalated=escalated, closed=closed) == outcome


def test_tour_ends_within_90_days_and_past_the_end() -> None:
    today = date(2031, 3, 9)  # 10 March 09:00 UTC: 9 March is not over at UTC-12 yet

    def state(days: int, decided: bool = False) -> TourEnd | None:
        return tour_end(today + timedelta(days=days), decided=decided, now=NOW)

    assert (state(0), state(90), state(91)) == (TourEnd.UNDECIDED, TourEnd.UNDECIDED, None)
    assert state(30, decided=True) is TourEnd.DECIDED
    assert (state(-1), state(-1, decided=True)) == (TourEnd.PAST_END_UNDECIDED, None)


def test_figures_are_stored_as_counts_and_read_back() -> None:
    named = {name: Figure(index) for index, name in enumerate(FIGURE_NAMES)}
    named["active_tours"] = Figure(7, {"rotational": None, "foundational": None})
    figures = Figures("T1", digest_week(NOW), 5, **named)
    stored = figures_as_json(figures)
    assert stored["active_tours"] == {
        "value": 7,
        "withheld": False,
        "by": {"rotational": None, "foundational": None},
    }
    again = figures_from_json(stored, team_id="T1", period=digest_week(NOW), min_group_size=5)
    assert again == figures
    del stored["budget_used"]  # stored before the figure existed
    older = figures_from_json(stored, team_id="T1", period=digest_week(NOW), min_group_size=5)
    assert older.budget_used == Figure(None)
