"""Reading `/alliance away` as people type it."""

from __future__ import annotations

from datetime import date

import pytest

from domain.away import AwayProblem, AwayUntil, BackNow, ShowAway, parse_away

TODAY = date(2026, 11, 30)


@pytest.mark.parametrize(
    ("typed", "last_day"),
    [
        ("until 2027-01-04", date(2027, 1, 4)),
        ("until 4 Jan", date(2027, 1, 4)),
        ("until 4th January", date(2027, 1, 4)),
        ("until Jan 4", date(2027, 1, 4)),
        ("until jan. 4, 2027", date(2027, 1, 4)),
        ("Until 12 December", date(2026, 12, 12)),
        ("until 30 nov", TODAY),  # today: away for the rest of the day
        ("until 29 Nov", date(2027, 11, 29)),  # without a year, the next such day
    ],
)
def test_the_last_day_is_read_however_it_is_typed(typed: str, last_day: date) -> None:
    assert parse_away(typed, TODAY) == AwayUntil(last_day)


@pytest.mark.parametrize("typed", ["back", "off", " Back "])
def test_back_ends_the_away_period(typed: str) -> None:
    assert parse_away(typed, TODAY) == BackNow()


def test_no_words_asks_for_the_current_state() -> None:
    assert parse_away("   ", TODAY) == ShowAway()


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("next week", "Tell me the last day you're away"),
        ("until soon", "I couldn't read 'soon' as a day"),
        ("until 31 Feb", "is not a day in the calendar"),
        ("until 2026-11-29", "has passed"),
        ("until 2028-01-01", "more than a year"),
        ("until 4 ja", "I couldn't read"),
    ],
)
def test_what_cannot_be_allowed_says_how_to_put_it_right(typed: str, says: str) -> None:
    with pytest.raises(AwayProblem) as problem:
        parse_away(typed, TODAY)
    assert says in str(problem.value)
