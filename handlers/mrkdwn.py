"""Text the bot sends as Slack mrkdwn: escaped by default, so nothing a person typed can become a
mention, a link or `@here`.

Slack reads `<…>` as an entity and `&amp;`, `&lt;`, `&gt;` as the characters. Every builder of
what the bot sends (blocks, fallback `text`, replies) passes its text through `as_mrkdwn`: a plain
`str` is escaped in full; only a `Mrkdwn` — the bot's own copy, its entities made by `mention`,
`channel_mention`, `link` and `quote`, and values put into it with `Mrkdwn.format` or `+`, which
escape them — is sent as it is. Forgetting therefore shows an escaped entity, never a live one.
"""

from __future__ import annotations

import re
from string import Formatter
from typing import Any

# `&` is escaped unless it already starts one of Slack's three escapes, so text escaped once is
# not escaped again; `<` and `>` are always escaped, which is what keeps entities out.
_CONTROL = re.compile(r"&(?!(?:amp|lt|gt);)|<|>")
_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def escape_mrkdwn(text: str) -> str:
    """Slack's three control characters, escaped so typed text is shown, never interpreted."""
    return _CONTROL.sub(lambda found: _ESCAPES[found.group()], text)


class Mrkdwn(str):
    """mrkdwn the bot may send as it is: its own copy, with anything else escaped on the way in."""

    __slots__ = ()

    def format(self, *args: object, **kwargs: object) -> Mrkdwn:
        """Like str.format, each value escaped unless it is Mrkdwn itself."""
        return Mrkdwn(_ESCAPING.vformat(self, args, kwargs))

    def __add__(self, other: str) -> Mrkdwn:
        return Mrkdwn(str.__add__(self, as_mrkdwn(other)))

    def __radd__(self, other: str) -> Mrkdwn:
        return Mrkdwn(str.__add__(as_mrkdwn(other), self))

    def join(self, parts: Any) -> Mrkdwn:
        return Mrkdwn(str.join(self, (as_mrkdwn(part) for part in parts)))


class _EscapingFormatter(Formatter):
    def format_field(self, value: Any, format_spec: str) -> str:
        formatted = format(value, format_spec)
        return formatted if isinstance(value, Mrkdwn) else escape_mrkdwn(formatted)


_ESCAPING = _EscapingFormatter()


def as_mrkdwn(text: str) -> Mrkdwn:
    """The text as it may be sent: unchanged if it is Mrkdwn, escaped in full if not."""
    return text if isinstance(text, Mrkdwn) else Mrkdwn(escape_mrkdwn(text))


_SLACK_ID = re.compile(r"[A-Z0-9]+")


def _entity(sigil: str, slack_id: str) -> Mrkdwn:
    """`<@U…>` or `<#C…>` for a Slack id; anything else stays text."""
    if _SLACK_ID.fullmatch(slack_id):
        return Mrkdwn(f"<{sigil}{slack_id}>")
    return as_mrkdwn(slack_id)


def mention(user_id: str) -> Mrkdwn:
    """`<@U…>`: Slack shows the person's current name."""
    return _entity("@", user_id)


def channel_mention(channel_id: str) -> Mrkdwn:
    """`<#C…>`: Slack shows the channel's current name, as a link."""
    return _entity("#", channel_id)


def link(url: str, label: str) -> Mrkdwn:
    """`<url|label>`, the label escaped; `|` and `>` cannot end the URL early."""
    return Mrkdwn(f"<{escape_mrkdwn(url).replace('|', '%7C')}|{escape_mrkdwn(label)}>")


def quote(text: str) -> Mrkdwn:
    """Each line of the text shown as a block quote, the text escaped."""
    return Mrkdwn("\n".join(f"> {line}" for line in escape_mrkdwn(text).split("\n")))
