"""A delivery pass reads the reviews its prompts show a chunk at a time, not one prompt at a
time, and what a chunk's read gives each prompt is what a read of its own would."""

from __future__ import annotations

import random
import re
import threading
from collections import Counter
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import event, insert, select

from bot.sandbox.fake_slack import FakeSlack
from db.engine import Database
from db.models import AlignmentReview, Gap, Learning, Person, ReviewResponse, Tour, TourVersion
from domain.reviews import GapKind, ReviewKind, ReviewStatus
from domain.schedule import WorkingHours
from services.read_ahead import CHUNK, ReadAhead
from services.reviews import plan_due_reviews, review_of_response, reviews_of_responses
from tests import clock
from tests.helpers import block_texts
from tests.review_steps import deliver

TEAM = "T0001"
ALL_DAY = WorkingHours.parse("Mon-Sun 00:00-23:59")
TOURS = 60  # 120 prompts: three chunks


def seed(database: Database, tours: int) -> None:
    """Tours due today with an earlier review each, gaps raised at either review (some
    resolved), and up to five learnings per employee (some not shared); then their reviews."""
    now = clock.now()
    rng = random.Random(7)
    with database.engine.begin() as connection:
        connection.execute(
            insert(Person.__table__),
            [
                {
                    "team_id": TEAM,
                    "user_id": f"UR{n:06d}",
                    "name": f"person{n}",
                    "real_name": f"Person {n}",
                    "tz": "UTC",
                    "is_bot": False,
                    "deleted": False,
                    "first_seen_at": now,
                    "profile_refreshed_at": now,
                }
                for n in range(2 * tours)
            ],
        )
        people = connection.scalars(select(Person.id).order_by(Person.id)).all()
        connection.execute(
            insert(Tour.__table__),
            [
                {
                    "team_id": TEAM,
                    "employee_id": people[2 * n],
                    "manager_id": people[2 * n + 1],
                    "status": "active",
                    "current_version_no": 1,
                    "agreed_version_no": 1,
                    "tour_type": "rotational",
                    "start_date": now.date() - timedelta(days=28),
                    "end_date": now.date() + timedelta(days=365),
                    "cadence_weeks": 4,
                    "next_review_on": now.date(),
                    "created_at": now,
                    "updated_at": now,
                }
                for n in range(tours)
            ],
        )
        tour_rows = connection.execute(select(Tour.id, Tour.employee_id, Tour.manager_id)).all()
        connection.execute(
            insert(TourVersion.__table__),
            [
                {
                    "team_id": TEAM,
                    "tour_id": tour_id,
                    "version_no": 1,
                    "proposed_by_id": manager_id,
                    "source": "form",
                    "tour_type": "rotational",
                    "start_date": now.date() - timedelta(days=28),
                    "end_date": now.date() + timedelta(days=365),
                    "cadence_weeks": 4,
                    "objective": f"Mission of tour {tour_id}",
                    "created_at": now,
                }
                for tour_id, _, manager_id in tour_rows
            ],
        )
        connection.execute(
            insert(AlignmentReview.__table__),
            [
                {
                    "team_id": TEAM,
                    "tour_id": tour_id,
                    "occurrence": 0,
                    "kind": ReviewKind.CHECKIN,
                    "due_on": now.date() - timedelta(days=14),
                    "closes_on": now.date() - timedelta(days=7),
                    "status": ReviewStatus.CLOSED,
                    "opened_at": now - timedelta(days=14),
                    "closed_at": now - timedelta(days=7),
                    "created_at": now - timedelta(days=14),
                }
                for tour_id, _, _ in tour_rows
            ],
        )
        connection.execute(
            insert(Learning.__table__),
            [
                {
                    "team_id": TEAM,
                    "person_id": employee_id,
                    "text": f"Learning {employee_id}.{n}",
                    "posted_at": now if rng.random() < 0.8 else None,
                    "created_at": now - timedelta(hours=rng.randrange(500)),
                }
                for _, employee_id, _ in tour_rows
                for n in range(rng.randrange(6))
            ],
        )
    assert plan_due_reviews(database, now=now, hours=ALL_DAY, limit=tours) == tours
    with database.engine.begin() as connection:
        reviews = connection.execute(select(AlignmentReview.tour_id, AlignmentReview.id)).all()
        connection.execute(
            insert(Gap.__table__),
            [
                {
                    "team_id": TEAM,
                    "tour_id": tour_id,
                    "kind": kind,
                    "label": f"Gap {review_id} {kind}",
                    "raised_in_review_id": review_id,
                    "raised_at": now - timedelta(days=rng.randrange(30)),
                    "resolved_at": now if rng.random() < 0.3 else None,
                    "created_at": now,
                }
                for tour_id, review_id in reviews
                for kind in rng.sample(list(GapKind), rng.randrange(3))
            ],
        )


