"""Reading Slack's escaped mentions out of typed text."""

from __future__ import annotations

import re

_USER_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")


def mentioned_user(text: str) -> str | None:
    """The first user mentioned as Slack escapes it (`<@U123|dana>`), if any."""
    found = _USER_MENTION.search(text)
    return found.group(1) if found else None


def without_mentions(text: str) -> str:
    return _USER_MENTION.sub("", text).strip()
