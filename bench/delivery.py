"""Delivering 10,000 review prompts through a rate-limited fake Slack: the rate reached against
the rate Slack allows, with duplicates and losses counted, by one bot process or by several on
one PostgreSQL.

5,000 alignment reviews fall due at once (two prompts each, one per side, every person a
different DM channel). `alliance run` delivers them to a fake Slack that answers each
chat.postMessage after 50 ms and enforces a message per second per channel and a
workspace-wide cap (chosen so that the run takes about a minute), answering 429 with
Retry-After beyond it. The bot is not told the cap: it learns it from the first refusal.
Each process's /metrics is scraped every second while it runs.

    python bench/delivery.py                       # SQLite
    python bench/delivery.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/test
    python bench/delivery.py --processes 3 --postgres postgresql+psycopg://...
        # on PostgreSQL: 1 process, then 3, then 3 with the delivering one SIGKILLed mid-batch
    python bench/delivery.py --busy 1 ...          # the same with a core kept busy meanwhile
"""

from __future__ import annotations

import argparse
import gc
import itertools
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests
from prometheus_client.parser import text_string_to_metric_families

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select  # noqa: E402

from bench.ack_latency import tree_cpu_seconds  # noqa: E402
from bench.planning import fresh_database  # noqa: E402
from bot.sandbox.fake_slack import FakeSlack  # noqa: E402
from db.engine import Database  # noqa: E402
from db.migrate import upgrade  # noqa: E402
from db.models import Outbox, Person, Tour  # noqa: E402
from domain.delivery import OutboxStatus  # noqa: E402
from domain.schedule import WorkingHours  # noqa: E402
from handlers.delivery import OUTBOX_EVENT_TYPE  # noqa: E402
from services.reviews import plan_due_reviews  # noqa: E402
from tests.botprocess import BotProcess, bot_environment  # noqa: E402

PROMPTS = 10_000
LATENCY = 0.050
TARGET_SECONDS = 60
CAP = PROMPTS // TARGET_SECONDS  # messages per second, workspace-wide
RATIO_TARGET = 0.90
ALL_DAY = WorkingHours.parse("Mon-Sun 00:00-23:59")
TIMEOUT = 300
KILL_AFTER = 3_000  # prompts answered before the delivering process is SIGKILLed
RESUME_TARGET_SECONDS = 10
STALL = 0.1  # seconds without a post, reported to show where the time went


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


@dataclass(frozen=True)
class Plan:
    """One run: how many `alliance run` processes share the database, and whether the one
    delivering is SIGKILLed mid-batch."""

    processes: int
    kill: bool = False
    busy: int = 0  # processes beside the bots, each keeping a core busy

    @property
    def name(self) -> str:
        return (
            f"{self.processes} process{'es' if self.processes > 1 else ''}"
            + (", delivering one killed" if self.kill else "")
            + (f", {self.busy} core{'s' if self.busy > 1 else ''} kept busy" if self.busy else "")
        )


@contextmanager
def cores_kept_busy(count: int) -> Iterator[None]:
    """Other work sharing the machine: `count` processes spinning at the bots' priority."""
    spinners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(count)]
    try:
        yield
    finally:
        for spinner in spinners:
            spinner.kill()
            spinner.wait()


