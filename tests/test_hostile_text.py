"""Whatever is typed after /alliance, through the HTTP stack: a helpful answer, never an error.

A fuzz run of 2,000 signed commands: every subcommand with random arguments (any unicode,
control characters, 4,000-character strings, mentions, `payload=`), each answered 200 within
Slack's 3 seconds, and none, in the ack or after it, with the generic apology."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.signed_requests import SignedRequests
from domain.commands import SUBCOMMANDS
from tests.helpers import settle

pytestmark = pytest.mark.dateless

FUZZ_USER = "UFUZZ0001"
SLACK_DEADLINE_SECONDS = 3
APOLOGY = "something went wrong"
SUBCOMMAND_WORDS = [
    *(subcommand.name for subcommand in SUBCOMMANDS),
    "tour new",
    "tour export",
    "values company",
    "values unshare",
    "expense new",
    "alumni me",
    "away until",
    "TOUR",
    "",
]
MENTIONS = [
    "<@U0001|dana>",
    "<@W0ZZ>",
    f"<@{FUZZ_USER}>",
    "<!channel>",
    "<!here>",
    "<!subteam^S0123|team>",
    "<#C123|general>",
    "<https://x.y|link>",
    "<javascript:alert(1)|click>",
]
CONTROL = st.characters(min_codepoint=0, max_codepoint=31)

argument = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=CONTROL, max_size=20),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=3900, max_size=4000),
    st.sampled_from(MENTIONS),
    st.just("payload=x"),
    st.from_regex(r"[0-9]{1,7}(\.[0-9]{1,3})? ?(EUR|USD|€|\$)?", fullmatch=True),
)
typed_text = st.one_of(
    st.text(max_size=300),
    st.builds(
        lambda word, parts: " ".join([word, *parts]),
        st.sampled_from(SUBCOMMAND_WORDS),
        st.lists(argument, max_size=3),
    ),
)


@pytest.fixture()
def fuzzed(slack: SignedRequests, fake_slack: FakeSlack) -> Iterator[None]:
    """The fuzz user, and after the run: no apology reached them after the ack either."""
    fake_slack.add_user(FUZZ_USER, name="fuzz", real_name="Fuzz <b>&</b> Tester")
    yield
    settle(slack, fake_slack)
    # Every reply after an ack went to a response_url; the fake Slack is fresh for this test.
    replies = [str(call.args.get("text", "")) for call in fake_slack.calls("response_url")]
    assert replies, "no command was answered after its ack"
    apologies = [text for text in replies if APOLOGY in text]
    assert not apologies, apologies[:3]


@settings(max_examples=2000, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=typed_text)
@example(text="payload")  # Bolt reads a form body with this word as an interactive payload
@example(text="learned payload sizes matter")
@example(text="learned a NUL \x00 cannot go into PostgreSQL text")
def test_any_typed_text_gets_a_helpful_answer(
    slack: SignedRequests, fuzzed: None, text: str
) -> None:
    started = time.monotonic()
    response = slack.slash_command(text, user_id=FUZZ_USER, trigger_id="1.2.3")
    assert response.status_code == 200
    assert time.monotonic() - started < SLACK_DEADLINE_SECONDS
    if response.content:  # an empty ack means a modal or a DM follows
        body = response.json()
        assert body["text"] and APOLOGY not in body["text"]
        assert body["blocks"] and len(body["blocks"]) <= 50
