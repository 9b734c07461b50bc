"""The next tour's prefilled form, and how lead-time prompts are named in the outbox."""

from __future__ import annotations

from datetime import date

from domain.tour_end import follow_on_draft, lead_occurrence, lead_of
from domain.tours import TourDraft, TourType


def test_the_next_tour_starts_after_this_one_and_lasts_as_long() -> None:
    previous = TourDraft(
        TourType.ROTATIONAL,
        "Learn the ropes",
        date(2026, 1, 1),
        date(2026, 12, 31),
        "Knows every team",
        "Has a mentor",
        6,
    )
    draft = follow_on_draft(previous, date(2026, 12, 31))
    assert (draft.tour_type, draft.cadence_weeks) == (TourType.ROTATIONAL, 6)
    assert (draft.start_date, draft.end_date) == (date(2027, 1, 1), date(2027, 12, 31))
    assert (draft.objective, draft.success_company, draft.success_employee) == ("", "", "")


def test_lead_time_occurrences_read_back() -> None:
    assert lead_occurrence(90) == "d90"
    assert lead_of("d90") == 90
    assert lead_of("later@20270101T090000") is None
