"""When prompts are due and when they may be delivered, with the clock in the test's hands."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.schedule import (
    DEFAULT_LEAD_DAYS,
    ESCALATE_AFTER,
    REMINDER_AFTER,
    Nudge,
    SnoozeChoice,
    WorkingHours,
    earliest_local_date,
    end_prompt_dates,
    is_past_end_without_decision,
    is_working_time,
    latest_local_date,
    local_label,
    next_delivery_time,
    next_end_prompt,
    next_nudge,
    next_review_on,
    shift_past_away,
)

OFFICE = WorkingHours()
BERLIN, NEW_YORK = "Europe/Berlin", "America/New_York"
KIRITIMATI, PAGO_PAGO = "Pacific/Kiritimati", "Pacific/Pago_Pago"


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def local(tz: str, year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A wall-clock time in `tz` as a UTC instant (the first, should the clock read it twice)."""
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(tz)).astimezone(UTC)


# --- working hours ----------------------------------------------------------------------------


def test_default_hours_are_monday_to_friday_nine_to_five() -> None:
    assert WorkingHours(frozenset({0, 1, 2, 3, 4}), time(9), time(17)) == OFFICE
    assert str(OFFICE) == "Mon-Fri 09:00-17:00"


def test_parse_reads_days_and_hours() -> None:
    assert WorkingHours.parse("Mon-Fri 09:00-17:00") == OFFICE


def test_parse_wraps_a_range_past_sunday() -> None:
    hours = WorkingHours.parse("Sun-Thu 08:30-16:30")
    assert hours == WorkingHours(frozenset({6, 0, 1, 2, 3}), time(8, 30), time(16, 30))
    assert str(hours) == "Sun-Thu 08:30-16:30"


def test_parse_takes_lists_full_names_any_case_and_loose_spacing() -> None:
    hours = WorkingHours.parse("  monday, WED ,Friday   8:00 \N{EN DASH} 12:15 ")
    assert hours == WorkingHours(frozenset({0, 2, 4}), time(8), time(12, 15))
    assert str(hours) == "Mon,Wed,Fri 08:00-12:15"


def test_parse_takes_longer_day_abbreviations() -> None:
    assert WorkingHours.parse("Tues-Thurs 10:00-11:00").days == frozenset({1, 2, 3})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "look like"),
        ("Mon-Fri", "look like"),
        ("09:00-17:00", "look like"),
        ("Mon-Fri 9-17", "look like"),
        ("Mon-Fri 09:00 to 17:00", "look like"),
        ("Fro-Mon 09:00-17:00", "'Fro' is not a day"),
        ("Mo-Fr 09:00-17:00", "'Mo' is not a day"),
        ("Mon,,Fri 09:00-17:00", "'' is not a day"),
        ("Mon-Wed-Fri 09:00-17:00", "range of days"),
        ("Mon-Fri 25:00-26:00", "25:00 is not a time of day"),
        ("Mon-Fri 09:60-17:00", "09:60 is not a time of day"),
        ("Mon-Fri 17:00-09:00", "end after they start"),
        ("Mon-Fri 09:00-09:00", "end after they start"),
    ],
)
def test_parse_explains_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        WorkingHours.parse(text)


def test_hours_need_a_day_of_the_week() -> None:
    with pytest.raises(ValueError, match="at least one day"):
        WorkingHours(days=frozenset())
    with pytest.raises(ValueError, match="at least one day"):
        WorkingHours(days=frozenset({7}))


def test_the_end_of_the_day_is_outside_working_hours() -> None:
    assert OFFICE.contains(datetime(2026, 3, 9, 16, 59))
    assert not OFFICE.contains(datetime(2026, 3, 9, 17, 0))
    assert OFFICE.contains(datetime(2026, 3, 9, 9, 0))
    assert not OFFICE.contains(datetime(2026, 3, 7, 10, 0))


