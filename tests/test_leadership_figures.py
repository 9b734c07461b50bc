"""The leadership digest's figures on a seeded store (SQLite and PostgreSQL): what each counts,
the small-group rule (4 people withheld, 5 shown), no withheld part recoverable by subtraction,
and each figure's change since the stored previous digest."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from db.engine import Database
from db.models import LeadershipDigest, Tour
from domain.figures import Change, Figure
from domain.leadership import Figures, changes, digest_week, figures_as_json
from domain.money import ExpenseStatus
from domain.reviews import GapKind
from domain.schedule import earliest_local_date
from domain.tours import TourStatus, TourType
from services.leadership import compute_figures, get_digest, latest_digest, store_digest
from tests.leadership_seed import SECRET, Seed

NOW = datetime(2031, 3, 10, 9, tzinfo=UTC)  # a Monday: the week runs from 3 March, 09:00
IN_WEEK = NOW - timedelta(days=2)
BEFORE = NOW - timedelta(days=8)
TODAY = earliest_local_date(NOW)  # the first day not over everywhere: 9 March


def figures_of(seed: Seed, now: datetime = NOW, min_group_size: int = 5) -> Figures:
    return compute_figures(
        seed.database, team_id=seed.team_id, now=now, min_group_size=min_group_size
    )


BY_DEPARTMENT = (
    "active_by_department",
    "reviews_on_time_by_department",
    "reviews_overdue_by_department",
)


def assert_only(figures: Figures, **expected: Figure) -> None:
    """The named figures are as expected, and every other one counts nothing (the breakdowns by
    department repeat figures already checked: test_figures_by_department checks them)."""
    for name, actual in figures.named().items():
        if name in expected:
            assert actual == expected[name], name
        elif name not in BY_DEPARTMENT:
            assert actual.value == 0, name


def test_tours_by_type_and_statements_agreed_in_the_week_or_still_proposed(
    migrated_database: Database,
) -> None:
    seed = Seed(migrated_database, NOW)
    for _ in range(5):
        seed.tour(agreed_at=IN_WEEK)
    seed.tour()  # agreed a year ago
    for _ in range(5):
        seed.tour(tour_type=TourType.TRANSFORMATIONAL)
    seed.tour(status=TourStatus.AGREED, agreed_at=IN_WEEK)  # agreed, starts later
    seed.tour(status=TourStatus.ENDED, ended_at=BEFORE)
    seed.tour(status=TourStatus.WITHDRAWN)
    for _ in range(5):
        seed.tour(status=TourStatus.PROPOSED)
    Seed(migrated_database, NOW).tour()  # another workspace's
    assert_only(
        figures_of(seed),
        active_tours=Figure(11, {"rotational": 6, "transformational": 5, "foundational": 0}),
        statements_agreed=Figure(6),
        statements_proposed=Figure(5),
    )


def test_reviews_on_time_late_and_overdue(migrated_database: Database) -> None:
    seed = Seed(migrated_database, NOW)
    for _ in range(5):
        seed.review(seed.tour(), answered_at=IN_WEEK)
    seed.review(seed.tour(), answered_at=BEFORE)  # last week's
    late = [seed.tour() for _ in range(5)]
    for tour_id in [*late, late[0]]:  # six late reviews of five employees
        seed.review(tour_id, answered_at=IN_WEEK, escalated=True)
    for _ in range(5):
        seed.review(seed.tour(), escalated=True)  # open, the employee escalated
    seed.review(seed.tour())  # open, nobody past their time yet
    seed.review(seed.tour(), escalated=True, closed_at=IN_WEEK)  # closed unanswered: no longer open
    assert_only(
        figures_of(seed),
        active_tours=Figure(18, {"rotational": 18, "transformational": 0, "foundational": 0}),
        reviews_on_time=Figure(5),
        reviews_late=Figure(6),
        reviews_overdue=Figure(5),
    )


def test_a_figure_about_four_people_is_withheld_and_about_five_shown(
    migrated_database: Database,
) -> None:
    seed = Seed(migrated_database, NOW)
    four = [seed.tour() for _ in range(4)]
    for tour_id in [*four, *four]:  # eight late reviews, but of four employees
        seed.review(tour_id, answered_at=IN_WEEK, escalated=True)
    assert figures_of(seed).reviews_late == Figure(None)
    assert figures_of(seed).reviews_late.withheld
    assert figures_of(seed, min_group_size=4).reviews_late == Figure(8)  # the rule is configurable
    seed.review(seed.tour(), answered_at=IN_WEEK, escalated=True)
    assert figures_of(seed).reviews_late == Figure(9)


def test_figures_by_department_withhold_small_ones_and_enough_others(
    migrated_database: Database,
) -> None:
    seed = Seed(migrated_database, NOW)
    for _ in range(13):
        seed.review(seed.tour(), answered_at=IN_WEEK)
    with migrated_database.read() as session:
        employees = session.scalars(
            select(Tour.employee_id).where(Tour.team_id == seed.team_id).order_by(Tour.id)
        ).all()
    departments = ["Engineering"] * 6 + ["Legal"] * 2 + ["Operations"] * 5
    for employee, department in zip(employees[:12], departments, strict=False):
        seed.place(employee, department)  # the last Operations employee is not in the chart
    for _ in range(5):
        seed.review(seed.tour(), escalated=True)  # overdue, people not in the chart
    figures = figures_of(seed)
    # Legal (2) and Operations (4 in the chart) are withheld: together they are enough that
    # neither is the whole less the parts shown. People outside the chart count apart; in the
    # reviews done they are one, so they are withheld too.
    assert figures.active_by_department == Figure(
        18, {"": 6, "Engineering": 6, "Legal": None, "Operations": None}
    )
    assert figures.reviews_on_time_by_department == Figure(
        13, {"": None, "Engineering": 6, "Legal": None, "Operations": None}
    )
    assert figures.reviews_overdue_by_department == Figure(5, {"": 5})
    assert figures.has_departments


def test_without_an_org_chart_there_is_no_breakdown(migrated_database: Database) -> None:
    seed = Seed(migrated_database, NOW)
    for _ in range(5):
        seed.tour()
    figures = figures_of(seed)
    assert figures.active_by_department == Figure(5, {"": 5})
    assert not figures.has_departments


def test_open_perception_gaps_on_active_tours(migrated_database: Database) -> None:
    seed = Seed(migrated_database, NOW)
    tours = [seed.tour() for _ in range(5)]
    for tour_id in tours:
        seed.gap(tour_id, GapKind.PROGRESS)
    seed.gap(tours[0], GapKind.ALIGNMENT)
    seed.gap(tours[1], GapKind.ALIGNMENT, resolved=True)
    seed.gap(tours[2], GapKind.NAMED)  # named in an answer: not a perception gap
    seed.gap(tours[3], GapKind.VALUES)
    seed.gap(seed.tour(status=TourStatus.ENDED, ended_at=BEFORE), GapKind.PROGRESS)
    figures = figures_of(seed)
    assert figures.perception_gaps_open == Figure(6)
    assert figures.active_tours.value == 5


def test_tours_ending_within_90_days_with_and_without_a_decision_and_past_their_end(
    migrated_database: Database,
) -> None:
    seed = Seed(migrated_database, NOW)
    for _ in range(5):
        seed.tour(end_date=TODAY + timedelta(days=30), end_decided_at=BEFORE)
    for _ in range(5):
        seed.tour(end_date=TODAY + timedelta(days=60))
    seed.tour(end_date=TODAY + timedelta(days=90))  # the last day of the window
    seed.tour(end_date=TODAY + timedelta(days=91))  # beyond it
    for _ in range(5):
        seed.tour(end_date=TODAY - timedelta(days=1))  # over everywhere, nothing decided
    seed.tour(end_date=TODAY - timedelta(days=1), end_decided_at=BEFORE)  # ends at the next pass
    seed.tour(status=TourStatus.ENDED, end_date=TODAY + timedelta(days=10), ended_at=BEFORE)
    figures = figures_of(seed)
    assert figures.tours_ending_soon == Figure(11, {"decided": 5, "undecided": 6})
    assert figures.tours_past_end_undecided == Figure(5)


def test_a_withheld_part_is_not_left_to_be_found_by_subtraction(
    migrated_database: Database,
) -> None:
    seed = Seed(migrated_database, NOW)
    for _ in range(4):
        seed.tour(end_date=TODAY + timedelta(days=30), end_decided_at=BEFORE)
    for _ in range(6):
        seed.tour(end_date=TODAY + timedelta(days=60), tour_type=TourType.FOUNDATIONAL)
    figures = figures_of(seed)
    # Four decided are withheld, so the six undecided must be too: 10 - 6 would give them away.
    assert figures.tours_ending_soon == Figure(10, {"decided": None, "undecided": None})
    # Likewise by type; the type with nobody in it is shown (it singles no one out).
    assert figures.active_tours == Figure(
        10, {"rotational": None, "transformational": 0, "foundational": None}
    )
    for _ in range(5):
        seed.tour(tour_type=TourType.TRANSFORMATIONAL)
    # Rotational (4) and transformational (5) withheld together are about 9 people: enough.
    assert figures_of(seed).active_tours == Figure(
        15, {"rotational": None, "transformational": None, "foundational": 6}
    )


def test_alumni_opportunities_interest_learnings_and_budget_in_the_week(
    migrated_database: Database,
) -> None:
    seed = Seed(migrated_database, NOW)
    for _ in range(5):
        seed.alum(joined_at=IN_WEEK)
    seed.alum(joined_at=BEFORE)
    posters = seed.people(5)
    posted = [seed.opportunity(poster, posted_at=IN_WEEK) for poster in posters]
    seed.opportunity(posters[0], posted_at=NOW + timedelta(hours=1))  # goes out after now
    seed.opportunity(posters[0], posted_at=None)  # queued
    alumni = seed.people(5)
    for alum, opportunity in zip(alumni, posted, strict=True):
        seed.interest(opportunity, alum, IN_WEEK)
    seed.interest(posted[1], alumni[0], IN_WEEK)
    seed.interest(posted[2], alumni[0], IN_WEEK)
    seed.interest(posted[3], alumni[0], BEFORE)
    sharers = seed.people(5)
    for sharer in [*sharers, sharers[0]]:
        seed.learning(sharer, posted_at=IN_WEEK)
    seed.learning(sharers[1], posted_at=None)  # kept, not posted
    seed.learning(sharers[1], posted_at=BEFORE)
    spenders = seed.people(5)
    for spender in spenders:
        seed.expense(spender, 10000, ExpenseStatus.APPROVED_AUTO, asked_at=IN_WEEK)
    seed.expense(spenders[0], 30000, ExpenseStatus.APPROVED, asked_at=BEFORE, decided_at=IN_WEEK)
    seed.expense(spenders[1], 40000, ExpenseStatus.PENDING, asked_at=IN_WEEK)
    seed.expense(spenders[2], 40000, ExpenseStatus.DECLINED, asked_at=IN_WEEK, decided_at=IN_WEEK)
    seed.expense(spenders[3], 5000, ExpenseStatus.APPROVED_AUTO, asked_at=BEFORE)
    assert_only(
        figures_of(seed),
        alumni_joined=Figure(5),
        opportunities_posted=Figure(5),
        opportunity_interest=Figure(7),
        learnings_shared=Figure(6),
        budget_used=Figure(80000, {"EUR": 80000}),
    )


def test_amounts_in_another_currency_are_kept_apart(migrated_database: Database) -> None:
    seed = Seed(migrated_database, NOW)
    for spender in seed.people(5):
        seed.expense(spender, 10000, ExpenseStatus.APPROVED_AUTO, asked_at=IN_WEEK)
    for spender in seed.people(4):
        seed.expense(spender, 20000, ExpenseStatus.APPROVED_AUTO, asked_at=IN_WEEK, currency="USD")
    # Four people's USD withheld, and so EUR: the total less EUR would give the USD away.
    assert figures_of(seed).budget_used == Figure(130000, {"EUR": None, "USD": None})


def test_nothing_but_counts_reaches_the_digest(migrated_database: Database) -> None:
    seed = Seed(migrated_database, NOW)
    tours = [seed.tour() for _ in range(5)]
    for tour_id in tours:
        seed.gap(tour_id, GapKind.NAMED)
        seed.learning(seed.person(), posted_at=IN_WEEK)
    stored = get_digest(migrated_database, store_digest(migrated_database, figures_of(seed)))
    assert stored is not None
    text = json.dumps(figures_as_json(stored.figures))
    assert SECRET not in text
    assert "Some One" not in text

    def numbers_only(node: object) -> bool:
        if isinstance(node, dict):
            return all(isinstance(key, str) and numbers_only(val) for key, val in node.items())
        return node is None or isinstance(node, int)

    assert numbers_only(figures_as_json(stored.figures))


def test_each_figure_changes_since_the_stored_previous_digest(migrated_database: Database) -> None:
    seed = Seed(migrated_database, NOW)
    last_week = NOW - timedelta(days=7)
    rotational = [seed.tour() for _ in range(6)]
    for _ in range(5):
        seed.tour(tour_type=TourType.TRANSFORMATIONAL)
    for tour_id in rotational[:4]:
        seed.review(tour_id, answered_at=IN_WEEK)  # after the previous digest
    previous = figures_of(seed, now=last_week)
    previous_id = store_digest(migrated_database, previous)
    assert store_digest(migrated_database, previous) == previous_id  # once per week
    for _ in range(2):
        seed.tour(tour_type=TourType.TRANSFORMATIONAL)
    current = figures_of(seed)

    assert changes(current, None)["active_tours"] == Change(
        None, {"rotational": None, "transformational": None, "foundational": None}
    )
    before_now = latest_digest(migrated_database, team_id=seed.team_id, before=NOW)
    assert before_now is not None and before_now.digest_id == previous_id
    assert before_now.figures == previous
    found = changes(current, before_now.figures)
    assert found["active_tours"] == Change(
        2, {"rotational": 0, "transformational": 2, "foundational": 0}
    )
    assert (previous.reviews_on_time, current.reviews_on_time) == (Figure(0), Figure(None))
    assert found["reviews_on_time"] == Change(None, {})  # withheld now: four people
    assert found["statements_proposed"] == Change(0, {})

    current_id = store_digest(migrated_database, current)
    latest = latest_digest(migrated_database, team_id=seed.team_id)
    assert latest is not None and latest.digest_id == current_id
    with migrated_database.read() as session:
        rows = session.execute(
            select(LeadershipDigest.period_key, func.count())
            .where(LeadershipDigest.team_id == seed.team_id)
            .group_by(LeadershipDigest.period_key)
            .order_by(LeadershipDigest.period_key)
        ).all()
    assert [tuple(row) for row in rows] == [("2031-W09", 1), ("2031-W10", 1)]
    assert digest_week(NOW).key == "2031-W10"
    assert digest_week(last_week).key == "2031-W09"
