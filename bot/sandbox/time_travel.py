"""Moving the sandbox's clock on, with the scheduler doing on the way what it would have done."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from bot.runtime import Runtime
from bot.sandbox.clock import MovableClock
from scheduler.jobs import run_due_work

# Fine enough that prompts keep to working hours and reminders to their hour.
STEP = timedelta(hours=1)


class TimeTravel:
    def __init__(self, runtime: Runtime, clock: MovableClock) -> None:
        self.runtime = runtime
        self.clock = clock
        self._one_at_a_time = threading.Lock()

    def to(self, moment: datetime) -> int:
        """Move the clock to `moment` an hour at a time, one pass of every job at each hour;
        the number of passes. The real-time scheduler waits meanwhile."""
        scheduler = self.runtime.scheduler
        with self._one_at_a_time:
            if scheduler is not None:
                scheduler.pause()
            try:
                passes = 0
                while (now := self.clock()) < moment:
                    self.clock.set(min(now + STEP, moment))
                    run_due_work(self.runtime.deps)
                    passes += 1
                return passes
            finally:
                if scheduler is not None:
                    scheduler.resume()