hours_strategy = st.builds(
    lambda days, first, length: WorkingHours(
        frozenset(days),
        time(first // 60, first % 60),
        time(min(first + length, 1439) // 60, min(first + length, 1439) % 60),
    ),
    st.sets(st.integers(0, 6), min_size=1),
    st.integers(0, 1438),
    st.integers(1, 1439),
)


@given(hours_strategy)
def test_hours_written_out_read_back_the_same(hours: WorkingHours) -> None:
    assert WorkingHours.parse(str(hours)) == hours


# --- delivery time ----------------------------------------------------------------------------


def test_inside_working_hours_delivers_now() -> None:
    now = local(BERLIN, 2026, 3, 10, 11, 17) + timedelta(seconds=5)
    assert next_delivery_time(now, BERLIN, OFFICE) == now


def test_friday_evening_waits_for_monday_morning_local_time() -> None:
    friday_evening = local(BERLIN, 2026, 3, 13, 18)
    assert next_delivery_time(friday_evening, BERLIN, OFFICE) == local(BERLIN, 2026, 3, 16, 9)


def test_early_morning_waits_for_the_start_of_the_same_day() -> None:
    dawn = local(NEW_YORK, 2026, 3, 11, 6, 45)
    assert next_delivery_time(dawn, NEW_YORK, OFFICE) == local(NEW_YORK, 2026, 3, 11, 9)


def test_the_end_of_the_day_waits_for_the_next_morning() -> None:
    closing = local(BERLIN, 2026, 3, 10, 17)
    assert next_delivery_time(closing, BERLIN, OFFICE) == local(BERLIN, 2026, 3, 11, 9)


@pytest.mark.parametrize("weekend_day", [14, 15])
def test_the_weekend_waits_for_monday(weekend_day: int) -> None:
    weekend = local(BERLIN, 2026, 3, weekend_day, 12)
    assert next_delivery_time(weekend, BERLIN, OFFICE) == local(BERLIN, 2026, 3, 16, 9)


def test_the_answer_is_in_utc_whatever_zone_now_is_given_in() -> None:
    now = datetime(2026, 3, 13, 18, tzinfo=ZoneInfo(BERLIN))
    found = next_delivery_time(now, BERLIN, OFFICE)
    assert found.tzinfo is UTC
    assert found == utc(2026, 3, 16, 8)


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        next_delivery_time(datetime(2026, 3, 13, 18), BERLIN, OFFICE)


def test_across_berlin_spring_forward_monday_nine_is_an_hour_earlier_in_utc() -> None:
    # Clocks go from 02:00 CET to 03:00 CEST on Sunday 29 March 2026.
    friday_evening = local(BERLIN, 2026, 3, 27, 18)
    assert friday_evening == utc(2026, 3, 27, 17)
    assert next_delivery_time(friday_evening, BERLIN, OFFICE) == utc(2026, 3, 30, 7)


def test_across_berlin_fall_back_monday_nine_is_an_hour_later_in_utc() -> None:
    # Clocks go from 03:00 CEST back to 02:00 CET on Sunday 25 October 2026.
    friday_evening = local(BERLIN, 2026, 10, 23, 18)
    assert friday_evening == utc(2026, 10, 23, 16)
    assert next_delivery_time(friday_evening, BERLIN, OFFICE) == utc(2026, 10, 26, 8)


def test_across_new_york_spring_forward() -> None:
    # Clocks go from 02:00 EST to 03:00 EDT on Sunday 8 March 2026.
    friday_evening = local(NEW_YORK, 2026, 3, 6, 18)
    assert friday_evening == utc(2026, 3, 6, 23)
    assert next_delivery_time(friday_evening, NEW_YORK, OFFICE) == utc(2026, 3, 9, 13)


def test_across_new_york_fall_back() -> None:
    # Clocks go from 02:00 EDT back to 01:00 EST on Sunday 1 November 2026.
    friday_evening = local(NEW_YORK, 2026, 10, 30, 18)
    assert friday_evening == utc(2026, 10, 30, 22)
    assert next_delivery_time(friday_evening, NEW_YORK, OFFICE) == utc(2026, 11, 2, 14)


def test_a_start_skipped_by_spring_forward_moves_to_the_end_of_the_gap_in_berlin() -> None:
    early_sunday = WorkingHours.parse("Sun 02:30-17:00")
    found = next_delivery_time(utc(2026, 3, 29, 0), BERLIN, early_sunday)
    assert found == utc(2026, 3, 29, 1)
    assert local_label(found, BERLIN) == "Sun 29 Mar, 03:00 (Europe/Berlin)"


def test_a_start_skipped_by_spring_forward_moves_to_the_end_of_the_gap_in_new_york() -> None:
    early_sunday = WorkingHours.parse("Sun 02:30-17:00")
    found = next_delivery_time(utc(2026, 3, 8, 6), NEW_YORK, early_sunday)
    assert found == utc(2026, 3, 8, 7)
    assert local_label(found, NEW_YORK) == "Sun 8 Mar, 03:00 (America/New_York)"


def test_a_start_repeated_by_fall_back_is_taken_the_first_time_in_berlin() -> None:
    early_sunday = WorkingHours.parse("Sun 02:30-17:00")
    found = next_delivery_time(utc(2026, 10, 25, 0), BERLIN, early_sunday)
    assert found == utc(2026, 10, 25, 0, 30)  # 02:30 CEST, not 02:30 CET an hour later


def test_a_start_repeated_by_fall_back_is_taken_the_first_time_in_new_york() -> None:
    early_sunday = WorkingHours.parse("Sun 01:30-17:00")
    found = next_delivery_time(utc(2026, 11, 1, 4), NEW_YORK, early_sunday)
    assert found == utc(2026, 11, 1, 5, 30)  # 01:30 EDT, not 01:30 EST an hour later


def test_a_clock_set_back_before_the_start_waits_for_it_to_read_the_start_again() -> None:
    early_sunday = WorkingHours.parse("Sun 02:30-17:00")
    second_pass = utc(2026, 10, 25, 1, 10)  # the clock reads 02:10 for the second time
    assert next_delivery_time(second_pass, BERLIN, early_sunday) == utc(2026, 10, 25, 1, 30)


def test_a_clock_set_back_into_working_hours_delivers_at_the_change() -> None:
    night_shift = WorkingHours.parse("Sun 00:00-02:30")
    after_hours = utc(2026, 10, 25, 0, 45)  # 02:45 CEST; at 01:00 UTC the clock reads 02:00 CET
    assert next_delivery_time(after_hours, BERLIN, night_shift) == utc(2026, 10, 25, 1)


def test_the_same_instant_is_saturday_in_kiritimati_and_friday_in_pago_pago() -> None:
    friday_evening_utc = utc(2026, 3, 6, 20)
    assert local_label(friday_evening_utc, KIRITIMATI) == "Sat 7 Mar, 10:00 (Pacific/Kiritimati)"
    assert local_label(friday_evening_utc, PAGO_PAGO) == "Fri 6 Mar, 09:00 (Pacific/Pago_Pago)"


def test_kiritimati_saturday_waits_for_its_monday_which_is_sunday_in_utc() -> None:
    found = next_delivery_time(utc(2026, 3, 6, 20), KIRITIMATI, OFFICE)
    assert found == utc(2026, 3, 8, 19)
    assert local_label(found, KIRITIMATI) == "Mon 9 Mar, 09:00 (Pacific/Kiritimati)"


def test_pago_pago_friday_morning_delivers_at_once() -> None:
    now = utc(2026, 3, 6, 20)
    assert next_delivery_time(now, PAGO_PAGO, OFFICE) == now


def test_monday_in_utc_is_tuesday_in_kiritimati_and_sunday_in_pago_pago() -> None:
    monday_ten_utc = utc(2026, 3, 9, 10)
    kiritimati = next_delivery_time(monday_ten_utc, KIRITIMATI, OFFICE)
    pago_pago = next_delivery_time(monday_ten_utc, PAGO_PAGO, OFFICE)
    assert local_label(monday_ten_utc, KIRITIMATI) == "Tue 10 Mar, 00:00 (Pacific/Kiritimati)"
    assert local_label(monday_ten_utc, PAGO_PAGO) == "Sun 8 Mar, 23:00 (Pacific/Pago_Pago)"
    assert kiritimati == utc(2026, 3, 9, 19)  # Tuesday 09:00 there
    assert pago_pago == utc(2026, 3, 9, 20)  # Monday 09:00 there, an hour later


@pytest.mark.parametrize("tz_name", [None, "", "Mars/Olympus_Mons", "America", "../etc/passwd"])
def test_a_missing_or_unknown_zone_falls_back_to_the_default(tz_name: str | None) -> None:
    saturday = utc(2026, 3, 7, 12)
    assert next_delivery_time(saturday, tz_name, OFFICE) == utc(2026, 3, 9, 9)
    berlin_monday = next_delivery_time(saturday, tz_name, OFFICE, default_tz=BERLIN)
    assert berlin_monday == utc(2026, 3, 9, 8)
    assert local_label(berlin_monday, tz_name) == "Mon 9 Mar, 08:00 (UTC)"


def test_sunday_to_thursday_hours_deliver_on_sunday() -> None:
    sun_thu = WorkingHours.parse("Sun-Thu 08:30-16:30")
    friday = local("Asia/Jerusalem", 2026, 3, 6, 10)
    assert next_delivery_time(friday, "Asia/Jerusalem", sun_thu) == utc(2026, 3, 8, 6, 30)
    sunday = local("Asia/Jerusalem", 2026, 3, 8, 12)
    assert next_delivery_time(sunday, "Asia/Jerusalem", sun_thu) == sunday


def test_is_working_time_reads_the_local_clock() -> None:
    assert is_working_time(utc(2026, 3, 6, 20), PAGO_PAGO, OFFICE)
    assert not is_working_time(utc(2026, 3, 6, 20), KIRITIMATI, OFFICE)


def test_label_shows_summer_and_winter_time_in_the_recipients_zone() -> None:
    assert local_label(utc(2026, 3, 30, 7), BERLIN) == "Mon 30 Mar, 09:00 (Europe/Berlin)"
    assert local_label(utc(2026, 3, 9, 8), BERLIN) == "Mon 9 Mar, 09:00 (Europe/Berlin)"


ZONES = [
    "UTC",
    BERLIN,
    NEW_YORK,
    KIRITIMATI,
    PAGO_PAGO,
    "Pacific/Chatham",  # +12:45, with summer time
    "Australia/Lord_Howe",  # summer time of half an hour
    "Asia/Kathmandu",  # +05:45
    "America/St_Johns",  # -03:30, with summer time
    "America/Santiago",  # changes at midnight, in the southern summer
    "America/Havana",  # changes at midnight
    "Africa/Casablanca",  # stops summer time for Ramadan
    "Asia/Tehran",
]


def _offset(zone: ZoneInfo, instant: datetime) -> timedelta | None:
    return instant.astimezone(zone).utcoffset()


def _first_other_offset(zone: ZoneInfo, start: datetime, span: timedelta) -> datetime:
    """The first minute within the span after `start` where the offset is no longer start's."""
    return next(
        start + timedelta(minutes=m)
        for m in range(int(span / timedelta(minutes=1)) + 1)
        if _offset(zone, start + timedelta(minutes=m)) != _offset(zone, start)
    )


@cache
def _offset_changes_2026() -> list[tuple[str, datetime]]:
    """Every offset change of the zones above in 2026, to the minute, by plain scanning."""
    found = []
    for name in ZONES:
        zone = ZoneInfo(name)
        for day in range(365):
            before = utc(2026, 1, 1) + timedelta(days=day)
            if _offset(zone, before) != _offset(zone, before + timedelta(days=1)):
                found.append((name, _first_other_offset(zone, before, timedelta(days=1))))
    return found


def test_the_zones_tested_change_their_clocks_in_2026() -> None:
    changed = {name for name, _ in _offset_changes_2026()}
    assert {BERLIN, NEW_YORK, "America/Santiago", "America/Havana"} <= changed


any_instant = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2035, 12, 31), timezones=st.just(UTC)
)


