"""The rollout campaign's rules: where each report stands, what the coverage is (by department
too, never singling out a small group), and when the campaign is done."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from domain.figures import Counted, Figure, figure, head_count, withheld_parts

REMINDER_EVERY = timedelta(weeks=1)


class Standing(StrEnum):
    """Where a report stands in the campaign."""

    AGREED = "agreed"  # an agreed or active tour
    PROPOSED = "proposed"  # a tour waiting for agreement
    NOT_STARTED = "not_started"
    ASIDE = "aside"  # put aside by their manager, with a reason


STANDINGS = tuple(standing.value for standing in Standing)
STANDING_LABELS = {
    Standing.AGREED: "agreed",
    Standing.PROPOSED: "proposed",
    Standing.NOT_STARTED: "not started",
    Standing.ASIDE: "put aside",
}


class AsideReason(StrEnum):
    NEW_JOINER = "new_joiner"
    LEAVING = "leaving"
    ON_LEAVE = "on_leave"


ASIDE_LABELS = {
    AsideReason.NEW_JOINER: "New joiner",
    AsideReason.LEAVING: "Leaving",
    AsideReason.ON_LEAVE: "On leave",
}


class CampaignEnd(StrEnum):
    COVERED = "covered"
    STOPPED = "stopped"


def standing_of(*, agreed: bool, proposed: bool, aside: bool) -> Standing:
    """A tour, even one only proposed, covers the report; put aside counts only without one."""
    if agreed:
        return Standing.AGREED
    if proposed:
        return Standing.PROPOSED
    return Standing.ASIDE if aside else Standing.NOT_STARTED


def reminder_week(started_at: datetime, now: datetime) -> int:
    """The campaign's week, 0 for the first: one prompt (or reminder) per manager each."""
    return max(0, (now - started_at) // REMINDER_EVERY)


@dataclass(frozen=True, slots=True)
class Report:
    """One report in the campaign's scope, as the coverage counts them."""

    person_id: int
    department: str
    standing: Standing


@dataclass(frozen=True)
class Coverage:
    """The campaign's figures by standing, overall and by department; a department's figure
    is withheld (None value) under the small-group rule, and so are enough others that none
    can be found by subtracting the departments shown from the whole."""

    overall: Figure
    by_department: Mapping[str, Figure]


def coverage(reports: Iterable[Report], min_group_size: int) -> Coverage:
    reports = list(reports)
    overall = figure(
        (Counted(r.person_id, r.standing.value) for r in reports), min_group_size, STANDINGS
    )
    people: dict[str, list[int]] = defaultdict(list)
    for report in reports:
        people[report.department].append(report.person_id)
    hidden = withheld_parts(
        {name: head_count(ids, min_group_size) for name, ids in people.items()}, min_group_size
    )
    by_department = {
        name: (
            Figure(None, dict.fromkeys(STANDINGS))
            if name in hidden
            else figure(
                (Counted(r.person_id, r.standing.value) for r in reports if r.department == name),
                min_group_size,
                STANDINGS,
            )
        )
        for name in sorted(people)
    }
    return Coverage(overall, by_department)


def is_covered(standings: Iterable[Standing]) -> bool:
    """Every report has a tour (agreed or proposed) or is put aside: the campaign is done."""
    return all(standing is not Standing.NOT_STARTED for standing in standings)
