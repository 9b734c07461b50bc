"""The tour-end conversation: what the two sides decide, and the next tour they plan from it."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta
from enum import StrEnum

from domain.tours import TourDraft

REMIND_LATER = timedelta(days=7)
_LEAD = re.compile(r"d(?P<days>\d+)")


class EndDecision(StrEnum):
    NEW_TOUR = "new_tour"
    TRANSITION = "transition"

    @property
    def label(self) -> str:
        return "plan a new tour" if self is EndDecision.NEW_TOUR else "discuss a transition"


class EndReason(StrEnum):
    """Why a tour ended: what was decided, a follow-on tour that began, or its manager's
    closing it when the org chart moved the employee to someone else."""

    NEW_TOUR = "new_tour"
    TRANSITION = "transition"
    UNDECIDED = "undecided"
    NEW_MANAGER = "new_manager"


def lead_occurrence(lead_days: int) -> str:
    """The outbox occurrence of a lead-time prompt: "d90" for 90 days before the end."""
    return f"d{lead_days}"


def lead_of(occurrence: str) -> int | None:
    """The lead days of a lead-time prompt's occurrence; None for any other prompt."""
    match = _LEAD.fullmatch(occurrence)
    return int(match["days"]) if match else None


def follow_on_draft(previous: TourDraft, previous_end: date) -> TourDraft:
    """The next tour's form, prefilled: same kind and cadence, starting the day after the end and
    lasting as long; the mission and what success means are the pair's to write afresh."""
    assert previous.start_date is not None and previous.end_date is not None
    start = previous_end + timedelta(days=1)
    return replace(
        previous,
        objective="",
        success_company="",
        success_employee="",
        start_date=start,
        end_date=start + (previous.end_date - previous.start_date),
    )
