"""What the bot knows about a Slack user, and when that knowledge is too old to trust."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

PROFILE_MAX_AGE = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Profile:
    user_id: str
    team_id: str
    name: str
    real_name: str
    tz: str | None
    is_bot: bool
    deleted: bool

    @property
    def is_active_human(self) -> bool:
        return not self.is_bot and not self.deleted


def is_stale(refreshed_at: datetime, now: datetime, max_age: timedelta = PROFILE_MAX_AGE) -> bool:
    return now - refreshed_at >= max_age
