"""The leadership chart's 12 weeks, recomputed from a seeded store: how the reviews that closed
each week went, how ready the tours ending within 90 days were, and withheld points."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from db.engine import Database
from domain.figures import Figure
from domain.tours import TourStatus
from services.leadership import compute_figures
from services.leadership_history import weekly_history
from tests.leadership_seed import Seed
from tests.test_leadership_figures import NOW, TODAY

DAY = timedelta(days=1)


def rounded(percent: Mapping[str, float | None]) -> dict[str, float | None]:
    return {part: None if share is None else round(share, 1) for part, share in percent.items()}


def test_review_health_of_the_reviews_closed_each_week(migrated_database: Database) -> None:
    seed = Seed(migrated_database, NOW)

    def closed(count: int, at: datetime, *, answered: bool = True, escalated: bool = False) -> None:
        for _ in range(count):
            answered_at = at - 5 * DAY if answered else None
            seed.review(seed.tour(), answered_at=answered_at, escalated=escalated, closed_at=at)

    closed(3, NOW - 2 * DAY)
    closed(1, NOW - 2 * DAY, escalated=True)
    closed(1, NOW - 2 * DAY, answered=False, escalated=True)
    closed(6, NOW - 9 * DAY)
    closed(5, NOW - 16 * DAY)
    closed(5, NOW - 16 * DAY, escalated=True)
    closed(4, NOW - 16 * DAY, answered=False, escalated=True)
    closed(1, NOW - 16 * DAY, answered=False)  # away all along: closed without an escalation
    closed(4, NOW - 23 * DAY)
    closed(5, NOW - 80 * DAY)
    closed(5, NOW - 85 * DAY)  # before the twelve weeks
    seed.review(seed.tour(), answered_at=NOW - DAY)  # answered, not closed yet

    history = weekly_history(migrated_database, team_id=seed.team_id, now=NOW)
    assert history.min_group_size == 5
    assert [week.week.end for week in history.weeks] == [NOW - 7 * n * DAY for n in range(12)][::-1]
    reviews = [rounded(week.reviews.percent) for week in history.weeks]
    # Five reviews, but 3, 1 and 1 people in the parts: each part, so the point, is withheld.
    assert reviews[-1] == {"on_time": None, "late": None, "overdue": None}
    assert reviews[-2] == {"on_time": 100.0, "late": 0.0, "overdue": 0.0}
    assert reviews[-3] == {"on_time": 33.3, "late": 33.3, "overdue": 33.3}
    assert reviews[-4] == {"on_time": None, "late": None, "overdue": None}  # four people
    assert reviews[0] == {"on_time": 100.0, "late": 0.0, "overdue": 0.0}
    assert reviews[1:-4] == [{}] * 7  # nothing closed: nothing to show


def test_tour_end_readiness_as_of_each_weeks_end(migrated_database: Database) -> None:
    seed = Seed(migrated_database, NOW)
    soon, later = TODAY + 30 * DAY, TODAY + 60 * DAY  # 8 April and 8 May
    for _ in range(4):
        seed.tour(end_date=soon, end_decided_at=NOW - 3 * DAY)
    for _ in range(4):
        seed.tour(end_date=soon)
    seed.tour(end_date=soon, activated_at=NOW - 3 * DAY)
    seed.tour(end_date=soon, status=TourStatus.ENDED, ended_at=NOW - 10 * DAY)
    for _ in range(5):
        seed.tour(end_date=later, end_decided_at=NOW - 20 * DAY)

    history = weekly_history(migrated_database, team_id=seed.team_id, now=NOW)
    ready = [rounded(week.tour_ends.percent) for week in history.weeks][::-1]  # newest first
    assert ready[0] == {"decided": 64.3, "undecided": 35.7}  # 9 of 14
    assert ready[1] == {"decided": 38.5, "undecided": 61.5}  # 5 of 13: four not decided yet
    assert ready[2] == {"decided": 35.7, "undecided": 64.3}  # 5 of 14: one not ended yet
    assert ready[3:5] == [{"decided": 0.0, "undecided": 100.0}] * 2  # 8 May within 90 days
    assert ready[5:9] == [{"decided": 0.0, "undecided": 100.0}] * 4  # 8 April only
    assert ready[9:] == [{}] * 3  # nothing ends within 90 days of then
    # The last point is the digest's own figure, as of now.
    figures = compute_figures(migrated_database, team_id=seed.team_id, now=NOW)
    assert figures.tours_ending_soon == Figure(14, {"decided": 9, "undecided": 5})

    strict = weekly_history(migrated_database, team_id=seed.team_id, now=NOW, min_group_size=10)
    assert strict.weeks[-1].tour_ends.percent == {"decided": None, "undecided": None}