@st.composite
def near_a_clock_change(draw: st.DrawFn) -> tuple[str, datetime]:
    name, change = draw(st.sampled_from(_offset_changes_2026()))
    return name, change + draw(st.timedeltas(timedelta(days=-3), timedelta(days=1)))


zone_and_instant = st.one_of(st.tuples(st.sampled_from(ZONES), any_instant), near_a_clock_change())


def _assert_earliest_working_instant(
    now: datetime, tz_name: str, hours: WorkingHours, found: datetime
) -> None:
    zone = ZoneInfo(tz_name)
    assert found >= now
    assert hours.contains(found.astimezone(zone))
    if found == now:
        return
    assert not hours.contains(now.astimezone(zone))
    # Working hours begin on whole local minutes and every offset here is whole minutes, so the
    # earliest working instant after `now` lies on the minute grid: step it up to the result.
    minute = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
    while minute < found:
        assert not hours.contains(minute.astimezone(zone)), f"{minute} works, before {found}"
        minute += timedelta(minutes=1)


@settings(max_examples=200, deadline=None)
@given(zone_and_instant)
def test_office_hours_delivery_is_the_earliest_working_instant(case: tuple[str, datetime]) -> None:
    tz_name, now = case
    found = next_delivery_time(now, tz_name, OFFICE)
    _assert_earliest_working_instant(now, tz_name, OFFICE, found)


