"""APScheduler wiring: the jobs of scheduler.jobs on a background scheduler."""

from __future__ import annotations

from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler

from scheduler.jobs import JOBS, Job
from services.deps import Deps


def build_scheduler(deps: Deps) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone="UTC", job_defaults={"misfire_grace_time": 300})
    for job in JOBS:
        scheduler.add_job(
            _runner(job, deps),
            "interval",
            seconds=job.interval(deps).total_seconds(),
            id=job.id,
            name=job.id,
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            # APScheduler paces the passes in real time; each pass reads the bot's clock.
            next_run_time=datetime.now(UTC),
        )
    return scheduler


def _runner(job: Job, deps: Deps) -> object:
    def run() -> None:
        job.run(deps, deps.clock())

    run.__name__ = job.id.replace("-", "_")
    return run
