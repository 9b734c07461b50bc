"""Values and aspirations: the DM flow, the limits on answers, and alignment across three parties.

Matching is deliberately simple and predictable. Two values match when their *keys* are equal;
a key is the text with Unicode compatibility forms folded (NFKC), case folded, apostrophes
removed, every other run of non-alphanumeric characters turned into one space, and each word
made singular by three rules: `-ies` -> `-y` (policies -> policy), `-sses`/`-xes`/`-ches`/
`-shes`/`-zzes` drop `-es` (classes -> class, boxes -> box), and a final `-s` is dropped unless
the word ends in `-ss`, `-us` or `-is` or has three letters or fewer (customers -> customer,
but success, focus, analysis, gas stay). Irregular plurals (people, children) are not handled.
Only core values are matched; aspirations are shown side by side but not matched, as they are
sentences rather than words.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from domain.conversations import Flow, FlowName, Step

MAX_ITEMS = 10
MAX_ITEM_LENGTH = 80
MAX_NOTE_LENGTH = 1500

ASPIRATIONS, CORE_VALUES, MANAGER_NOTE = "aspirations", "core_values", "manager_note"

_SEPARATORS = re.compile(r"[\n,;]+")
_BULLET = re.compile(r"^(?:[-*•·‣◦]+|\d{1,2}[.)])\s*")
_APOSTROPHES = re.compile("['`\u2019\u02bc]")  # ' ` and the typographic apostrophes
_NOT_WORD = re.compile(r"[^\w]+|_+")
_ES_ENDINGS = ("sses", "xes", "ches", "shes", "zzes")
_S_KEPT = ("ss", "us", "is")


def parse_items(text: str) -> list[str]:
    """A list typed as one message: split on commas, semicolons and lines, bullets dropped.

    Duplicates (by matching key) are kept once. Raises ValueError, worded for the person, when
    there are more than MAX_ITEMS items or one is longer than MAX_ITEM_LENGTH characters.
    """
    items: list[str] = []
    seen: set[str] = set()
    for piece in _SEPARATORS.split(text):
        item = " ".join(_BULLET.sub("", piece.strip()).split())
        key = match_key(item)
        if item and key not in seen:
            seen.add(key)
            items.append(item)
    if len(items) > MAX_ITEMS:
        raise ValueError(
            f"That's {len(items)} items; please keep to the {MAX_ITEMS} that matter most."
        )
    for number, item in enumerate(items, start=1):
        if len(item) > MAX_ITEM_LENGTH:
            raise ValueError(
                f"Item {number} is {len(item)} characters long; please keep each one to "
                f"{MAX_ITEM_LENGTH} characters or fewer (a few words is plenty)."
            )
    return items


def parse_note(text: str) -> str:
    """The free-text note for the manager; raises ValueError when it is too long."""
    note = text.strip()
    if len(note) > MAX_NOTE_LENGTH:
        raise ValueError(
            f"That note is {len(note)} characters long; please keep it to {MAX_NOTE_LENGTH} "
            "characters or fewer."
        )
    return note


def _parse_list_step(text: str, _answers: dict[str, Any]) -> list[str]:
    items = parse_items(text)
    if not items:
        raise ValueError("I couldn't find anything in that; separate items with commas.")
    return items


def _parse_note_step(text: str, _answers: dict[str, Any]) -> str:
    return parse_note(text)


VALUES_FLOW = Flow(
    FlowName.VALUES,
    (
        Step(
            ASPIRATIONS,
            "Where do you want your career to go? Name a few *core aspirations*, separated by "
            "commas or one per line.",
            "Lead a small product team, speak at a conference, become the go-to person for data",
            _parse_list_step,
        ),
        Step(
            CORE_VALUES,
            "What are your *core values*? A few words each, separated by commas or one per line.",
            "Honesty, curiosity, customers first, craftsmanship",
            _parse_list_step,
        ),
        Step(
            MANAGER_NOTE,
            "What would you like your *manager* to know about you?",
            "I do my best work with a clear goal and room to experiment; I'd like to work "
            "closer to customers this year.",
            _parse_note_step,
        ),
    ),
)


@dataclass(frozen=True)
class ValuesDraft:
    """A person's answers; None means not given (skipped, or left empty)."""

    aspirations: tuple[str, ...] | None = None
    core_values: tuple[str, ...] | None = None
    note_for_manager: str | None = None

    @property
    def is_empty(self) -> bool:
        return not (self.aspirations or self.core_values or self.note_for_manager)

    @classmethod
    def from_answers(cls, answers: dict[str, Any]) -> ValuesDraft:
        """The draft a finished conversation produced (skipped steps are None)."""
        aspirations, core_values = answers.get(ASPIRATIONS), answers.get(CORE_VALUES)
        return cls(
            tuple(aspirations) if aspirations else None,
            tuple(core_values) if core_values else None,
            answers.get(MANAGER_NOTE) or None,
        )