@settings(max_examples=200, deadline=None)
@given(zone_and_instant, hours_strategy)
def test_any_hours_delivery_is_the_earliest_working_instant(
    case: tuple[str, datetime], hours: WorkingHours
) -> None:
    tz_name, now = case
    found = next_delivery_time(now, tz_name, hours)
    _assert_earliest_working_instant(now, tz_name, hours, found)


# --- review cadence and away periods ----------------------------------------------------------

TOUR_START = date(2026, 1, 5)


def test_the_first_review_is_one_cadence_after_the_start() -> None:
    assert next_review_on(TOUR_START, 4, TOUR_START) == date(2026, 2, 2)


def test_a_review_day_itself_looks_to_the_next_review() -> None:
    assert next_review_on(TOUR_START, 4, date(2026, 2, 2)) == date(2026, 3, 2)
    assert next_review_on(TOUR_START, 4, date(2026, 2, 1)) == date(2026, 2, 2)


def test_before_the_tour_starts_the_first_review_is_next() -> None:
    assert next_review_on(TOUR_START, 2, date(2025, 12, 1)) == date(2026, 1, 19)


@pytest.mark.parametrize("weeks", [2, 4, 6, 12])
def test_every_cadence_steps_in_whole_weeks(weeks: int) -> None:
    after = date(2026, 9, 1)
    review = next_review_on(TOUR_START, weeks, after)
    assert (review - TOUR_START).days % (7 * weeks) == 0
    assert review - timedelta(weeks=weeks) <= after < review


