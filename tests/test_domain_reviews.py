"""Alignment review answers: labels, perception gaps, text limits, and review dates."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from domain.reviews import (
    LEARNED_MAX,
    TO_ADDRESS_MAX,
    GapKind,
    PerceptionGaps,
    Progress,
    QuickAnswers,
    closing_date,
    gaps_raised,
    is_alignment_score,
    local_date,
    perception_gaps,
    start_of_local_day,
    text_problems,
)


def test_progress_labels_read_as_people_say_them() -> None:
    assert [p.label for p in Progress] == ["On track", "At risk", "Off track"]


def test_the_same_answers_have_no_gap() -> None:
    same = QuickAnswers(Progress.ON_TRACK, 4)
    assert perception_gaps(same, same) == PerceptionGaps(progress=False, alignment=False)
    assert not perception_gaps(same, same).any


def test_different_progress_is_a_gap() -> None:
    gaps = perception_gaps(QuickAnswers(Progress.ON_TRACK, 4), QuickAnswers(Progress.AT_RISK, 4))
    assert gaps == PerceptionGaps(progress=True, alignment=False) and gaps.any


@pytest.mark.parametrize(
    ("employee", "manager", "gap"), [(4, 3, False), (3, 4, False), (4, 2, True), (1, 5, True)]
)
def test_alignment_two_or_more_apart_is_a_gap(employee: int, manager: int, gap: bool) -> None:
    gaps = perception_gaps(
        QuickAnswers(Progress.ON_TRACK, employee), QuickAnswers(Progress.ON_TRACK, manager)
    )
    assert gaps == PerceptionGaps(progress=False, alignment=gap)


def test_alignment_is_scored_one_to_five() -> None:
    assert [n for n in range(-1, 8) if is_alignment_score(n)] == [1, 2, 3, 4, 5]


def test_text_answers_are_limited() -> None:
    assert text_problems("x" * TO_ADDRESS_MAX, "y" * LEARNED_MAX) == {}
    assert set(text_problems("x" * (TO_ADDRESS_MAX + 1), "")) == {"to_address"}
    assert set(text_problems("", "y" * (LEARNED_MAX + 1))) == {"learned"}


def test_a_review_closes_when_the_next_falls_due() -> None:
    assert closing_date(date(2026, 3, 2), 4) == date(2026, 3, 30)


def test_local_dates_follow_the_persons_zone() -> None:
    instant = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)
    assert local_date(instant, "Europe/Madrid") == date(2026, 3, 2)
    assert local_date(instant, "America/Los_Angeles") == date(2026, 3, 1)
    assert start_of_local_day(date(2026, 3, 2), "Europe/Madrid") == datetime(
        2026, 3, 1, 23, tzinfo=UTC
    )
    assert start_of_local_day(date(2026, 3, 2), None) == datetime(2026, 3, 2, tzinfo=UTC)


def test_an_answered_review_raises_its_perception_gaps_and_what_to_address() -> None:
    assert gaps_raised(PerceptionGaps(progress=True, alignment=False), "  Fewer meetings ") == [
        (GapKind.PROGRESS, None),
        (GapKind.NAMED, "Fewer meetings"),
    ]
    assert gaps_raised(PerceptionGaps(progress=False, alignment=True), "   ") == [
        (GapKind.ALIGNMENT, None)
    ]
    assert gaps_raised(PerceptionGaps(progress=False, alignment=False), "") == []
