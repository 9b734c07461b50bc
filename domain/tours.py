"""Tours of duty: the three kinds, what a valid statement is, and how two sides agree one."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum


class TourType(StrEnum):
    ROTATIONAL = "rotational"
    TRANSFORMATIONAL = "transformational"
    FOUNDATIONAL = "foundational"

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def explanation(self) -> str:
        return _EXPLANATIONS[self]

    @property
    def in_short(self) -> str:
        return _IN_SHORT[self]

    @classmethod
    def from_text(cls, text: str) -> TourType:
        """A type from its name, its first letters, or its number in the list (1, 2, 3)."""
        word = text.strip().lower()
        for number, tour_type in enumerate(cls, start=1):
            if word == str(number) or (len(word) >= 3 and tour_type.value.startswith(word)):
                return tour_type
        raise ValueError("Please answer rotational, transformational or foundational (or 1, 2, 3).")


_EXPLANATIONS = {
    TourType.ROTATIONAL: (
        "A structured, fairly standard stint, often for people early in their career, that "
        "teaches how the company works; usually one to two years."
    ),
    TourType.TRANSFORMATIONAL: (
        "A personalised mission that transforms both the person's career and the company, with "
        "a concrete objective; typically two to five years."
    ),
    TourType.FOUNDATIONAL: (
        "A long-term commitment from someone whose life's mission has become the company's; "
        "the company is their foundation and they are one of its foundations."
    ),
}


_IN_SHORT = {
    TourType.ROTATIONAL: "Learn how the company works; usually 1 to 2 years.",
    TourType.TRANSFORMATIONAL: "A personal mission that transforms career and company.",
    TourType.FOUNDATIONAL: "A long-term commitment: their mission is the company's.",
}


class TourStatus(StrEnum):
    PROPOSED = "proposed"
    AGREED = "agreed"
    ACTIVE = "active"
    ENDED = "ended"
    WITHDRAWN = "withdrawn"


OPEN_STATUSES = (TourStatus.PROPOSED, TourStatus.AGREED, TourStatus.ACTIVE)


class Side(StrEnum):
    EMPLOYEE = "employee"
    MANAGER = "manager"

    @property
    def other(self) -> Side:
        return Side.MANAGER if self is Side.EMPLOYEE else Side.EMPLOYEE


class VersionSource(StrEnum):
    FORM = "form"
    GUIDED = "guided"
    SUGGEST = "suggest"
    SUCCESS_CHAT = "success_chat"


CADENCES_WEEKS = (2, 4, 6, 12)
DEFAULT_CADENCE_WEEKS = 4
MIN_MONTHS, MAX_YEARS = 1, 10
OBJECTIVE_MAX = 1000
SUCCESS_MAX = 1500


@dataclass(frozen=True)
class TourDraft:
    """A statement as typed into the form or the guided conversation, before it is checked."""

    tour_type: TourType | None
    objective: str
    start_date: date | None
    end_date: date | None
    success_company: str
    success_employee: str
    cadence_weeks: int = DEFAULT_CADENCE_WEEKS


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it is shorter."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def draft_problems(draft: TourDraft) -> dict[str, str]:
    """Every problem with the draft, keyed by field name; empty when it is a valid statement."""
    problems: dict[str, str] = {}
    if draft.tour_type is None:
        problems["tour_type"] = "Choose the kind of tour."
    for name, text, limit in (
        ("objective", draft.objective, OBJECTIVE_MAX),
        ("success_company", draft.success_company, SUCCESS_MAX),
        ("success_employee", draft.success_employee, SUCCESS_MAX),
    ):
        if not text.strip():
            problems[name] = "Please fill this in."
        elif len(text) > limit:
            problems[name] = f"Please keep this under {limit} characters (it has {len(text)})."
    if draft.start_date is None:
        problems["start_date"] = "Pick a start date."
    if draft.end_date is None:
        problems["end_date"] = "Pick an expected end date."
    if draft.start_date and draft.end_date:
        problem = _length_problem(draft.start_date, draft.end_date)
        if problem:
            problems["end_date"] = problem
    if draft.cadence_weeks not in CADENCES_WEEKS:
        problems["cadence_weeks"] = "Choose every 2, 4, 6 or 12 weeks."
    return problems


def _length_problem(start: date, end: date) -> str | None:
    if end <= start:
        return "The end must come after the start."
    if end < add_months(start, MIN_MONTHS):
        return "A tour lasts at least a month."
    if end > add_months(start, 12 * MAX_YEARS):
        return "A tour lasts at most 10 years; agree a shorter one and renew it."
    return None


def employee_problem(*, is_bot: bool, deleted: bool, is_manager: bool) -> str | None:
    """Why this person cannot be offered a tour, if they cannot."""
    if is_manager:
        return "You can't propose a tour to yourself; choose one of your reports."
    if is_bot:
        return "That's an app, not a person."
    if deleted:
        return "That account is deactivated."
    return None


def elapsed_fraction(start: date, end: date, today: date) -> float:
    """How much of the tour has passed, from 0 to 1."""
    total = (end - start).days
    return 0.0 if total <= 0 else min(1.0, max(0.0, (today - start).days / total))


def progress_bar(fraction: float, width: int = 10) -> str:
    filled = round(fraction * width)
    return "▰" * filled + "▱" * (width - filled)


def first_review_date(start: date, cadence_weeks: int, today: date) -> date:
    """The first review on the cadence that falls today or later."""
    step = timedelta(weeks=cadence_weeks)
    review = start + step
    if review < today:
        steps_behind = -(-(today - review).days // step.days)  # rounded up: today counts
        review += step * steps_behind
    return review


def may_read_statement(
    viewer_user_id: str, *, employee_user_id: str, manager_user_id: str, viewer_is_admin: bool
) -> bool:
    """A statement and its history: the employee, their manager, and admins; nobody else."""
    return viewer_is_admin or viewer_user_id in (employee_user_id, manager_user_id)
