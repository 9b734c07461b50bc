"""How the digest says a figure's parts and a withheld figure, where they stand."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.figures import Figure
from domain.leadership import digest_week, figures_from_json
from handlers.leadership_views import _department_lines, _parts, _withheld


@pytest.mark.parametrize(
    ("figure", "said"),
    [
        (Figure(32, {"transformational": 32, "rotational": 0}), ", all transformational"),
        (
            Figure(11, {"rotational": 6, "transformational": 5}),
            " — 6 rotational, 5 transformational",
        ),
        (Figure(None, {"rotational": None}), ""),
        (Figure(0, {"rotational": 0}), ""),
    ],
)
def test_parts_never_double_the_colon(figure: Figure, said: str) -> None:
    assert _parts(figure) == said


def test_withheld_says_why_where_it_stands() -> None:
    assert _withheld(5) == "withheld (fewer than 5)"


def test_departments_are_listed_largest_first_and_withheld_ones_say_why() -> None:
    stored = {
        "active_by_department": {
            "value": 18,
            "by": {"": 6, "Engineering": 6, "Legal": None, "Operations": None},
        },
        "reviews_on_time_by_department": {
            "value": 13,
            "by": {"": None, "Engineering": 6, "Legal": None, "Operations": None},
        },
        "reviews_overdue_by_department": {"value": 5, "by": {"": 5}},
    }
    moment = datetime(2031, 3, 10, 9, tzinfo=UTC)
    figures = figures_from_json(stored, team_id="T1", period=digest_week(moment), min_group_size=5)
    hidden = _withheld(5)
    on_time = "reviews on time this week"
    assert _department_lines(figures, hidden) == [
        "*By department*",
        f"• Engineering: active tours 6 · {on_time} 6 · overdue 0",
        f"• Legal: active tours {hidden} · {on_time} {hidden} · overdue 0",
        f"• Operations: active tours {hidden} · {on_time} {hidden} · overdue 0",
        f"• Not in the org chart: active tours 6 · {on_time} {hidden} · overdue 5",
    ]


def test_without_departments_there_is_no_section() -> None:
    moment = datetime(2031, 3, 10, 9, tzinfo=UTC)
    figures = figures_from_json({}, team_id="T1", period=digest_week(moment), min_group_size=5)
    assert _department_lines(figures, _withheld(5)) == []