@contextmanager
def sheet_reads(database: Database) -> Iterator[list[str]]:
    """The statements that read review sheets (reviews joined to their responses) meanwhile."""
    seen: list[str] = []

    def note(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if "FROM alignment_reviews JOIN tours" in statement:
            seen.append(statement)

    event.listen(database.engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(database.engine, "before_cursor_execute", note)


def prompt_response_ids(database: Database) -> list[int]:
    with database.read() as session:
        return list(session.scalars(select(ReviewResponse.id).order_by(ReviewResponse.id)))


def test_a_chunk_read_gives_each_prompt_what_its_own_read_would(own_database: Database) -> None:
    seed(own_database, TOURS)
    ids = prompt_response_ids(own_database)
    together = reviews_of_responses(own_database, ids)
    alone = {response_id: review_of_response(own_database, response_id) for response_id in ids}
    assert together == alone
    sheets = [sheet for sheet, _ in together.values()]
    # The seed gave the reads something to get right: gaps of the other review only, at most
    # three learnings, and people with none of either.
    assert {len(sheet.learnings) for sheet in sheets} == {0, 1, 2, 3}
    assert any(sheet.open_gaps for sheet in sheets) and not all(sheet.open_gaps for sheet in sheets)
    with own_database.read() as session:
        earlier = set(
            session.scalars(select(AlignmentReview.id).where(AlignmentReview.occurrence == 0))
        )
        raised_in = dict(session.execute(select(Gap.id, Gap.raised_in_review_id)).all())
    assert all(raised_in[gap.gap_id] in earlier for sheet in sheets for gap in sheet.open_gaps)
    assert reviews_of_responses(own_database, [max(ids) + 1]) == {}


def test_a_delivery_pass_reads_its_prompts_reviews_a_chunk_at_a_time(
    own_database: Database, fake_slack: FakeSlack
) -> None:
    seed(own_database, TOURS)
    with sheet_reads(own_database) as reads:
        deliver(own_database, fake_slack, clock.now())
    prompts = fake_slack.calls("chat.postMessage")
    assert len(prompts) == 2 * TOURS
    assert len(reads) == -(-2 * TOURS // CHUNK)  # one read per chunk, not one per prompt
    shown = Counter(
        re.findall(r"Mission of tour \d+", block_texts(call.json("blocks")))[0] for call in prompts
    )
    assert len(shown) == TOURS and set(shown.values()) == {2}  # each tour's, to both sides


class CountedReads:
    """A bulk read of squares that notes each read's keys."""

    def __init__(self) -> None:
        self.reads: list[list[int]] = []
        self.lock = threading.Lock()

    def __call__(self, keys: Collection[int]) -> Mapping[int, int]:
        with self.lock:
            self.reads.append(sorted(keys))
        return {key: key * key for key in keys if key >= 0}


def test_read_ahead_reads_each_chunk_once_and_serves_each_key_once() -> None:
    read = CountedReads()
    ahead = ReadAhead(read, chunk=3)
    ahead.expect([1, 2, 3, 4, 5, -1])
    assert [ahead.get(key) for key in (2, 1, 3)] == [4, 1, 9]
    assert read.reads == [[1, 2, 3]]
    assert ahead.get(2) == 4  # a second look-up reads afresh
    assert ahead.get(-1) is None  # expected, but not found by the read
    assert ahead.get(7) == 49  # never expected
    assert read.reads == [[1, 2, 3], [2], [-1, 4, 5], [7]]
    ahead.expect([8])
    assert ahead.get(4) == 16  # dropped by the new expectation: read alone
    assert read.reads[-1] == [4]


def test_threads_asking_for_one_chunk_share_its_read() -> None:
    read = CountedReads()
    ahead = ReadAhead(read, chunk=10)
    keys = list(range(40))
    ahead.expect(keys)
    found: dict[int, int | None] = {}
    threads = [
        threading.Thread(target=lambda key=key: found.__setitem__(key, ahead.get(key)))
        for key in keys
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert found == {key: key * key for key in keys}
    assert sorted(read.reads) == [keys[n : n + 10] for n in range(0, 40, 10)]