def test_a_cadence_under_a_week_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one week"):
        next_review_on(TOUR_START, 0, TOUR_START)


@given(
    st.dates(date(2020, 1, 1), date(2035, 12, 31)),
    st.sampled_from([1, 2, 4, 6, 12]),
    st.dates(date(2019, 1, 1), date(2040, 12, 31)),
)
def test_the_next_review_is_the_first_on_the_cadence_after_the_day(
    start: date, weeks: int, after: date
) -> None:
    review = next_review_on(start, weeks, after)
    previous = review - timedelta(weeks=weeks)
    assert review > after
    assert (review - start).days % (7 * weeks) == 0
    assert previous <= after or previous == start


def test_a_day_outside_every_away_period_stays() -> None:
    away = [(date(2026, 8, 3), date(2026, 8, 14))]
    assert shift_past_away(date(2026, 8, 2), away) == date(2026, 8, 2)
    assert shift_past_away(date(2026, 8, 15), away) == date(2026, 8, 15)


@pytest.mark.parametrize("due", [date(2026, 8, 3), date(2026, 8, 10), date(2026, 8, 14)])
def test_a_day_inside_an_away_period_moves_to_the_day_after_it(due: date) -> None:
    away = [(date(2026, 8, 3), date(2026, 8, 14))]
    assert shift_past_away(due, away) == date(2026, 8, 15)


