"""When the weekly leadership digest is due: a day and a time in a time zone, caught up for a day
after the bot was down, and never twice for the same week."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from domain.digest_schedule import DigestSchedule


def test_schedules_are_read_as_people_write_them() -> None:
    assert DigestSchedule.parse("Mon 09:00") == DigestSchedule(0, time(9), "UTC")
    assert DigestSchedule.parse(" friday 16:30 Europe/Paris ") == DigestSchedule(
        4, time(16, 30), "Europe/Paris"
    )
    assert DigestSchedule.parse("OFF") is None
    assert str(DigestSchedule.parse("thu 7:05 Asia/Tokyo")) == "Thu 07:05 Asia/Tokyo"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("weekly", "looks like"),
        ("Funday 09:00", "not a day of the week"),
        ("Mon 25:00", "not a time of day"),
        ("Mon 09:00 Mars/Olympus", "not a time zone"),
    ],
)
def test_a_wrong_schedule_says_what_is_wrong(text: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        DigestSchedule.parse(text)


def test_the_latest_moment_is_this_weeks_or_last_weeks() -> None:
    monday_nine = DigestSchedule(0, time(9))
    assert monday_nine.latest(datetime(2031, 3, 10, 9, tzinfo=UTC)) == datetime(
        2031, 3, 10, 9, tzinfo=UTC
    )
    assert monday_nine.latest(datetime(2031, 3, 10, 8, 59, tzinfo=UTC)) == datetime(
        2031, 3, 3, 9, tzinfo=UTC
    )
    assert monday_nine.latest(datetime(2031, 3, 15, 12, tzinfo=UTC)) == datetime(
        2031, 3, 10, 9, tzinfo=UTC
    )


def test_the_time_is_the_zones_own_across_a_clock_change() -> None:
    paris = DigestSchedule(0, time(9), "Europe/Paris")
    # Winter: 09:00 in Paris is 08:00 UTC; after the clocks go forward on 30 March, 07:00 UTC.
    assert paris.latest(datetime(2031, 3, 24, 12, tzinfo=UTC)) == datetime(
        2031, 3, 24, 8, tzinfo=UTC
    )
    assert paris.latest(datetime(2031, 3, 31, 12, tzinfo=UTC)) == datetime(
        2031, 3, 31, 7, tzinfo=UTC
    )


def test_a_digest_missed_by_more_than_a_day_waits_for_next_week() -> None:
    monday_nine = DigestSchedule(0, time(9))
    moment = datetime(2031, 3, 10, 9, tzinfo=UTC)
    assert monday_nine.due(datetime(2031, 3, 11, 9, tzinfo=UTC)) == moment
    assert monday_nine.due(datetime(2031, 3, 11, 9, 1, tzinfo=UTC)) is None
