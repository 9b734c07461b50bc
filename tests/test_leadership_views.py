"""How the digest says a figure's parts and a withheld figure, where they stand."""

from __future__ import annotations

import pytest

from domain.figures import Figure
from handlers.leadership_views import _parts, _withheld


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