def test_chained_away_periods_move_the_day_past_them_all_in_any_order() -> None:
    away = [
        (date(2026, 8, 22), date(2026, 8, 30)),  # overlaps the one before
        (date(2026, 8, 3), date(2026, 8, 14)),
        (date(2026, 8, 15), date(2026, 8, 24)),  # starts the day after the first ends
    ]
    assert shift_past_away(date(2026, 8, 5), away) == date(2026, 8, 31)


def test_a_free_day_between_away_periods_stops_the_shift() -> None:
    away = [(date(2026, 8, 3), date(2026, 8, 14)), (date(2026, 8, 16), date(2026, 8, 20))]
    assert shift_past_away(date(2026, 8, 5), away) == date(2026, 8, 15)


def test_no_away_periods_leaves_the_day() -> None:
    assert shift_past_away(date(2026, 8, 5), []) == date(2026, 8, 5)


away_periods = st.lists(
    st.tuples(st.dates(date(2026, 1, 1), date(2026, 3, 1)), st.integers(0, 20)).map(
        lambda pair: (pair[0], pair[0] + timedelta(days=pair[1]))
    ),
    max_size=8,
)


@given(st.dates(date(2025, 12, 1), date(2026, 3, 31)), away_periods)
def test_a_shifted_day_is_the_first_free_day_on_or_after_the_due_day(
    due: date, away: list[tuple[date, date]]
) -> None:
    def is_away(day: date) -> bool:
        return any(first <= day <= last for first, last in away)

    shifted = shift_past_away(due, away)
    assert shifted >= due and not is_away(shifted)
    assert all(is_away(due + timedelta(days=n)) for n in range((shifted - due).days))


# --- reminders, snooze and escalation ---------------------------------------------------------

PROMPTED = utc(2026, 3, 2, 9)


def days_after_prompt(days: float) -> datetime:
    return PROMPTED + timedelta(days=days)


def test_reminders_come_after_three_days_and_escalation_after_seven() -> None:
    assert timedelta(days=3) == REMINDER_AFTER
    assert timedelta(days=7) == ESCALATE_AFTER


def test_nothing_is_due_before_three_days_without_an_answer() -> None:
    assert next_nudge(PROMPTED, None, None, None, days_after_prompt(2.9)) == (
        None,
        days_after_prompt(3),
    )


def test_a_reminder_is_due_after_three_days_and_escalation_is_next() -> None:
    assert next_nudge(PROMPTED, None, None, None, days_after_prompt(3)) == (
        Nudge.REMINDER,
        days_after_prompt(7),
    )


def test_after_the_reminder_escalation_waits_for_the_seventh_day() -> None:
    reminded = days_after_prompt(3)
    assert next_nudge(PROMPTED, reminded, None, None, days_after_prompt(5)) == (
        None,
        days_after_prompt(7),
    )
    assert next_nudge(PROMPTED, reminded, None, None, days_after_prompt(7)) == (
        Nudge.ESCALATION,
        None,
    )


def test_after_escalation_nothing_more_is_due() -> None:
    sent = days_after_prompt(3), days_after_prompt(7)
    assert next_nudge(PROMPTED, *sent, None, days_after_prompt(30)) == (None, None)


def test_overdue_nudges_do_not_pile_up_the_reminder_goes_first() -> None:
    back_online = days_after_prompt(10)
    assert next_nudge(PROMPTED, None, None, None, back_online) == (
        Nudge.REMINDER,
        days_after_prompt(14),
    )


