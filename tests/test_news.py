"""Company news for the alumni: admins queue it, and a monthly digest carries it to the alumni
channel, only when there is news."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.signed_requests import SignedRequests
from db.engine import Database
from db.models import NewsItem
from services.news import plan_digests
from tests.botprocess import ALUMNI_CHANNEL
from tests.helpers import block_texts, eventually, new_user_id, wait_until
from tests.review_steps import HOURS, deliver

ADMIN = "UADMIN1"  # an admin of the shared test bot


def pending(database: Database) -> list[NewsItem]:
    with database.read() as session:
        return list(
            session.scalars(
                select(NewsItem).where(NewsItem.included_at.is_(None)).order_by(NewsItem.id)
            )
        )


def say(slack: SignedRequests, user: str, text: str) -> str:
    return str(slack.slash_command(text, user_id=user).json()["text"])


def plan(database: Database, now: datetime) -> int:
    return plan_digests(database, channel=ALUMNI_CHANNEL, now=now, hours=HOURS, day_of_month=5)


def test_only_admins_queue_news_and_say_what_it_is(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    fake_slack.add_user(ADMIN, name="hr", real_name="Harper Reyes")
    someone = new_user_id()
    fake_slack.add_user(someone, name="someone")
    assert "Only Alliance admins" in say(slack, someone, "news We won an award")
    assert "What's the news?" in say(slack, ADMIN, "news")
    assert "Keep news to 1000 characters" in say(slack, ADMIN, "news " + "x" * 1001)


def test_news_goes_out_in_one_digest_a_month_only_when_there_is_some(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    fake_slack.add_user(ADMIN, name="hr", real_name="Harper Reyes")
    assert plan(bot_database, datetime(2031, 1, 6, 10, tzinfo=UTC)) == 0  # no news, no digest
    for text in ("We opened an office in Lisbon", "Our 10th birthday party is on 3 March"):
        reply = say(slack, ADMIN, f"news {text}")
        assert "Queued for the alumni news digest" in reply and "day 1 of each month" in reply
    assert eventually(lambda: len(pending(bot_database)) == 2)

    assert plan(bot_database, datetime(2031, 2, 4, 10, tzinfo=UTC)) == 0  # before the 5th
    assert plan(bot_database, datetime(2031, 2, 5, 10, tzinfo=UTC)) == 1
    assert pending(bot_database) == []
    deliver(bot_database, fake_slack, datetime(2031, 2, 5, 11, tzinfo=UTC))
    [digest] = wait_until(
        fake_slack,
        "chat.postMessage",
        lambda c: (
            c.args.get("channel") == ALUMNI_CHANNEL
            and c.args.get("text", "").startswith("News from the company")
        ),
    )
    shown = block_texts(digest.json("blocks"))
    assert "We opened an office in Lisbon" in shown and "10th birthday party" in shown

    # News after this month's digest waits for next month's.
    say(slack, ADMIN, "news We are hiring in Lisbon")
    assert eventually(lambda: len(pending(bot_database)) == 1)
    assert plan(bot_database, datetime(2031, 2, 20, 10, tzinfo=UTC)) == 0
    assert plan(bot_database, datetime(2031, 3, 5, 10, tzinfo=UTC)) == 1
    with bot_database.read() as session:
        march = session.scalars(
            select(NewsItem.text).where(NewsItem.digest_period == "2031-03")
        ).all()
    assert march == ["We are hiring in Lisbon"]
