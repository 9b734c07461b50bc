"""The send pacer, on a clock the test moves by hand."""

from __future__ import annotations

from itertools import pairwise

import pytest

from domain.pacing import DECREASE, HEADROOM, RECOVER_AFTER, RECOVERY, SendPacer


class ManualClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def pacer(clock: ManualClock) -> SendPacer:
    return SendPacer(clock=clock, sleep=clock.sleep)


def send(pacer: SendPacer, clock: ManualClock, count: int, every: float) -> None:
    for _ in range(count):
        assert pacer.wait_turn(deadline=clock.now + 60)
        pacer.sent()
        clock.now += every


def test_no_pace_until_slack_first_refuses(pacer: SendPacer, clock: ManualClock) -> None:
    send(pacer, clock, 50, every=0.01)
    assert pacer.rate is None and clock.slept == []


def test_the_first_refusal_pauses_everyone_and_sets_the_rate_it_observed(
    pacer: SendPacer, clock: ManualClock
) -> None:
    send(pacer, clock, 40, every=0.02)  # 40 in the last 0.8 s: all within the window
    refused_at = clock.now
    pacer.refused(retry_after=1.0)
    pacer.refused(retry_after=1.0)  # another send in flight refused at the same moment
    assert pacer.rate == pytest.approx(40 * HEADROOM)
    assert pacer.wait_turn(deadline=clock.now + 60)
    assert clock.now == pytest.approx(refused_at + 1.0)
    starts = []
    for _ in range(3):
        pacer.wait_turn(deadline=clock.now + 60)
        starts.append(clock.now)
    gaps = [later - earlier for earlier, later in pairwise(starts)]
    assert gaps == [pytest.approx(1 / (40 * HEADROOM))] * 2


def test_a_later_refusal_slows_down_further(pacer: SendPacer, clock: ManualClock) -> None:
    send(pacer, clock, 20, every=0.01)
    pacer.refused(retry_after=1.0)
    first = pacer.rate
    assert first is not None
    clock.now += 2
    pacer.refused(retry_after=1.0)
    assert pacer.rate == pytest.approx(first * DECREASE)


def test_a_turn_past_the_deadline_is_refused_without_waiting(
    pacer: SendPacer, clock: ManualClock
) -> None:
    send(pacer, clock, 5, every=0.01)
    pacer.refused(retry_after=5.0)
    assert not pacer.wait_turn(deadline=clock.now + 2)
    assert clock.slept == []


def test_the_rate_creeps_up_after_a_quiet_spell(pacer: SendPacer, clock: ManualClock) -> None:
    send(pacer, clock, 10, every=0.05)
    pacer.refused(retry_after=1.0)
    learned = pacer.rate
    assert learned is not None
    clock.now += RECOVER_AFTER + 1
    pacer.sent()
    assert pacer.rate == pytest.approx(learned * RECOVERY)
    pacer.sent()  # the next step waits for another quiet spell
    assert pacer.rate == pytest.approx(learned * RECOVERY)


def test_a_hold_delays_every_start_and_the_refusal_after_it_counts_own_sends(
    pacer: SendPacer, clock: ManualClock
) -> None:
    held_at = clock.now
    pacer.hold(1.0)
    assert not pacer.wait_turn(deadline=held_at + 0.5)  # nothing may start while held
    send(pacer, clock, 30, every=0.01)
    assert clock.slept == [pytest.approx(1.0)]
    pacer.refused(retry_after=1.0)
    assert pacer.rate == pytest.approx(30 * HEADROOM)
