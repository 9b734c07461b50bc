"""Importing an org chart of N people (`alliance people import`'s services): the time asking
Slack who people are, reported apart from the database work, the peak memory, and a second
import of the same file, on SQLite and PostgreSQL.

The fake Slack knows every person of the file by email and answers users.lookupByEmail at
once: the Slack figure is the fake's round trips, and the time Slack's own rate (Tier 4, about
100 a minute; the importer paces itself by the 429s it meets) would take is shown beside it.
Each import runs in a fresh process; memory is its peak resident size. A sample of 200 is
imported again with the fake Slack holding users.lookupByEmail to Tier 4 (429 and Retry-After
beyond 100 a minute), which shows the pace the importer keeps. Then a rollout
campaign over the whole company: the time to plan its first week's prompts (every manager,
about one in eight people, has reports without a tour), and to plan it again.

    python bench/import.py                          # SQLite, 100,000 people
    python bench/import.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/test
    python bench/import.py --people 10000
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.planning import fresh_database  # noqa: E402
from bot.sandbox.fake_slack import FakeSlack  # noqa: E402
from db.engine import Database  # noqa: E402
from db.migrate import upgrade  # noqa: E402
from domain.people import Profile  # noqa: E402
from domain.schedule import WorkingHours  # noqa: E402
from services.org_import import Directory  # noqa: E402

PEOPLE = 100_000
SPAN = 8  # reports per manager
DEPARTMENTS = ("Sales", "Engineering", "Support", "Finance", "People", "Marketing", "Legal")
TIER_4_PER_MINUTE = 100
DATABASE_TARGET_SECONDS = 60.0
REIMPORT_TARGET_SECONDS = 30.0
MEMORY_TARGET_MB = 400.0
CAMPAIGN_TARGET_SECONDS = 5.0
TIER_4_SAMPLE = 200  # people looked up with the fake Slack holding users.lookupByEmail to Tier 4
TEAM = "T0001"


def email(n: int) -> str:
    return f"person{n}@bench.example"


def org_chart(people: int) -> bytes:
    """Person 0 leads; everyone else reports to the person (n - 1) // SPAN, in a tree."""
    lines = ["Work Email,Manager Email,Department,Job Title,Hire Date,Office"]
    for n in range(people):
        manager = email((n - 1) // SPAN) if n else ""
        department = DEPARTMENTS[n % len(DEPARTMENTS)]
        lines.append(
            f"{email(n)},{manager},{department},Title {n % 40},2020-01-{1 + n % 28:02d},HQ"
        )
    return ("\r\n".join(lines) + "\r\n").encode()


class TimedDirectory:
    """The Slack directory, with the time spent in it added up."""

    def __init__(self, inner: Directory) -> None:
        self.inner = inner
        self.seconds = 0.0
        self.calls = 0

    def by_email(self, address: str) -> Profile | None:
        return self._timed(self.inner.by_email, address)

    def by_id(self, user_id: str) -> Profile | None:
        return self._timed(self.inner.by_id, user_id)

    def _timed(self, call: Callable[[str], Profile | None], key: str) -> Profile | None:
        started = time.perf_counter()
        try:
            return call(key)
        finally:
            self.seconds += time.perf_counter() - started
            self.calls += 1


def import_once(url: str, slack_url: str, path: str) -> dict[str, float]:
    """In a fresh process: read, plan and apply the file; seconds in Slack and in all."""
    from slack_sdk import WebClient

    from domain.org_chart import read_org_chart
    from handlers.slack_users import SlackDirectory
    from services.org_import import apply_import, plan_import

    database = Database(url)
    directory = TimedDirectory(
        SlackDirectory(WebClient(token="xoxb-bench", base_url=slack_url, retry_handlers=[]), TEAM)
    )
    started = time.perf_counter()
    chart = read_org_chart(Path(path).read_bytes())
    plan = plan_import(database, chart, directory, team_id=TEAM)
    applied = apply_import(
        database, plan, team_id=TEAM, now=datetime.now(UTC), hours=WorkingHours()
    )
    total = time.perf_counter() - started
    database.dispose()
    status = Path("/proc/self/status").read_text()
    return {
        "total": total,
        "slack": directory.seconds,
        "lookups": directory.calls,
        "refused": len(plan.refused),
        "lines": applied.lines,
        "peak_mb": int(status.split("VmHWM:")[1].split()[0]) / 1024,
    }


def plan_campaign(url: str) -> dict[str, float]:
    """After the import: a rollout over the whole company, and the time to plan its first
    week's prompts (every manager's reports are without a tour), then to plan it again."""
    from services.rollout import plan_rollout, start_rollout

    database = Database(url)
    now = datetime.now(UTC)
    start_rollout(database, team_id=TEAM, department=None, by_user_id=user_id(0), now=now)
    started = time.perf_counter()
    planned = plan_rollout(database, now=now, hours=WorkingHours())
    first = time.perf_counter() - started
    started = time.perf_counter()
    plan_rollout(database, now=now, hours=WorkingHours())
    again = time.perf_counter() - started
    database.dispose()
    return {"managers": planned, "seconds": first, "again": again}


def user_id(n: int) -> str:
    return f"UP{n:07d}"


@dataclass(frozen=True)
class Run:
    database: str
    people: int
    which: str
    figures: dict[str, float]

    def row(self) -> str:
        f = self.figures
        database_seconds = f["total"] - f["slack"]
        at_tier_4 = f["lookups"] / TIER_4_PER_MINUTE / 60
        return (
            f"| {self.database} | {self.people:,} | {self.which} | {f['lookups']:,.0f} | "
            f"{f['slack']:.1f} | {at_tier_4:.1f} h | {database_seconds:.1f} | {f['total']:.1f} | "
            f"{f['lines']:,.0f} | {f['refused']:.0f} | {f['peak_mb']:.0f} |"
        )


def measure(url: str, slack_url: str, path: Path) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, __file__, "--once", url, slack_url, str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def run(kind: str, postgres: str | None, people: int) -> tuple[list[Run], dict[str, float]]:
    with FakeSlack() as fake, fresh_database(kind, postgres) as url:
        for n in range(people):
            fake.add_user(user_id(n), real_name=f"Person {n}", tz="UTC", email=email(n))
        database = Database(url)
        upgrade(database)
        database.dispose()
        with tempfile.TemporaryDirectory(prefix="alliance-bench-import-") as folder:
            path = Path(folder) / "org.csv"
            path.write_bytes(org_chart(people))
            first = Run(kind, people, "first import", measure(url, fake.url, path))
            print(first.row(), flush=True)
            again = Run(kind, people, "same file again", measure(url, fake.url, path))
            print(again.row(), flush=True)
        campaign = plan_campaign(url)
    return [first, again], campaign


def tier_4_sample(people: int) -> dict[str, float]:
    """A small first import with the fake Slack answering users.lookupByEmail at Tier 4 (100 a
    minute, refusing the rest with 429 and Retry-After): the pace the importer keeps."""
    with FakeSlack() as fake, fresh_database("sqlite", None) as url:
        for n in range(people):
            fake.add_user(user_id(n), real_name=f"Person {n}", tz="UTC", email=email(n))
        fake.limit_rate("users.lookupByEmail", per_second=TIER_4_PER_MINUTE / 60)
        database = Database(url)
        upgrade(database)
        database.dispose()
        with tempfile.TemporaryDirectory(prefix="alliance-bench-import-") as folder:
            path = Path(folder) / "org.csv"
            path.write_bytes(org_chart(people))
            figures = measure(url, fake.url, path)
        figures["refused_429"] = fake.answered("users.lookupByEmail", 429)
        return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", help="an admin URL; the run gets its own database")
    parser.add_argument("--people", type=int, default=PEOPLE)
    parser.add_argument(
        "--tier-4-sample", type=int, default=TIER_4_SAMPLE, help="0 leaves the sample out"
    )
    parser.add_argument("--once", nargs=3, metavar=("URL", "SLACK", "FILE"), help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.once:
        print(json.dumps(import_once(*options.once)))
        return 0
    print(
        "| database | people | import | Slack look-ups | Slack s (fake) | at Tier 4 | "
        "database s | total s | lines written | refused | peak MB |"
    )
    print("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    runs, campaigns = run("sqlite", None, options.people)
    planned = {"sqlite": campaigns}
    if options.postgres:
        more, planned["postgresql"] = run("postgresql", options.postgres, options.people)
        runs += more
    print()
    print("| database | managers prompted | planning s | planning again s |")
    print("|---|---:|---:|---:|")
    for kind, f in planned.items():
        print(f"| {kind} | {f['managers']:,.0f} | {f['seconds']:.2f} | {f['again']:.2f} |")
    checks = [
        (
            f"{kind}: planning the campaign's prompts < {CAMPAIGN_TARGET_SECONDS:g} s",
            f"{f['seconds']:.2f} s for {f['managers']:,.0f} managers",
            f["seconds"] < CAMPAIGN_TARGET_SECONDS,
        )
        for kind, f in planned.items()
    ]
    for first, again in zip(runs[::2], runs[1::2], strict=True):
        database_seconds = first.figures["total"] - first.figures["slack"]
        checks += [
            (
                f"{first.database}: database work < {DATABASE_TARGET_SECONDS:g} s",
                f"{database_seconds:.1f} s",
                database_seconds < DATABASE_TARGET_SECONDS,
            ),
            (
                f"{first.database}: peak memory < {MEMORY_TARGET_MB:g} MB",
                f"{max(first.figures['peak_mb'], again.figures['peak_mb']):.0f} MB",
                max(first.figures["peak_mb"], again.figures["peak_mb"]) < MEMORY_TARGET_MB,
            ),
            (
                f"{first.database}: the same file again < {REIMPORT_TARGET_SECONDS:g} s, "
                "no look-ups, nothing written",
                f"{again.figures['total']:.1f} s, {again.figures['lookups']:.0f}, "
                f"{again.figures['lines']:.0f}",
                again.figures["total"] < REIMPORT_TARGET_SECONDS
                and again.figures["lookups"] == 0
                and again.figures["lines"] == 0,
            ),
        ]
    if options.tier_4_sample:
        sample = tier_4_sample(options.tier_4_sample)
        per_minute = sample["lookups"] / sample["slack"] * 60
        print()
        print(
            "| sample at Tier 4 | look-ups | Slack s | per minute | 429s | 100,000 at this pace |"
        )
        print("|---|---:|---:|---:|---:|---:|")
        print(
            f"| sqlite | {sample['lookups']:,.0f} | {sample['slack']:.1f} | {per_minute:.0f} | "
            f"{sample['refused_429']:,.0f} | {100_000 / per_minute / 60:.1f} h |"
        )
    print()
    print("| check | measured | verdict |")
    print("|---|---|---|")
    for what, measured, holds in checks:
        print(f"| {what} | {measured} | {'PASS' if holds else 'FAIL'} |")
    return 0 if all(holds for *_, holds in checks) else 1


if __name__ == "__main__":
    raise SystemExit(main())
