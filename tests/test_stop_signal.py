"""A stop signal that the kernel hands to a thread other than the main one still stops the
bot: CI hung 30 s on such a SIGTERM to `alliance sandbox` before the wait woke by itself."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.dateless

WAITS_ON_A_SIGNAL_TO_ANOTHER_THREAD = textwrap.dedent(
    """
    import signal, threading, time
    from bot.serve import stop_on_signals

    stopping = stop_on_signals()

    def signal_this_thread() -> None:
        time.sleep(0.2)
        signal.pthread_kill(threading.get_ident(), signal.SIGTERM)
        time.sleep(60)

    threading.Thread(target=signal_this_thread, daemon=True).start()
    stopping.wait()
    print("stopped", flush=True)
    """
)


def test_a_signal_received_by_another_thread_ends_the_wait() -> None:
    done = subprocess.run(
        [sys.executable, "-c", WAITS_ON_A_SIGNAL_TO_ANOTHER_THREAD],
        capture_output=True,
        text=True,
        timeout=20,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "stopped"
