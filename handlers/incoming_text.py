"""Text that arrives from Slack loses its NUL characters before any listener reads it.

PostgreSQL cannot store NUL (`\\x00`) in a text column, so a command, a form or a DM holding one
failed after its ack there, while it means nothing in Slack's mrkdwn.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import BoltRequest, BoltResponse

NUL = "\x00"


def without_nul(value: Any) -> Any:
    """The same value, with NUL removed from every string in it, dicts and lists edited in
    place."""
    if isinstance(value, str):
        return value.replace(NUL, "") if NUL in value else value
    if isinstance(value, dict):
        for key, item in value.items():
            value[key] = without_nul(item)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            value[index] = without_nul(item)
    return value


def drop_nul_characters(request: BoltRequest, next: Callable[[], BoltResponse]) -> Any:
    """Bolt middleware: clean the parsed body that every listener's arguments come from."""
    without_nul(request.body)
    return next()
