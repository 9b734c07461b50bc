"""Asking the alumni: the question posted to the alumni channel, and the answers in its thread
relayed to the asker by DM, each once."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import func, select

from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.signed_requests import SignedRequests
from db.engine import Database
from db.models import AlumniAsk, AlumniAskAnswer
from tests import clock
from tests.botprocess import ALUMNI_CHANNEL
from tests.helpers import block_texts, eventually, new_user_id, wait_until
from tests.review_steps import deliver


def asked(slack: SignedRequests, fake: FakeSlack, database: Database) -> tuple[str, AlumniAsk]:
    """An employee's question, posted: (the asker, the stored ask with its thread)."""
    asker = new_user_id()
    fake.add_user(asker, name="ari", real_name="Ari Cohen")
    question = f"Has anyone scaled Postgres past 10 TB? ({new_user_id()})"
    reply = slack.slash_command(f"ask {question}", user_id=asker).json()["text"]
    assert "Answers in its thread come to you by DM" in reply

    def posted() -> AlumniAsk | None:
        with database.read() as session:
            return session.scalars(
                select(AlumniAsk).where(
                    AlumniAsk.question == question, AlumniAsk.slack_ts.is_not(None)
                )
            ).one_or_none()

    ask = eventually(posted)
    assert ask is not None
    return asker, ask


def reply_in_thread(
    slack: SignedRequests,
    ask: AlumniAsk,
    user: str,
    text: str,
    ts: str,
    event_id: str | None = None,
) -> None:
    slack.event(
        {
            "type": "message",
            "channel": ALUMNI_CHANNEL,
            "channel_type": "channel",
            "user": user,
            "text": text,
            "ts": ts,
            "thread_ts": ask.slack_ts,
        },
        event_id=event_id,
    )


def answers(database: Database, ask: AlumniAsk) -> int:
    with database.read() as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(AlumniAskAnswer)
                .where(AlumniAskAnswer.ask_id == ask.id)
            )
            or 0
        )


def test_a_question_is_posted_to_the_alumni_channel(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    _, ask = asked(slack, fake_slack, bot_database)
    [post] = wait_until(
        fake_slack,
        "chat.postMessage",
        lambda c: (
            c.args.get("channel") == ALUMNI_CHANNEL
            and (ask.question or "") in c.args.get("text", "")
        ),
    )
    shown = block_texts(post.json("blocks"))
    assert "A question from Ari Cohen" in shown and "Answer in this thread" in shown
    assert ask.slack_channel == ALUMNI_CHANNEL


def test_an_answer_in_the_thread_reaches_the_asker_once(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    asker, ask = asked(slack, fake_slack, bot_database)
    alum = new_user_id()
    fake_slack.add_user(alum, name="sam", real_name="Sam Alum")
    answer_ts = f"{float(ask.slack_ts or 0) + 5:.6f}"
    reply_in_thread(
        slack, ask, alum, "Yes: partition by tenant, and vacuum often.", answer_ts, "Ev1" + alum
    )
    reply_in_thread(
        slack, ask, alum, "Yes: partition by tenant, and vacuum often.", answer_ts, "Ev1" + alum
    )
    reply_in_thread(
        slack, ask, alum, "Yes: partition by tenant, and vacuum often.", answer_ts, "Ev2" + alum
    )
    assert eventually(lambda: answers(bot_database, ask) == 1)

    deliver(bot_database, fake_slack, clock.now() + timedelta(days=7))
    [relay] = wait_until(
        fake_slack,
        "chat.postMessage",
        lambda c: (
            c.args.get("channel") == asker and "answered your question" in c.args.get("text", "")
        ),
    )
    shown = block_texts(relay.json("blocks"))
    assert f"<@{alum}> answered your question to the alumni" in shown
    assert "partition by tenant" in shown
    assert answers(bot_database, ask) == 1


def test_the_askers_own_replies_and_other_threads_are_not_relayed(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    asker, ask = asked(slack, fake_slack, bot_database)
    reply_in_thread(slack, ask, asker, "Thanks everyone!", f"{float(ask.slack_ts or 0) + 1:.6f}")
    stranger = new_user_id()
    fake_slack.add_user(stranger, name="other")
    slack.event(
        {
            "type": "message",
            "channel": ALUMNI_CHANNEL,
            "channel_type": "channel",
            "user": stranger,
            "text": "Unrelated chatter",
            "ts": "1700009999.000100",
            "thread_ts": "1700009998.000100",
        }
    )
    # Of the three replies, only the alum's in the question's thread is kept.
    alum = new_user_id()
    fake_slack.add_user(alum, name="alum")
    reply_in_thread(slack, ask, alum, "Try Citus.", f"{float(ask.slack_ts or 0) + 2:.6f}")
    assert eventually(lambda: answers(bot_database, ask) == 1)
    with bot_database.read() as session:
        [only] = session.scalars(select(AlumniAskAnswer).where(AlumniAskAnswer.ask_id == ask.id))
    assert only.answerer_slack_id == alum


def test_an_empty_question_is_explained(slack: SignedRequests, fake_slack: FakeSlack) -> None:
    someone = new_user_id()
    fake_slack.add_user(someone, name="someone")
    reply = slack.slash_command("ask", user_id=someone).json()["text"]
    assert "What would you like to ask?" in reply


def test_special_mentions_and_links_in_a_question_stay_text_in_the_notification_too(
    slack: SignedRequests, fake_slack: FakeSlack
) -> None:
    asker = new_user_id()
    fake_slack.add_user(asker, name="mal", real_name="Mal <!channel> & Co")
    hostile = f"<!here> <!channel> <!subteam^S0123> <javascript:alert(1)|click> {asker}"
    slack.slash_command(f"ask {hostile}", user_id=asker)
    [post] = wait_until(
        fake_slack,
        "chat.postMessage",
        lambda c: c.args.get("channel") == ALUMNI_CHANNEL and asker in c.args.get("text", ""),
    )
    for shown in (post.args["text"], json.dumps(post.json("blocks"))):
        assert "<!" not in shown and "<javascript" not in shown
    assert (
        "&lt;!here&gt;" in post.args["text"]
        and "Mal &lt;!channel&gt; &amp; Co" in post.args["text"]
    )
