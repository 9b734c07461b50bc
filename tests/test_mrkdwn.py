"""handlers/mrkdwn.py: whatever a person typed, what the bot builds from it has no live entity,
and the bot's own entities (mentions, channel links, links) stay what they are."""

from __future__ import annotations

import re

from hypothesis import example, given
from hypothesis import strategies as st

from handlers.mrkdwn import (
    Mrkdwn,
    as_mrkdwn,
    channel_mention,
    escape_mrkdwn,
    link,
    mention,
    quote,
)
from handlers.views import FIELD_LIMIT, TEXT_LIMIT, context_block, mrkdwn_text, section_block

HOSTILE = st.one_of(
    st.text(),
    st.sampled_from(
        [
            "<!here>",
            "<!channel>",
            "<@U0EVIL>",
            "<https://evil.example|Co>",
            "&",
            "&amp;lt;",
            "a & <b> c",
            "x" * 4000 + "&",
        ]
    ),
    st.lists(st.sampled_from(["<", ">", "&", "&amp;", "!here", "@U1", "|", "a"])).map("".join),
)
SLACK_SHOWS = {"&lt;": "<", "&gt;": ">", "&amp;": "&"}


def shown(mrkdwn: str) -> str:
    """What Slack displays for escaped text."""
    return re.sub("&(lt|gt|amp);", lambda found: SLACK_SHOWS[found.group()], mrkdwn)


def no_entity(text: str) -> bool:
    return "<" not in text and ">" not in text


@given(text=HOSTILE)
@example(text="Dana & Co <dana@example.com>")
def test_plain_text_is_escaped_and_shown_as_typed(text: str) -> None:
    escaped = as_mrkdwn(text)
    assert isinstance(escaped, Mrkdwn) and no_entity(escaped)
    assert escape_mrkdwn(escaped) == escaped  # escaping twice changes nothing
    if not re.search("&(lt|gt|amp);", text):
        assert shown(escaped) == text


@given(value=HOSTILE, other=HOSTILE)
def test_values_put_into_the_bots_copy_are_escaped(value: str, other: str) -> None:
    built = Mrkdwn("*{}* and {other}").format(value, other=other)
    assert no_entity(built.replace("*", ""))
    assert no_entity(Mrkdwn("Hello ") + value) and no_entity(value + Mrkdwn(" there"))
    assert no_entity(Mrkdwn(", ").join([value, other]))


@given(value=HOSTILE)
def test_the_bots_own_entities_survive_and_nothing_else_comes_alive(value: str) -> None:
    built = Mrkdwn("{} asked in {}: {}").format(
        mention("U0DANA"), channel_mention("C0ALUMNI"), value
    )
    assert built.startswith("<@U0DANA> asked in <#C0ALUMNI>: ")
    assert no_entity(built.removeprefix("<@U0DANA> asked in <#C0ALUMNI>: "))
    for entity in (mention(value), channel_mention(value)):
        assert re.fullmatch(r"<[@#][A-Z0-9]+>", entity) or no_entity(entity)
    assert no_entity(quote(value).replace("> ", ""))


@given(url=HOSTILE, label=HOSTILE)
def test_a_link_is_one_entity_whatever_its_url_and_label(url: str, label: str) -> None:
    made = link(url, label)
    assert made.startswith("<") and made.endswith(">")
    inside = made[1:-1]
    assert no_entity(inside) and inside.count("|") == 1 + label.count("|")


@given(text=HOSTILE.filter(bool))
def test_blocks_escape_then_clip_and_never_cut_an_escape(text: str) -> None:
    for made, limit in (
        (section_block(text).to_dict()["text"]["text"], TEXT_LIMIT),
        (context_block(text).to_dict()["elements"][0]["text"], TEXT_LIMIT),
        (mrkdwn_text(text, FIELD_LIMIT).text, FIELD_LIMIT),
    ):
        assert no_entity(made) and len(made) <= limit
        if made.endswith("…"):
            assert not re.search(r"&[a-z]{0,3}$", made[:-1])