def parse_draft(
    aspirations: str, core_values: str, note: str
) -> tuple[ValuesDraft, dict[str, str]]:
    """The draft typed into a form, and each field's problem keyed by ASPIRATIONS etc."""
    problems: dict[str, str] = {}
    parsed: dict[str, Any] = {}
    fields: tuple[tuple[str, str, Callable[[str], object]], ...] = (
        (ASPIRATIONS, aspirations, parse_items),
        (CORE_VALUES, core_values, parse_items),
        (MANAGER_NOTE, note, parse_note),
    )
    for key, text, parse in fields:
        try:
            parsed[key] = parse(text)
        except ValueError as problem:
            problems[key] = str(problem)
    return ValuesDraft.from_answers(parsed), problems


# ---------------------------------------------------------------------------- matching


def singular(word: str) -> str:
    """The word without a simple English plural ending (see the module docstring)."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(_ES_ENDINGS):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(_S_KEPT):
        return word[:-1]
    return word


def match_key(value: str) -> str:
    """The key two values must share to match: "Customers!" and "customer" both give "customer".

    Text made only of punctuation or symbols (an emoji) keys on itself, case folded.
    """
    folded = _APOSTROPHES.sub("", unicodedata.normalize("NFKC", value).casefold())
    words = _NOT_WORD.sub(" ", folded).split()
    return " ".join(singular(word) for word in words) or " ".join(folded.split())


class Party(StrEnum):
    EMPLOYEE = "employee"
    MANAGER = "manager"
    COMPANY = "company"


@dataclass(frozen=True)
class Overlap:
    """A value two or three parties hold, worded as the first of them (employee first) wrote it."""

    value: str
    parties: frozenset[Party]


@dataclass(frozen=True)
class Gap:
    """A value only one party holds: something to talk about at the next review."""

    party: Party
    value: str


@dataclass(frozen=True)
class Alignment:
    """How the values of the parties present line up; absent parties take no part."""

    present: frozenset[Party]
    overlaps: tuple[Overlap, ...]
    gaps: tuple[Gap, ...]

    @property
    def shared_by_all(self) -> tuple[str, ...]:
        return tuple(o.value for o in self.overlaps if len(o.parties) == len(Party))

    def shared_by_exactly(self, *parties: Party) -> tuple[str, ...]:
        wanted = frozenset(parties)
        return tuple(o.value for o in self.overlaps if o.parties == wanted)

    @property
    def shared_with_employee(self) -> tuple[Overlap, ...]:
        """Values the employee shares with at least one other party."""
        return tuple(o for o in self.overlaps if Party.EMPLOYEE in o.parties)

    def gaps_of(self, party: Party) -> tuple[str, ...]:
        return tuple(g.value for g in self.gaps if g.party is party)


def alignment(
    employee: Sequence[str] | None,
    manager: Sequence[str] | None,
    company: Sequence[str] | None,
) -> Alignment:
    """Overlaps and gaps between the parties' values.

    A party given None or an empty list is absent: it shares nothing and has no gaps. Gaps are
    only computed when at least two parties are present, since a value can only be unshared
    when there is someone to share it with.
    """
    holders: dict[str, dict[Party, str]] = {}
    lists = {Party.EMPLOYEE: employee, Party.MANAGER: manager, Party.COMPANY: company}
    present = frozenset(party for party, items in lists.items() if items)
    for party in Party:
        for item in lists[party] or ():
            holders.setdefault(match_key(item), {}).setdefault(party, item)
    overlaps = tuple(
        Overlap(next(iter(by_party.values())), frozenset(by_party))
        for by_party in holders.values()
        if len(by_party) > 1
    )
    gaps: tuple[Gap, ...] = ()
    if len(present) > 1:
        gaps = tuple(
            Gap(party, value)
            for party in Party
            for by_party in holders.values()
            if len(by_party) == 1
            for held_by, value in by_party.items()
            if held_by is party
        )
    return Alignment(present, overlaps, gaps)
