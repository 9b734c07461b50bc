"""Whatever is typed after /alliance, through the HTTP stack: a helpful answer, never an error."""

from __future__ import annotations

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.slack_requests import SlackSender

SUBCOMMAND_WORDS = [
    "help",
    "tour",
    "tour new",
    "tour export",
    "values",
    "values company",
    "checkin",
    "learned",
    "expense",
    "alumni",
    "report",
    "forget",
    "TOUR",
    "",
]
MENTIONS = ["<@U0001|dana>", "<@W0ZZ>", "<!channel>", "<#C123|general>", "<https://x.y|link>"]

typed_text = st.one_of(
    st.text(max_size=300),
    st.builds(
        lambda word, rest: f"{word} {rest}",
        st.sampled_from(SUBCOMMAND_WORDS),
        st.text(max_size=200),
    ),
    st.builds(
        lambda word, mention, rest: f"{word} {mention} {rest}",
        st.sampled_from(SUBCOMMAND_WORDS),
        st.sampled_from(MENTIONS),
        st.text(alphabet=st.characters(codec="utf-8"), max_size=50),
    ),
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=typed_text)
@example(text="payload")  # Bolt reads a form body with this word as an interactive payload
@example(text="learned payload sizes matter")
def test_any_typed_text_gets_a_helpful_answer(slack: SlackSender, text: str) -> None:
    response = slack.slash_command(text, user_id="UHOSTILE1", trigger_id="1.2.3")
    assert response.status_code == 200
    if response.content:  # an empty ack means a modal or a DM follows
        body = response.json()
        assert body["text"]
        assert body["blocks"] and len(body["blocks"]) <= 50