def test_a_late_reminder_pushes_escalation_back() -> None:
    late_reminder = days_after_prompt(5)
    assert next_nudge(PROMPTED, late_reminder, None, None, days_after_prompt(7)) == (
        None,
        days_after_prompt(9),
    )


def test_a_snooze_holds_the_reminder_until_three_days_after_it_ends() -> None:
    snoozed_until = SnoozeChoice.DAY.until(PROMPTED)
    assert next_nudge(PROMPTED, None, None, snoozed_until, days_after_prompt(3)) == (
        None,
        days_after_prompt(4),
    )
    assert (
        next_nudge(PROMPTED, None, None, snoozed_until, days_after_prompt(4))[0] is Nudge.REMINDER
    )


def test_snoozing_a_reminder_brings_another_reminder_later() -> None:
    reminded = days_after_prompt(3)
    snoozed_until = SnoozeChoice.DAY.until(reminded)
    assert next_nudge(PROMPTED, reminded, None, snoozed_until, days_after_prompt(6)) == (
        None,
        days_after_prompt(7),
    )
    assert next_nudge(PROMPTED, reminded, None, snoozed_until, days_after_prompt(7)) == (
        Nudge.REMINDER,
        days_after_prompt(11),
    )


def test_a_week_snooze_holds_escalation_too() -> None:
    reminded = days_after_prompt(3)
    snoozed_until = SnoozeChoice.WEEK.until(reminded)
    assert next_nudge(PROMPTED, reminded, None, snoozed_until, days_after_prompt(7)) == (
        None,
        days_after_prompt(13),
    )


def test_snooze_choices_last_a_day_and_a_week() -> None:
    assert SnoozeChoice.DAY.duration == timedelta(days=1)
    assert SnoozeChoice.WEEK.duration == timedelta(days=7)
    assert [choice.label for choice in SnoozeChoice] == ["1 day", "1 week"]
    assert SnoozeChoice("week") is SnoozeChoice.WEEK


optional_day_offset = st.none() | st.floats(0, 30)


@given(optional_day_offset, optional_day_offset, optional_day_offset, st.floats(0, 40))
def test_no_nudge_is_due_before_a_snooze_ends_and_the_next_is_always_later(
    reminded: float | None, escalated: float | None, snoozed: float | None, now_days: float
) -> None:
    def at(days: float | None) -> datetime | None:
        return None if days is None else days_after_prompt(days)

    now, snoozed_until = days_after_prompt(now_days), at(snoozed)
    nudge, next_due = next_nudge(PROMPTED, at(reminded), at(escalated), snoozed_until, now)
    if snoozed_until is not None and now < snoozed_until:
        assert nudge is None
    if next_due is not None:
        assert next_due > now
        assert snoozed_until is None or next_due > snoozed_until


# --- tour-end conversation --------------------------------------------------------------------

TOUR_END = date(2026, 12, 31)


def before_end(days: int) -> date:
    return TOUR_END - timedelta(days=days)


def test_end_prompts_fall_ninety_sixty_and_thirty_days_before_the_end() -> None:
    assert DEFAULT_LEAD_DAYS == (90, 60, 30)
    assert end_prompt_dates(TOUR_END) == [before_end(90), before_end(60), before_end(30)]


def test_end_prompt_leads_in_any_order_count_once() -> None:
    assert end_prompt_dates(TOUR_END, [30, 90, 30]) == [before_end(90), before_end(30)]


def test_a_negative_lead_is_refused() -> None:
    with pytest.raises(ValueError, match="0 or more"):
        end_prompt_dates(TOUR_END, [30, -1])


def test_before_the_first_lead_the_next_prompt_is_ninety_days_out() -> None:
    assert next_end_prompt(TOUR_END, before_end(120), DEFAULT_LEAD_DAYS, set(), False) == (
        90,
        before_end(90),
    )


