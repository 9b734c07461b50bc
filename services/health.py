"""What `/healthz` tells a load balancer and an operator about one bot process."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from db.engine import Database
from services.metrics import exposition
from services.outbox import due_backlog

# The role of a process: it delivers the outbox; it runs the scheduler while another delivers;
# or it runs no scheduler and serves Slack only.
DELIVERING, STANDBY, SERVING_ONLY = "delivering", "standby", "serving only"


@dataclass(frozen=True)
class HealthCheck:
    database: Database
    clock: Callable[[], datetime]
    role: Callable[[], str] = lambda: SERVING_ONLY

    def metrics(self) -> bytes:
        """This process's figures in Prometheus's text format, the backlog read now."""
        now = self.clock()
        return exposition(*due_backlog(self.database, now), now)

    def report(self) -> tuple[bool, dict[str, Any]]:
        """Whether the process can serve (its database answers), and the facts to show."""
        if not self.database.is_reachable():
            return False, {"status": "unavailable", "database": "unreachable", "role": self.role()}
        now = self.clock()
        due, oldest = due_backlog(self.database, now)
        return True, {
            "status": "ok",
            "database": "ok",
            "role": self.role(),
            "outbox_due": due,
            "oldest_due_seconds": None if oldest is None else round((now - oldest).total_seconds()),
        }
