"""One scheduler planning pass over a large store: time and peak memory, on SQLite and PostgreSQL.

Seeds N active tours of which D are due for review, then runs, in a fresh process, the planning
work of one scheduler tick (reviews, reminders, tour ends and starts, tour-end prompts) and
prints how long it took and the process's peak memory. Scenarios vary N and D to show that the
time follows the due work, not the size of the store.

    python bench/planning.py                         # SQLite, the default scenarios
    python bench/planning.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, insert, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from db.engine import Database  # noqa: E402
from db.migrate import upgrade  # noqa: E402
from db.models import Person, Tour  # noqa: E402

# A Monday: the due day has begun everywhere east of UTC-12 by noon UTC.
NOW = datetime(2027, 3, 1, 12, tzinfo=UTC)
TODAY = NOW.date()
MANAGERS = 1000
ZONES = (
    "Europe/Berlin",
    "America/New_York",
    "Asia/Tokyo",
    "Pacific/Kiritimati",
    "Pacific/Pago_Pago",
    "Australia/Lord_Howe",
    "America/Sao_Paulo",
    "Asia/Kolkata",
)
SCENARIOS = ((100_000, 1_000), (10_000, 1_000), (100_000, 100), (100_000, 0))
TIME_TARGET, MEMORY_TARGET_MB = 1.0, 300


def seed(url: str, tours: int, due: int) -> None:
    """Migrate an empty database and fill it with `tours` active tours, `due` of them due."""
    database = Database(url)
    try:
        upgrade(database)
        with database.engine.begin() as connection:
            people = [
                {
                    "team_id": "T1",
                    "user_id": f"U{n:09d}",
                    "name": f"person{n}",
                    "real_name": f"Person {n}",
                    "tz": ZONES[n % len(ZONES)],
                    "is_bot": False,
                    "deleted": False,
                    "first_seen_at": NOW,
                    "profile_refreshed_at": NOW,
                }
                for n in range(tours + MANAGERS)
            ]
            for chunk in _chunks(people):
                connection.execute(insert(Person.__table__), chunk)
            rows = [
                {
                    "team_id": "T1",
                    "employee_id": MANAGERS + n + 1,
                    "manager_id": n % MANAGERS + 1,
                    "status": "active",
                    "current_version_no": 1,
                    "agreed_version_no": 1,
                    "tour_type": "transformational",
                    "start_date": TODAY - timedelta(days=28 + n % 300),
                    "end_date": TODAY + timedelta(days=400 + n % 300),
                    "cadence_weeks": 4,
                    "next_review_on": TODAY if n < due else TODAY + timedelta(days=2 + n % 26),
                    "next_end_prompt_on": TODAY + timedelta(days=300 + n % 300),
                    "created_at": NOW,
                    "updated_at": NOW,
                }
                for n in range(tours)
            ]
            for chunk in _chunks(rows):
                connection.execute(insert(Tour.__table__), chunk)
        if database.engine.dialect.name == "postgresql":
            with database.engine.connect() as connection:
                connection.execution_options(isolation_level="AUTOCOMMIT").execute(
                    text("VACUUM ANALYZE")
                )
    finally:
        database.dispose()


def _chunks(rows: list[dict[str, object]], size: int = 5000) -> Iterator[list[dict[str, object]]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def planning_pass(url: str) -> dict[str, float]:
    """The planning work of one scheduler tick, timed; run in a fresh process."""
    from domain.schedule import DEFAULT_LEAD_DAYS, WorkingHours
    from scheduler.jobs import NUDGE_BATCH, REVIEW_PLANNING_BATCH
    from services.review_nudges import plan_due_nudges
    from services.reviews import plan_due_reviews
    from services.tour_end import plan_end_prompts, run_tour_transitions

    database = Database(url)
    hours = WorkingHours()
    with database.read() as session:  # connect and load the schema before the clock starts
        session.execute(text("SELECT 1"))
    started = time.perf_counter()
    opened = plan_due_reviews(database, now=NOW, hours=hours, limit=REVIEW_PLANNING_BATCH)
    plan_due_nudges(database, now=NOW, hours=hours, admins=(), limit=NUDGE_BATCH)
    run_tour_transitions(database, now=NOW, hours=hours, admins=())
    plan_end_prompts(database, now=NOW, hours=hours, lead_days=DEFAULT_LEAD_DAYS)
    elapsed = time.perf_counter() - started
    database.dispose()
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"seconds": elapsed, "opened": opened, "peak_mb": peak_kb / 1024}


@contextmanager
def fresh_database(kind: str, postgres_admin_url: str | None) -> Iterator[str]:
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="alliance-bench-") as folder:
            yield f"sqlite:///{Path(folder) / 'planning.db'}"
        return
    assert postgres_admin_url is not None
    name = f"alliance_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(postgres_admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(postgres_admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def measure(url: str) -> dict[str, float]:
    result = subprocess.run(
        [sys.executable, __file__, "--pass-only", url],
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", help="an admin URL; each scenario gets its own database")
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--pass-only", metavar="URL", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.pass_only:
        print(json.dumps(planning_pass(options.pass_only)))
        return 0
    kinds = ["sqlite"] + ([] if options.sqlite_only or not options.postgres else ["postgresql"])
    print("| database | tours | due | reviews opened | pass s | peak MB | seed s |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    verdicts = []
    for kind in kinds:
        for tours, due in SCENARIOS:
            with fresh_database(kind, options.postgres) as url:
                seeded = time.perf_counter()
                seed(url, tours, due)
                seed_seconds = time.perf_counter() - seeded
                figures = measure(url)
            print(
                f"| {kind} | {tours:,} | {due:,} | {int(figures['opened']):,} | "
                f"{figures['seconds']:.3f} | {figures['peak_mb']:.0f} | {seed_seconds:.0f} |",
                flush=True,
            )
            if (tours, due) == (100_000, 1_000):
                ok = figures["seconds"] < TIME_TARGET and figures["peak_mb"] < MEMORY_TARGET_MB
                verdicts.append(
                    f"{kind}: 100,000 tours, 1,000 due: {figures['seconds']:.3f} s, "
                    f"{figures['peak_mb']:.0f} MB: {'PASS' if ok else 'FAIL'} "
                    f"(< {TIME_TARGET:.0f} s, < {MEMORY_TARGET_MB} MB)"
                )
    print()
    for verdict in verdicts:
        print(verdict)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
