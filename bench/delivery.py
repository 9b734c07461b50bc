"""Delivering 10,000 review prompts through a rate-limited fake Slack: the rate reached against
the rate Slack allows, with duplicates and losses counted.

5,000 alignment reviews fall due at once (two prompts each, one per side, every person a
different DM channel). `alliance scheduler run` delivers them to a fake Slack that answers each
chat.postMessage after 50 ms and enforces a message per second per channel and a
workspace-wide cap (chosen so that the run takes about a minute), answering 429 with
Retry-After beyond it. The bot is not told the cap: it learns it from the first refusal.

    python bench/delivery.py                       # SQLite
    python bench/delivery.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import gc
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select  # noqa: E402

from bench.planning import fresh_database  # noqa: E402
from bot.sandbox.fake_slack import FakeSlack  # noqa: E402
from db.engine import Database  # noqa: E402
from db.migrate import upgrade  # noqa: E402
from db.models import Outbox, Person, Tour  # noqa: E402
from domain.delivery import OutboxStatus  # noqa: E402
from domain.schedule import WorkingHours  # noqa: E402
from handlers.delivery import OUTBOX_EVENT_TYPE  # noqa: E402
from services.reviews import plan_due_reviews  # noqa: E402
from tests.botprocess import bot_environment  # noqa: E402

PROMPTS = 10_000
LATENCY = 0.050
TARGET_SECONDS = 60
CAP = PROMPTS // TARGET_SECONDS  # messages per second, workspace-wide
RATIO_TARGET = 0.90
ALL_DAY = WorkingHours.parse("Mon-Sun 00:00-23:59")
TIMEOUT = 300


def seed(url: str, now: datetime) -> None:
    """Half as many tours as prompts, each due today, and their reviews opened."""
    tours = PROMPTS // 2
    database = Database(url)
    try:
        upgrade(database)
        with database.engine.begin() as connection:
            connection.execute(
                insert(Person.__table__),
                [
                    {
                        "team_id": "T0001",
                        "user_id": f"UB{n:08d}",
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
            connection.execute(
                insert(Tour.__table__),
                [
                    {
                        "team_id": "T0001",
                        "employee_id": 2 * n + 1,
                        "manager_id": 2 * n + 2,
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
            # The prompt shows the tour's mission: one version per tour.
            connection.exec_driver_sql(
                "INSERT INTO tour_versions (team_id, tour_id, version_no, proposed_by_id, source,"
                " tour_type, start_date, end_date, cadence_weeks, objective, created_at) "
                "SELECT team_id, id, 1, manager_id, 'form', tour_type, start_date, end_date, "
                "cadence_weeks, 'Ship the thing', created_at FROM tours"
            )
        while plan_due_reviews(database, now=now, hours=ALL_DAY, limit=1000):
            pass
    finally:
        database.dispose()


def outcome(url: str) -> Counter[str]:
    database = Database(url)
    try:
        with database.read() as session:
            return Counter(
                {
                    str(status): count
                    for status, count in session.execute(
                        select(Outbox.status, func.count()).group_by(Outbox.status)
                    )
                }
            )
    finally:
        database.dispose()


def run(kind: str, postgres: str | None) -> bool:
    with FakeSlack() as fake, fresh_database(kind, postgres) as url:
        fake.set_latency("chat.postMessage", LATENCY)
        fake.limit_rate("chat.postMessage", per_second=CAP, per_channel_per_second=1)
        now = datetime.now(UTC)
        seeded = time.perf_counter()
        seed(url, now)
        print(f"{kind}: seeded in {time.perf_counter() - seeded:.0f} s", file=sys.stderr)
        env = bot_environment(
            fake.url,
            url,
            ALLIANCE_DELIVERY_INTERVAL_SECONDS="1",
            ALLIANCE_WORKING_HOURS="Mon-Sun 00:00-23:59",
            LOG_LEVEL="INFO",
        )
        log_path = Path(tempfile.gettempdir()) / f"alliance-bench-delivery-{kind}.log"
        with log_path.open("w") as log:
            bot = subprocess.Popen(
                [str(Path(sys.executable).with_name("alliance")), "scheduler", "run"],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            deadline = time.monotonic() + TIMEOUT
            while time.monotonic() < deadline:
                if fake.answered("chat.postMessage") >= PROMPTS:
                    break
                time.sleep(1)  # watching an external process's progress
            time.sleep(2)  # anything sent twice would arrive now
        finally:
            bot.send_signal(signal.SIGTERM)
            bot.wait(timeout=30)
        calls = fake.calls("chat.postMessage")
        ok = [c for c in calls if c.status == 200]
        refused = [c for c in calls if c.status == 429]
        posted: Counter[int] = Counter()
        for call in ok:
            metadata = call.json("metadata") or {}
            if metadata.get("event_type") == OUTBOX_EVENT_TYPE:
                posted[int(metadata["event_payload"]["outbox_id"])] += 1
        statuses = outcome(url)
    first, last = calls[0].at, ok[-1].at
    print(
        f"{kind}: refusals at (s) " + " ".join(f"{call.at - first:.1f}" for call in refused),
        file=sys.stderr,
    )
    seconds = last - first
    achieved = len(ok) / seconds if seconds > 0 else 0.0
    duplicates = sum(count - 1 for count in posted.values() if count > 1)
    lost = PROMPTS - len(posted)
    ratio = achieved / CAP
    print(
        f"| {kind} | {len(ok):,} | {len(refused):,} | {seconds:.1f} | {achieved:.1f} | {CAP} | "
        f"{ratio:.1%} | {duplicates} | {lost} | {statuses.get(OutboxStatus.SENT.value, 0):,} |"
    )
    passed = ratio >= RATIO_TARGET and duplicates == 0 and lost == 0
    print(
        f"{kind}: {achieved:.1f} of {CAP} messages/s allowed ({ratio:.1%}), {duplicates} "
        f"duplicates, {lost} lost: {'PASS' if passed else 'FAIL'} (>= {RATIO_TARGET:.0%}, 0, 0)"
    )
    return passed


def main() -> int:
    # The fake keeps every call in memory; a collection of that heap pauses its server for
    # ~100 ms, and the requests held up meanwhile then arrive in a bunch that a real network
    # would not make. The harness's own jitter is kept out of the figures.
    gc.freeze()
    gc.disable()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", help="an admin URL; the run gets its own database")
    options = parser.parse_args()
    kinds = ["sqlite"] + (["postgresql"] if options.postgres else [])
    print(
        "| database | sent | 429s | seconds | sent/s | allowed/s | of allowed | duplicates "
        "| lost | rows sent |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    results = [run(kind, options.postgres) for kind in kinds]
    return 0 if all(results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
