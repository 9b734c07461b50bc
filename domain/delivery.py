"""Delivering messages: the states of an outbox row, and how long to wait before trying again."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum


class Purpose(StrEnum):
    """Why the bot sends a message on its own; each has a renderer on the Slack side."""

    CONVERSATION_EXPIRED = "conversation_expired"


class FailureKind(StrEnum):
    """How a send failed, which decides what happens to the message next."""

    RATE_LIMITED = "rate_limited"  # not sent; try again after Slack's Retry-After
    TRANSIENT = "transient"  # may or may not have been sent; back off and try again
    PERMANENT = "permanent"  # no retry can mend it


class OutboxStatus(StrEnum):
    PENDING = "pending"
    CLAIMED = "claimed"
    SENT = "sent"
    FAILED_PERMANENTLY = "failed_permanently"
    CANCELLED = "cancelled"


# Slack errors no retry can mend: the person or channel is gone or out of reach.
PERMANENT_ERRORS = frozenset(
    {
        "account_inactive",
        "user_not_found",
        "channel_not_found",
        "is_archived",
        "not_in_channel",
        "user_disabled",
        "invalid_blocks",
        "msg_blocks_too_long",
        "cannot_dm_bot",
    }
)
# Of those, the ones that mean the person cannot be reached: their tours get flagged.
UNREACHABLE_ERRORS = frozenset(
    {"account_inactive", "user_not_found", "user_disabled", "cannot_dm_bot"}
)
MAX_ATTEMPTS = 12
TOO_MANY_ATTEMPTS = "too_many_attempts"
BASE_BACKOFF = timedelta(seconds=30)
MAX_BACKOFF = timedelta(hours=1)


def backoff(attempts: int, retry_after: timedelta | None = None) -> timedelta:
    """How long to wait after `attempts` failed tries: Slack's Retry-After when it gave one,
    otherwise doubling from 30 seconds up to an hour."""
    if retry_after is not None:
        return retry_after
    doubled: timedelta = BASE_BACKOFF * 2 ** max(0, attempts - 1)
    return min(MAX_BACKOFF, doubled)
