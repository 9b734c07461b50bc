"""`/alliance away` end to end: prompts wait for the person's return and the schedule shifts
instead of piling up."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.signed_requests import SignedRequests
from db.engine import Database
from db.models import AwayPeriod, Person, Tour
from domain.schedule import REMINDER_AFTER
from services.away import mark_away
from services.reviews import plan_due_reviews
from tests import clock
from tests.helpers import eventually, new_user_id, stored_person_when
from tests.review_steps import (
    DUE,
    HOURS,
    PLAN_AT,
    agree_tour,
    outbox_rows,
    responses_of,
    reviews_of,
)


def away_periods(database: Database, user_id: str) -> list[AwayPeriod]:
    with database.read() as session:
        return list(
            session.scalars(
                select(AwayPeriod)
                .join(Person, Person.id == AwayPeriod.person_id)
                .where(Person.user_id == user_id)
                .order_by(AwayPeriod.id)
            )
        )


def review_cursor(database: Database, tour_id: int) -> date | None:
    with database.read() as session:
        tour = session.get(Tour, tour_id)
        assert tour is not None
        return tour.next_review_on


def say(slack: SignedRequests, user: str, text: str) -> str:
    return str(slack.slash_command(text, user_id=user).json()["text"])


def test_a_review_due_while_away_waits_for_the_return(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    agreed = agree_tour(slack, fake_slack, bot_database)
    last_day = DUE + timedelta(days=3)
    reply = say(slack, agreed.pair.employee, f"away until {last_day.isoformat()}")
    assert f"marked away until *{last_day:%a %-d %b %Y}*" in reply
    [period] = eventually(lambda: away_periods(bot_database, agreed.pair.employee))
    assert (period.ends_on, period.cancelled_at) == (last_day, None)
    back_on = last_day + timedelta(days=1)
    assert eventually(lambda: review_cursor(bot_database, agreed.tour_id) == back_on)

    plan_due_reviews(bot_database, now=PLAN_AT, hours=HOURS, limit=1000)
    assert reviews_of(bot_database, agreed.tour_id) == []
    day_before_back = datetime.combine(back_on - timedelta(days=1), time(12), tzinfo=UTC)
    plan_due_reviews(bot_database, now=day_before_back, hours=HOURS, limit=1000)
    [review] = reviews_of(bot_database, agreed.tour_id)  # one review, not a pile
    assert review.due_on == back_on


def test_planning_steps_over_an_away_period_it_finds(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    agreed = agree_tour(slack, fake_slack, bot_database)
    # The manager went away before this review date was set (say, a tour agreed meanwhile).
    mark_away(
        bot_database,
        team_id="T0001",
        user_id=agreed.pair.manager,
        last_day=DUE + timedelta(days=8),
        now=clock.now(),
        hours=HOURS,
    )
    with bot_database.session() as session:
        tour = session.get(Tour, agreed.tour_id)
        assert tour is not None
        tour.next_review_on = DUE
    plan_due_reviews(bot_database, now=PLAN_AT, hours=HOURS, limit=1000)
    assert reviews_of(bot_database, agreed.tour_id) == []
    assert review_cursor(bot_database, agreed.tour_id) == DUE + timedelta(days=9)


def test_prompts_and_reminders_already_planned_are_held(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    agreed = agree_tour(slack, fake_slack, bot_database)
    plan_due_reviews(bot_database, now=PLAN_AT, hours=HOURS, limit=1000)
    [review] = reviews_of(bot_database, agreed.tour_id)
    responses = responses_of(bot_database, review.id)
    employee, manager = responses["employee"], responses["manager"]
    [manager_prompt] = outbox_rows(bot_database, "review_prompt", [manager.id])

    last_day = DUE + timedelta(days=2)  # Monday to Wednesday
    say(slack, agreed.pair.employee, f"away until {last_day:%-d %b %Y}")
    eventually(lambda: away_periods(bot_database, agreed.pair.employee))
    # Back on Thursday: 09:00 in Tokyo is midnight UTC.
    back_at = datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=UTC)

    def held() -> bool:
        [prompt] = outbox_rows(bot_database, "review_prompt", [employee.id])
        return prompt.next_attempt_at == back_at

    assert eventually(held)
    after = responses_of(bot_database, review.id)["employee"]
    thursday_begins_in_tokyo = back_at - timedelta(hours=9)
    assert after.snoozed_until == thursday_begins_in_tokyo
    assert after.next_nudge_at == thursday_begins_in_tokyo + REMINDER_AFTER
    # The manager is not away: their prompt and reminder stand.
    [still] = outbox_rows(bot_database, "review_prompt", [manager.id])
    assert still.next_attempt_at == manager_prompt.next_attempt_at
    assert responses_of(bot_database, review.id)["manager"].next_nudge_at == manager.next_nudge_at


def test_away_shows_itself_and_back_ends_it(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    user = new_user_id()
    fake_slack.add_user(user, name="lee", tz="Europe/Berlin")
    assert "You're not marked away." in say(slack, user, "away")
    last_day = clock.TODAY + timedelta(days=10)
    say(slack, user, f"away until {last_day.isoformat()}")
    eventually(lambda: away_periods(bot_database, user))
    shown = say(slack, user, "away")
    assert f"until *{last_day:%a %-d %b %Y}*" in shown and "away back" in shown

    # A new period replaces the old one rather than stacking up.
    later = last_day + timedelta(days=5)
    say(slack, user, f"away until {later.isoformat()}")
    eventually(lambda: len(away_periods(bot_database, user)) == 2)
    first, second = away_periods(bot_database, user)
    assert first.cancelled_at is not None and second.ends_on == later

    assert "Welcome back" in say(slack, user, "away back")
    eventually(lambda: all(p.cancelled_at for p in away_periods(bot_database, user)))
    assert "You're not marked away." in say(slack, user, "away")


def test_a_day_that_cannot_be_allowed_is_explained_and_nothing_is_stored(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    user = new_user_id()
    fake_slack.add_user(user, name="kim", tz="America/Chicago")
    yesterday = clock.TODAY - timedelta(days=2)
    assert "has passed" in say(slack, user, f"away until {yesterday.isoformat()}")
    assert "couldn't read 'whenever'" in say(slack, user, "away until whenever")
    assert "Tell me the last day" in say(slack, user, "away for a bit")
    assert "You weren't marked away" in say(slack, user, "away back")
    assert stored_person_when(bot_database, user) is not None  # follow-ups begun; none writes
    assert away_periods(bot_database, user) == []
