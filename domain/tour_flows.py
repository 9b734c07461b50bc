"""The two tour conversations: an employee's view of success, and a manager's guided proposal."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from domain.conversations import Flow, FlowName, Step
from domain.tours import (
    CADENCES_WEEKS,
    OBJECTIVE_MAX,
    SUCCESS_MAX,
    TourDraft,
    TourType,
    add_months,
    draft_problems,
)

SUCCESS_KEYS = ("knowledge", "skills", "accomplishments", "recognition")


def _text(limit: int) -> Any:
    def parse(text: str, _answers: dict[str, Any]) -> str:
        text = text.strip()
        if len(text) > limit:
            raise ValueError(f"Please keep it under {limit} characters (that was {len(text)}).")
        return text

    return parse


def parse_months(text: str, _answers: dict[str, Any]) -> int:
    """A length in months: "18", "18 months", "2 years"."""
    found = re.fullmatch(r"\s*(\d{1,3})\s*(months?|mo|years?|yrs?|y)?\s*", text.lower())
    if not found:
        raise ValueError("Please answer with a number of months or years, like 18 months.")
    months = int(found.group(1)) * (12 if (found.group(2) or "m").startswith("y") else 1)
    if not 1 <= months <= 120:
        raise ValueError("A tour lasts from 1 month to 10 years.")
    return months


def parse_date(text: str, _answers: dict[str, Any]) -> str:
    try:
        return date.fromisoformat(text.strip()).isoformat()
    except ValueError:
        raise ValueError("Please write the date as YYYY-MM-DD, like 2027-01-15.") from None


def parse_end(text: str, answers: dict[str, Any]) -> str:
    """An end date, or a length from the start ("18 months"); checked against the start."""
    start = date.fromisoformat(answers["start_date"])
    try:
        end = date.fromisoformat(text.strip())
    except ValueError:
        end = add_months(start, parse_months(text, answers))
    problem = draft_problems(_dates_only(start, end)).get("end_date")
    if problem:
        raise ValueError(problem)
    return end.isoformat()


def _dates_only(start: date, end: date) -> TourDraft:
    return TourDraft(TourType.ROTATIONAL, "x", start, end, "x", "x")


def parse_type(text: str, _answers: dict[str, Any]) -> str:
    return TourType.from_text(text).value


def parse_cadence(text: str, _answers: dict[str, Any]) -> int:
    digits = re.sub(r"\D", "", text)
    if not digits or int(digits) not in CADENCES_WEEKS:
        raise ValueError("Please choose 2, 4, 6 or 12 (weeks between alignment reviews).")
    return int(digits)


TOUR_SUCCESS_FLOW = Flow(
    FlowName.TOUR_SUCCESS,
    (
        Step(
            "knowledge",
            "What do you want to *know* by the end of this tour that you don't now?",
            "How our payments platform works end to end",
            _text(300),
        ),
        Step(
            "skills",
            "Which *skills* do you want to have built?",
            "Leading a small team; writing design docs others build from",
            _text(300),
        ),
        Step(
            "accomplishments",
            "What do you want to have *accomplished*?",
            "Shipped the new onboarding flow to every customer",
            _text(300),
        ),
        Step(
            "recognition",
            "What *recognition* would tell you it went well?",
            "Speaking about it at an industry conference",
            _text(300),
        ),
        Step(
            "months",
            "How long do you expect the tour to take, in months?",
            "18 months",
            parse_months,
            required=True,
        ),
    ),
)

TOUR_GUIDED_FLOW = Flow(
    FlowName.TOUR_GUIDED,
    (
        Step(
            "tour_type",
            "Which kind of tour is it? *1. Rotational*: learn how the company works, "
            "usually 1 to 2 years. *2. Transformational*: a personal mission that transforms "
            "their career and the company. *3. Foundational*: a long-term commitment.",
            "2",
            parse_type,
            required=True,
        ),
        Step(
            "objective",
            "What is the *mission objective*? One or two sentences.",
            "Take our checkout from 3 steps to 1 and lift conversion by 5%",
            _text(OBJECTIVE_MAX),
            required=True,
        ),
        Step(
            "start_date",
            "When does it *start*? (YYYY-MM-DD)",
            "2027-01-04",
            parse_date,
            required=True,
        ),
        Step(
            "end_date",
            "When do you expect it to *end*? A date, or a length such as 18 months.",
            "18 months",
            parse_end,
            required=True,
        ),
        Step(
            "success_company",
            "What does *success look like for the company*?",
            "Checkout conversion up 5%, and a team that can run it without us",
            _text(SUCCESS_MAX),
            required=True,
        ),
        Step(
            "success_employee",
            "What does *success look like for them*?",
            "Leads a cross-team project; known as our checkout expert",
            _text(SUCCESS_MAX),
            required=True,
        ),
        Step(
            "cadence_weeks",
            "How often should you hold an *alignment review*? Every 2, 4, 6 or 12 weeks.",
            "4",
            parse_cadence,
            required=True,
        ),
    ),
)


def guided_draft(answers: dict[str, Any]) -> TourDraft:
    return TourDraft(
        tour_type=TourType(answers["tour_type"]),
        objective=answers["objective"],
        start_date=date.fromisoformat(answers["start_date"]),
        end_date=date.fromisoformat(answers["end_date"]),
        success_company=answers["success_company"],
        success_employee=answers["success_employee"],
        cadence_weeks=answers["cadence_weeks"],
    )


def success_text(answers: dict[str, Any]) -> str:
    """The employee's own words on success, as one text for the statement."""
    labels = {
        "knowledge": "Knowledge",
        "skills": "Skills",
        "accomplishments": "Accomplishments",
        "recognition": "Recognition",
    }
    lines = [f"{labels[key]}: {answers[key]}" for key in SUCCESS_KEYS if answers.get(key)]
    return "\n".join(lines)[:SUCCESS_MAX]