def test_on_time_each_lead_is_due_on_its_day_in_turn() -> None:
    leads = DEFAULT_LEAD_DAYS
    assert next_end_prompt(TOUR_END, before_end(90), leads, set(), False) == (90, before_end(90))
    assert next_end_prompt(TOUR_END, before_end(89), leads, {90}, False) == (60, before_end(60))
    assert next_end_prompt(TOUR_END, before_end(60), leads, {90}, False) == (60, before_end(60))
    assert next_end_prompt(TOUR_END, before_end(45), leads, {90, 60}, False) == (
        30,
        before_end(30),
    )
    assert next_end_prompt(TOUR_END, before_end(10), leads, {90, 60, 30}, False) is None


def test_a_tour_agreed_late_gets_only_the_most_recent_missed_prompt() -> None:
    agreed = before_end(45)
    assert next_end_prompt(TOUR_END, agreed, DEFAULT_LEAD_DAYS, set(), False) == (
        60,
        before_end(60),
    )
    assert next_end_prompt(TOUR_END, agreed, DEFAULT_LEAD_DAYS, {60}, False) == (
        30,
        before_end(30),
    )


def test_a_tour_agreed_days_before_its_end_gets_one_prompt() -> None:
    agreed = before_end(10)
    assert next_end_prompt(TOUR_END, agreed, DEFAULT_LEAD_DAYS, set(), False) == (
        30,
        before_end(30),
    )
    assert next_end_prompt(TOUR_END, agreed, DEFAULT_LEAD_DAYS, {30}, False) is None


def test_once_decided_no_more_end_prompts() -> None:
    assert next_end_prompt(TOUR_END, before_end(70), DEFAULT_LEAD_DAYS, {90}, True) is None


def test_past_the_end_no_more_end_prompts() -> None:
    day_after = TOUR_END + timedelta(days=1)
    assert next_end_prompt(TOUR_END, day_after, DEFAULT_LEAD_DAYS, set(), False) is None


def test_a_tour_past_its_end_without_a_decision_is_flagged() -> None:
    day_after = TOUR_END + timedelta(days=1)
    assert is_past_end_without_decision(TOUR_END, day_after, decided=False)
    assert not is_past_end_without_decision(TOUR_END, day_after, decided=True)
    assert not is_past_end_without_decision(TOUR_END, TOUR_END, decided=False)


@given(
    st.integers(0, 200),
    st.sets(st.integers(0, 180), min_size=1, max_size=5),
)
def test_a_tour_run_day_by_day_gets_each_prompt_once_at_most_one_a_day(
    agreed_days_before_end: int, leads: set[int]
) -> None:
    sent: dict[int, date] = {}
    today = before_end(agreed_days_before_end)
    while today <= TOUR_END:
        due = next_end_prompt(TOUR_END, today, leads, set(sent), False)
        if due is not None and due[1] <= today:
            lead, _ = due
            assert lead not in sent
            sent[lead] = today
            assert next_end_prompt(TOUR_END, today, leads, set(sent), False) in (
                None,
                *((later, before_end(later)) for later in leads if later < lead),
            )
        today += timedelta(days=1)
    days_sent = list(sent.values())
    assert len(days_sent) == len(set(days_sent))
    ahead = [lead for lead in leads if lead < agreed_days_before_end]
    missed = [lead for lead in leads if lead >= agreed_days_before_end]
    assert sorted(sent) == sorted(ahead + ([min(missed)] if missed else []))
    assert all(sent[lead] == before_end(lead) for lead in ahead)
    if missed:
        assert sent[min(missed)] == before_end(agreed_days_before_end)


def test_the_dates_that_have_begun_and_ended_somewhere_on_earth() -> None:
    noon = datetime(2027, 3, 1, 12, tzinfo=UTC)
    assert (earliest_local_date(noon), latest_local_date(noon)) == (
        date(2027, 3, 1),
        date(2027, 3, 2),
    )
    just_before = datetime(2027, 3, 1, 11, 59, tzinfo=UTC)
    assert earliest_local_date(just_before) == date(2027, 2, 28)  # still the 28th at UTC-12
    assert latest_local_date(datetime(2027, 3, 1, 9, 59, tzinfo=UTC)) == date(2027, 3, 1)