@dataclass
class Scraper:
    """Each bot's /metrics every second: what it says it sent, and its 429s, as last seen."""

    bots: list[BotProcess]
    sent: dict[int, float] = field(default_factory=dict)
    rate_limited: dict[int, float] = field(default_factory=dict)
    timeline: list[tuple[float, float, float]] = field(default_factory=list)  # t, sent, due
    _stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        started = time.monotonic()
        while not self._stop.wait(1):
            due = 0.0
            for bot in self.bots:
                try:
                    text = requests.get(bot.url + "/metrics", timeout=2).text
                except requests.RequestException:  # killed, or between workers
                    continue
                for family in text_string_to_metric_families(text):
                    for sample in family.samples:
                        if sample.name == "alliance_outbox_messages_total" and sample.labels[
                            "outcome"
                        ] in ("sent", "recognised_as_sent"):
                            key = bot.port * 10 + (sample.labels["outcome"] == "sent")
                            self.sent[key] = sample.value
                        elif sample.name == "alliance_slack_rate_limited_total":
                            self.rate_limited[bot.port] = sample.value
                        elif sample.name == "alliance_outbox_due":
                            due = max(due, sample.value)
            self.timeline.append((time.monotonic() - started, sum(self.sent.values()), due))

    @contextmanager
    def scraping(self) -> Iterator[Scraper]:
        thread = threading.Thread(target=self.run, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            thread.join()


def bot_cpu_seconds(bot: BotProcess) -> float:
    assert bot.process is not None
    return tree_cpu_seconds(bot.process.pid)


def deliverer(bots: list[BotProcess]) -> BotProcess:
    """The bot whose /healthz says it holds the delivery lease."""
    while True:
        for bot in bots:
            if requests.get(bot.url + "/healthz", timeout=2).json()["role"] == "delivering":
                return bot
        time.sleep(0.1)  # the lease is taken at the next delivery pass


@dataclass(frozen=True)
class Result:
    kind: str
    plan: Plan
    sent: int
    refused: int
    seconds: float
    duplicates: int
    lost: int
    rows_sent: int
    metrics_sent: int
    metrics_rate_limited: int
    resumed_after: float | None
    cpu_seconds: float

    @property
    def rate(self) -> float:
        return self.sent / self.seconds if self.seconds > 0 else 0.0

    @property
    def ratio(self) -> float:
        return self.rate / CAP

    def row(self) -> str:
        resumed = "" if self.resumed_after is None else f"{self.resumed_after:.1f}"
        return (
            f"| {self.kind} | {self.plan.name} | {self.sent:,} | {self.refused:,} | "
            f"{self.seconds:.1f} | {self.rate:.1f} | {CAP} | {self.ratio:.1%} | "
            f"{self.duplicates} | {self.lost} | {self.rows_sent:,} | {self.metrics_sent:,} | "
            f"{self.metrics_rate_limited} | {resumed} | "
            f"{1e3 * self.cpu_seconds / max(self.sent, 1):.2f} |"
        )


def run(kind: str, postgres: str | None, plan: Plan) -> Result:
    with FakeSlack() as fake, fresh_database(kind, postgres) as url:
        # Messages stamped by the bot's clock (the real one here), so that a recovering bot
        # looking for what a killed one posted asks conversations.history from the right time.
        fake.set_clock(time.time)
        fake.set_latency("chat.postMessage", LATENCY)
        fake.limit_rate("chat.postMessage", per_second=CAP, per_channel_per_second=1)
        now = datetime.now(UTC)
        seeded = time.perf_counter()
        seed(url, now)
        print(
            f"{kind}, {plan.name}: seeded in {time.perf_counter() - seeded:.0f} s", file=sys.stderr
        )
        env = bot_environment(
            fake.url,
            url,
            ALLIANCE_DELIVERY_INTERVAL_SECONDS="1",
            ALLIANCE_WORKING_HOURS="Mon-Sun 00:00-23:59",
            ALLIANCE_CLOCK_SHIFT_SECONDS="0",  # the seed's reviews are due by the real clock
            LOG_LEVEL="INFO",
        )
        logs = Path(tempfile.gettempdir())
        bots = [
            BotProcess(
                env, logs / f"alliance-bench-delivery-{kind}-{plan.processes}-{plan.busy}-{n}.log"
            )
            for n in range(plan.processes)
        ]
        for bot in bots:
            bot.log_path.unlink(missing_ok=True)
            bot.launch()
        killed_at = None
        cpu_seconds = 0.0  # of the bots' processes, their workers included
        try:
            for bot in bots:
                bot.wait_healthy(timeout=60)
            with Scraper(bots).scraping() as scraper, cores_kept_busy(plan.busy):
                deadline = time.monotonic() + TIMEOUT
                while time.monotonic() < deadline:
                    answered = fake.answered("chat.postMessage")
                    if answered >= PROMPTS:
                        break
                    if plan.kill and killed_at is None and answered >= KILL_AFTER:
                        victim = deliverer(bots)
                        cpu_seconds += bot_cpu_seconds(victim)
                        killed_at = time.time()
                        victim.kill()
                        bots.remove(victim)
                    time.sleep(0.2)  # watching external processes' progress
                time.sleep(3)  # anything sent twice would arrive now, and a last scrape
            cpu_seconds += sum(bot_cpu_seconds(bot) for bot in bots)
        finally:
            for bot in bots:
                bot.stop()
        calls = fake.calls("chat.postMessage")
        statuses = outcome(url)
    ok = [c for c in calls if c.status == 200]
    refused = [c for c in calls if c.status == 429]
    posted: Counter[int] = Counter()
    for call in ok:
        metadata = call.json("metadata") or {}
        if metadata.get("event_type") == OUTBOX_EVENT_TYPE:
            posted[int(metadata["event_payload"]["outbox_id"])] += 1
    first, last = calls[0].at, ok[-1].at
    print(
        f"{kind}, {plan.name}: refusals at (s) "
        + " ".join(f"{call.at - first:.1f}" for call in refused),
        file=sys.stderr,
    )
    times = [call.at - first for call in ok]
    print(
        f"{kind}, {plan.name}: stalls of {STALL:.2f} s or more between posts (at, length): "
        + " ".join(f"{a:.1f}+{b - a:.2f}" for a, b in itertools.pairwise(times) if b - a >= STALL),
        file=sys.stderr,
    )
    print(
        f"{kind}, {plan.name}: /metrics every 5 s (t, sent, due): "
        + " ".join(f"{t:.0f}:{sent:.0f}/{due:.0f}" for t, sent, due in scraper.timeline[::5]),
        file=sys.stderr,
    )
    resumed_after = None
    if killed_at is not None:
        after = [c.at for c in ok if c.at > killed_at]
        resumed_after = (after[0] - killed_at) if after else float("inf")
    return Result(
        kind=kind,
        plan=plan,
        sent=len(ok),
        refused=len(refused),
        seconds=last - first,
        duplicates=sum(count - 1 for count in posted.values() if count > 1),
        lost=PROMPTS - len(posted),
        rows_sent=statuses.get(OutboxStatus.SENT.value, 0),
        metrics_sent=round(sum(scraper.sent.values())),
        metrics_rate_limited=round(sum(scraper.rate_limited.values())),
        resumed_after=resumed_after,
        cpu_seconds=cpu_seconds,
    )


def verdicts(results: list[Result]) -> list[tuple[str, str, bool]]:
    """Each check: what it asks, what was measured, and whether it holds."""
    checks = []
    for result in results:
        label = f"{result.kind}, {result.plan.name}"
        checks.append(
            (
                f"{label}: 0 duplicates, 0 lost",
                f"{result.duplicates}, {result.lost}",
                result.duplicates == 0 and result.lost == 0,
            )
        )
        if result.plan.kill:
            assert result.resumed_after is not None
            checks.append(
                (
                    f"{label}: delivery resumes within {RESUME_TARGET_SECONDS} s",
                    f"{result.resumed_after:.1f} s",
                    result.resumed_after < RESUME_TARGET_SECONDS,
                )
            )
        else:
            checks.append(
                (
                    f"{label}: >= {RATIO_TARGET:.0%} of the allowed rate",
                    f"{result.ratio:.1%}",
                    result.ratio >= RATIO_TARGET,
                )
            )
            checks.append(
                (
                    f"{label}: /metrics' sent equals the rows sent",
                    f"{result.metrics_sent:,} and {result.rows_sent:,}",
                    result.metrics_sent == result.rows_sent,
                )
            )
    alone = {r.kind: r.refused for r in results if r.plan == Plan(1)}
    for result in results:
        if result.plan.processes > 1 and not result.plan.kill and result.kind in alone:
            checks.append(
                (
                    f"{result.kind}, {result.plan.name}: no more 429s than 1 process alone",
                    f"{result.refused} and {alone[result.kind]}",
                    result.refused <= alone[result.kind],
                )
            )
    return checks


def main() -> int:
    # The fake keeps every call in memory; a collection of that heap pauses its server for
    # ~100 ms, and the requests held up meanwhile then arrive in a bunch that a real network
    # would not make. The harness's own jitter is kept out of the figures.
    gc.freeze()
    gc.disable()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", help="an admin URL; each run gets its own database")
    parser.add_argument(
        "--processes",
        type=int,
        default=1,
        help="with more than 1 (PostgreSQL only): 1 process, then this many, then this many "
        "with the delivering one SIGKILLed mid-batch",
    )
    parser.add_argument(
        "--busy",
        type=int,
        default=0,
        metavar="N",
        help="keep N cores busy with other work while the bots deliver",
    )
    options = parser.parse_args()
    if options.processes > 1 and not options.postgres:
        parser.error("--processes above 1 shares one PostgreSQL: give --postgres")
    if options.processes > 1:
        runs = [
            ("postgresql", plan)
            for plan in (
                Plan(1, busy=options.busy),
                Plan(options.processes, busy=options.busy),
                Plan(options.processes, kill=True, busy=options.busy),
            )
        ]
    else:
        alone = Plan(1, busy=options.busy)
        runs = [("sqlite", alone)] + ([("postgresql", alone)] if options.postgres else [])
    print(
        "| database | processes | sent | 429s | seconds | sent/s | allowed/s | of allowed "
        "| duplicates | lost | rows sent | /metrics sent | /metrics 429s | resumed after (s) "
        "| bot CPU ms/sent |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    results = []
    for kind, plan in runs:
        results.append(run(kind, options.postgres, plan))
        print(results[-1].row(), flush=True)
    print()
    print("| check | measured | verdict |")
    print("|---|---|---|")
    checks = verdicts(results)
    for what, measured, holds in checks:
        print(f"| {what} | {measured} | {'PASS' if holds else 'FAIL'} |")
    return 0 if all(holds for *_, holds in checks) else 1


if __name__ == "__main__":
    raise SystemExit(main())
