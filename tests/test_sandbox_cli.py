"""`alliance sandbox` as a person starts it: the address printed and the page served within
15 seconds, a clean stop on Ctrl-C or SIGTERM, and one clear line when the port is taken."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from tests import clock
from tests.botprocess import free_port

pytestmark = pytest.mark.dateless

READY_SECONDS = 15
# A clean stop lets the scheduler's pass in flight finish: about 2 s here, longer on a busy CI.
STOP_SECONDS = 30


@contextmanager
def sandbox_process(port: int, *extra: str) -> Iterator[subprocess.Popen[str]]:
    command = [sys.executable, "-m", "bot.cli", "sandbox", "--no-browser", "--port", str(port)]
    process = subprocess.Popen(
        [*command, "--date", clock.TODAY.isoformat(), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=STOP_SECONDS)


def stopped(process: subprocess.Popen[str]) -> tuple[str, str]:
    """What the sandbox printed until it exited; a stop that hangs fails with its stderr."""
    try:
        return process.communicate(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        _, err = process.communicate()
        pytest.fail(f"the sandbox did not stop within {STOP_SECONDS} s; its stderr:\n{err}")


def first_line(process: subprocess.Popen[str]) -> tuple[str, float]:
    """The first line the sandbox prints, and how long after the start it came."""
    started = time.monotonic()
    assert process.stdout is not None
    line = process.stdout.readline()
    return line.strip(), time.monotonic() - started


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_it_serves_the_page_within_15_seconds_and_stops_cleanly(stop: signal.Signals) -> None:
    port = free_port()
    with sandbox_process(port) as process:
        line, took = first_line(process)
        url = f"http://127.0.0.1:{port}/"
        assert line == f"Alliance sandbox: {url}  (Ctrl-C stops it)"
        page = requests.get(url, timeout=5)
        assert took < READY_SECONDS and page.status_code == 200, took
        state = requests.get(f"{url}sandbox/state", params={"as": "U0MARIA"}, timeout=30)
        assert state.json()["clock"]["date"] == clock.TODAY.isoformat()
        process.send_signal(stop)
        out, err = stopped(process)
    assert process.returncode == 0, err
    assert out.strip() == "Stopping the sandbox." and "Traceback" not in err


def test_the_data_folder_keeps_the_database(tmp_path: Path) -> None:
    data = tmp_path / "sandbox-data"
    with sandbox_process(free_port(), "--data", str(data), "--empty") as process:
        first_line(process)
        assert process.stdout is not None
        assert process.stdout.readline().strip() == f"Its data stays in {data}"
        process.send_signal(signal.SIGINT)
        stopped(process)
    assert process.returncode == 0 and (data / "alliance.db").stat().st_size > 0


def test_a_port_in_use_is_one_clear_line_and_exit_2() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with sandbox_process(port) as process:
            out, err = stopped(process)
    assert process.returncode == 2 and out == ""
    assert err == (
        f"Port {port} on 127.0.0.1 is in use by another program; choose another with --port.\n"
    )
