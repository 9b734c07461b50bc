"""Delivering messages: the states of an outbox row, and how long to wait before trying again."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum


class OutboxStatus(StrEnum):
    PENDING = "pending"
    CLAIMED = "claimed"
    SENT = "sent"
    FAILED_PERMANENTLY = "failed_permanently"
    CANCELLED = "cancelled"


# Slack errors no retry can mend: the person or channel is gone or out of reach.
PERMANENT_ERRORS = frozenset({
    "account_inactive", "user_not_found", "channel_not_found", "is_archived", "not_in_channel",
    "user_disabled", "invalid_blocks", "msg_blocks_too_long", "cannot_dm_bot",
})
MAX_ATTEMPTS = 12
BASE_BACKOFF = timedelta(seconds=30)
MAX_BACKOFF = timedelta(hours=1)


def backoff(attempts: int, retry_after: timedelta | None = None) -> timedelta:
    """How long to wait after `attempts` failed tries: Slack's Retry-After when it gave one,
    otherwise doubling from 30 seconds up to an hour."""
    if retry_after is not None:
        return retry_after
    doubled: timedelta = BASE_BACKOFF * 2 ** max(0, attempts - 1)
    return min(MAX_BACKOFF, doubled)
