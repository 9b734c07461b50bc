"""Small helpers shared by the end-to-end tests."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.signed_requests import SignedRequests
from db.engine import Database
from db.models import AuditEntry, Person, ProcessedEvent
from domain.delivery import Purpose
from services.outbox import enqueue

_ids = itertools.count(1)


def new_user_id() -> str:
    """A user id no other test uses, so tests sharing one bot never see each other's people."""
    return f"U{next(_ids):04d}T{id(_ids) % 1000:03d}"


def row_counts(database: Database) -> dict[str, int]:
    with database.session() as session:
        return {
            model.__tablename__: session.scalar(select(func.count()).select_from(model)) or 0
            for model in (Person, ProcessedEvent, AuditEntry)
        }


def stored_person(database: Database, user_id: str, team_id: str = "T0001") -> Person | None:
    with database.session() as session:
        return session.scalars(
            select(Person).where(Person.team_id == team_id, Person.user_id == user_id)
        ).one_or_none()


def settle(slack: SignedRequests, fake: FakeSlack) -> None:
    """Wait until the bot has finished the background work of every request sent before this.

    A home-tab event for a fresh user ends in views.publish; background work runs in order of
    arrival on the same pool, so by then earlier requests' lazy work has at least started, and
    a second round makes sure it has finished.
    """
    for _ in range(2):
        user_id = new_user_id()
        fake.add_user(user_id, name="barrier")
        slack.event({"type": "app_home_opened", "user": user_id, "channel": "D0", "tab": "home"})
        wait_for_call(fake, "views.publish", user_id=user_id)


def wait_for_call(fake: FakeSlack, method: str, timeout: float = 10.0, **match: Any) -> Any:
    """The first call of `method` whose args include `match`, waiting for it if needed."""
    return wait_for_calls(fake, method, 1, timeout, **match)[0]


def wait_for_calls(
    fake: FakeSlack, method: str, count: int, timeout: float = 10.0, **match: Any
) -> list[Any]:
    """The first `count` calls of `method` whose args include `match`, waiting if needed."""
    return wait_until(
        fake, method, lambda c: all(c.args.get(k) == v for k, v in match.items()), count, timeout
    )


def answer_with(fake: FakeSlack, words: str, timeout: float = 10.0) -> Any:
    """The first answer through a response_url whose text has `words`.

    Matching on the words, not taking the first answer, keeps a late answer to an earlier
    test's press from being read as this one's."""
    [answer] = wait_until(
        fake, "response_url", lambda call: words in call.args.get("text", ""), 1, timeout
    )
    return answer


def wait_until(
    fake: FakeSlack,
    method: str,
    wanted: Callable[[Any], bool],
    count: int = 1,
    timeout: float = 10.0,
) -> list[Any]:
    """The first `count` calls of `method` that are `wanted`, waiting for more calls if needed."""
    seen = 1
    while True:
        calls = fake.wait_for(method, count=seen, timeout=timeout)
        matching = [call for call in calls if wanted(call)]
        if len(matching) >= count:
            return matching[:count]
        seen = len(fake.calls(method)) + 1


def block_texts(blocks: list[dict[str, Any]]) -> str:
    """Every text a person would read in these blocks, one per line."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("text"), str):
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(blocks)
    return "\n".join(found)


def eventually(check: Callable[[], Any], timeout: float = 10.0) -> Any:
    """The first truthy result of `check`, polled while the bot finishes work after an ack.

    Work after an ack leaves no further Slack call to wait on when it ends in the database,
    so tests look at the database until it shows the effect.
    """
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.05)


def stored_person_when(
    database: Database, user_id: str, wanted: Callable[[Person], bool] = lambda _: True
) -> Person | None:
    """The stored person once `wanted` holds for them (None if it never does in time)."""

    def check() -> Person | None:
        person = stored_person(database, user_id)
        return person if person is not None and wanted(person) else None

    return eventually(check)


@dataclass
class EphemeralMessage:
    """An ephemeral answer, as `tour_steps.press` reads a message the bot sent to `user`."""

    args: dict[str, Any]
    blocks: list[Any]

    @classmethod
    def of(cls, text: str, blocks: list[Any], user: str) -> EphemeralMessage:
        return cls({"channel": user, "text": text}, blocks)

    def json(self, name: str) -> Any:
        return self.blocks if name == "blocks" else None


def plan_message(url: str, target: str, not_before: datetime) -> None:
    """One message waiting in the outbox of the database at `url`."""
    database = Database(url)
    try:
        with database.session() as session:
            enqueue(
                session,
                team_id="T1",
                purpose=Purpose.CONVERSATION_EXPIRED,
                subject=f"cli:{target}",
                occurrence="1",
                target=target,
                payload={"conversation_id": 1},
                not_before=not_before,
                now=not_before,
            )
    finally:
        database.dispose()
