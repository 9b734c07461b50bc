"""Meeting people: stored once, looked up again only when their profile is stale."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from db.engine import Database
from domain.people import PROFILE_MAX_AGE, Profile
from services.people import RecentlySeen, meet

NOW = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def test_meeting_fetches_once_until_the_profile_is_stale(migrated_database: Database) -> None:
    fetched: list[str] = []

    def fetch(user_id: str) -> Profile:
        fetched.append(user_id)
        return Profile(user_id, "T9", "ana", "Ana Lima", "America/Sao_Paulo", False, False)

    seen = RecentlySeen()
    for now in (NOW, NOW + timedelta(hours=1), NOW + PROFILE_MAX_AGE - timedelta(seconds=1)):
        meet(
            migrated_database, seen, team_id="T9", user_id="UMEET1", name="m", now=now, fetch=fetch
        )
    assert fetched == ["UMEET1"]

    meet(
        migrated_database,
        seen,
        team_id="T9",
        user_id="UMEET1",
        name="m",
        now=NOW + PROFILE_MAX_AGE,
        fetch=fetch,
    )
    assert fetched == ["UMEET1", "UMEET1"]

    # Another process (a fresh cache) reads the database rather than Slack.
    meet(
        migrated_database,
        RecentlySeen(),
        team_id="T9",
        user_id="UMEET1",
        name="m",
        now=NOW + PROFILE_MAX_AGE + timedelta(minutes=1),
        fetch=fetch,
    )
    assert len(fetched) == 2
