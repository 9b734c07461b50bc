"""A NUL character typed into Slack is dropped before the bot reads it, on both databases.

PostgreSQL cannot store NUL in text: before the fix, `/alliance learned a\\x00b` was acked and
then answered with the generic apology there (found by the fuzz run of test_hostile_text)."""

from __future__ import annotations

from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.signed_requests import SignedRequests
from db.engine import Database
from handlers.incoming_text import without_nul
from tests.helpers import new_user_id
from tests.test_learnings import confirm_first, learnings_of, person
from tests.test_values import start_values, statement_of, write_values
from tests.tour_steps import converse


def test_every_string_in_a_body_loses_its_nul_and_nothing_else() -> None:
    body = {"text": "a\x00b", "view": {"state": [{"value": "\x00x"}, 3, None]}, "n": "plain"}
    assert without_nul(body) is body
    assert body == {"text": "ab", "view": {"state": [{"value": "x"}, 3, None]}, "n": "plain"}


def test_a_nul_in_a_command_is_dropped_and_the_learning_kept(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    user = person(fake_slack)
    marker = new_user_id()
    confirm_first(slack, fake_slack, user, f"Small\x00 PRs get reviewed ({marker})")
    [stored] = learnings_of(bot_database, f"Small PRs get reviewed ({marker})")
    assert stored.posted_at is not None


def test_a_nul_in_a_form_and_in_a_dm_is_dropped(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    in_form, in_dm = new_user_id(), new_user_id()
    fake_slack.add_user(in_form, name="form")
    fake_slack.add_user(in_dm, name="dm")

    write_values(slack, in_form, core="Hon\x00esty, Craft")
    form_statement = statement_of(bot_database, in_form)
    assert form_statement is not None and form_statement.core_values == ["Honesty", "Craft"]

    start_values(slack, fake_slack, in_dm)
    converse(slack, fake_slack, in_dm, ["Lead\x00 a team", "Candour", "skip"])
    dm_statement = statement_of(bot_database, in_dm)
    assert dm_statement is not None
    assert (dm_statement.aspirations, dm_statement.core_values) == (["Lead a team"], ["Candour"])
