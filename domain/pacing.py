"""Pacing sends to a rate-limited API from several threads: Slack's pauses are honoured, and the
workspace's rate is learned from the first refusal instead of being configured."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

HEADROOM = 0.95  # of the rate observed when Slack first refused
DECREASE = 0.98  # a later refusal: slow down by this much
RECOVER_AFTER = 120.0  # seconds without a refusal before trying a little faster
RECOVERY = 1.01
MIN_RATE = 1.0  # sends per second
WINDOW = 1.0  # seconds over which the rate is observed


class SendPacer:
    """Decides when each send may start; one per process, shared by every sending thread.

    Unpaced until Slack first answers 429: the successes of the last second then give the rate
    it allowed, and sends are spaced evenly just below it. Every refusal also pauses all sends
    for its Retry-After. After a quiet spell the rate creeps up again, so a limit that was lifted
    is found again."""

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self.rate: float | None = None  # sends per second; None: as fast as the threads go
        self._next_start = 0.0
        self._paused_until = 0.0
        self._last_refusal = 0.0
        self._recent: deque[float] = deque()  # when recent successful sends ended

    def wait_turn(self, deadline: float) -> bool:
        """Block until a send may start; False (without waiting) if that is after `deadline`."""
        with self._lock:
            now = self._clock()
            start = max(now, self._next_start, self._paused_until)
            if start > deadline:
                return False
            if self.rate is not None:
                self._next_start = start + 1.0 / self.rate
        if start > now:
            self._sleep(start - now)
        return True

    def hold(self, seconds: float) -> None:
        """Start no send for `seconds`: on taking over from a process that was sending, Slack
        still counts that process's sends of the last window, so a refusal then would teach a
        rate that is only what the other left. Held a window, the first refusal counts this
        process's own sends alone."""
        with self._lock:
            self._paused_until = max(self._paused_until, self._clock() + seconds)

    def sent(self) -> None:
        """A send went through."""
        with self._lock:
            now = self._clock()
            self._recent.append(now)
            while self._recent and self._recent[0] <= now - WINDOW:
                self._recent.popleft()
            if self.rate is not None and now - self._last_refusal >= RECOVER_AFTER:
                self.rate *= RECOVERY
                self._last_refusal = now  # the next step up waits another quiet spell

    def refused(self, retry_after: float) -> None:
        """Slack answered 429: pause everyone, and slow down (once per pause, however many
        sends in flight are refused together)."""
        with self._lock:
            now = self._clock()
            already_paused = now < self._paused_until
            self._paused_until = max(self._paused_until, now + retry_after)
            if already_paused:
                return
            self._last_refusal = now
            if self.rate is None:
                observed = sum(1 for ended in self._recent if ended > now - WINDOW) / WINDOW
                self.rate = max(MIN_RATE, observed * HEADROOM)
            else:
                self.rate = max(MIN_RATE, self.rate * DECREASE)
            self._next_start = self._paused_until
