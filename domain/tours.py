"""Tours of duty: the three kinds the Alliance describes."""

from __future__ import annotations

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
