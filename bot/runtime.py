"""Everything one bot process runs: store, Bolt app and scheduler, started and stopped together."""

from __future__ import annotations

import gc
import logging
from dataclasses import dataclass

from apscheduler.schedulers.background import BackgroundScheduler
from slack_bolt import App

from bot.app import build_deps, build_web_client, create_app
from bot.config import Settings
from db.engine import Database
from scheduler.runner import build_scheduler
from services.deps import Clock, Deps
from services.health import DELIVERING, SERVING_ONLY, STANDBY, HealthCheck
from services.metrics import count_delivering

logger = logging.getLogger(__name__)


def settle_heap() -> None:
    """Move what start-up allocated out of the garbage collector's way: the modules, app and
    settings live as long as the process, and scanning them made each full collection a pause
    long enough to bunch the scheduler's sends."""
    gc.collect()
    gc.freeze()


@dataclass
class Runtime:
    settings: Settings
    database: Database
    deps: Deps
    app: App
    scheduler: BackgroundScheduler | None  # None: another process runs the scheduler

    @classmethod
    def start(
        cls, settings: Settings, *, with_scheduler: bool = True, clock: Clock | None = None
    ) -> Runtime:
        """`clock` replaces the settings' one for handlers, scheduler and outbox alike."""
        database = Database(settings.database_url)
        client = build_web_client(settings)
        deps = build_deps(settings, database, clock, serves_slack=True)
        app = create_app(settings, deps, client)
        scheduler = build_scheduler(deps) if with_scheduler else None
        settle_heap()
        if scheduler is not None:
            scheduler.start()
        return cls(settings, database, deps, app, scheduler)

    @property
    def health(self) -> HealthCheck:
        return HealthCheck(self.database, self.deps.clock, self._role)

    def _role(self) -> str:
        if self.scheduler is None:
            return SERVING_ONLY
        lease = self.deps.delivery_lease
        return DELIVERING if lease is None or lease.held else STANDBY

    def stop(self) -> None:
        """Stop taking new work, let work in flight finish, then release the database."""
        logger.info("stopping: scheduler, background listeners, database")
        stop_work(self.deps, self.scheduler)
        self.database.dispose()
        logger.info("stopped: the scheduler's and the listeners' work in flight is done")


def stop_work(deps: Deps, scheduler: BackgroundScheduler | None) -> None:
    """Stop taking new work, let the jobs and listeners in flight finish, then hand the
    outbox's delivery over to another process."""
    deps.stopping.set()
    if scheduler is not None and scheduler.running:
        scheduler.shutdown(wait=True)
    deps.background.shutdown(wait=True)
    if deps.delivery_lease is not None:
        deps.delivery_lease.release()
        count_delivering(False)
    if deps.presence is not None:  # every request's work is done, every claim settled
        deps.presence.stop()
