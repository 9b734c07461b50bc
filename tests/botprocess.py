"""A real `alliance run` process for end-to-end tests, configured to talk to a fake Slack."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests import clock

SIGNING_SECRET = "test-signing-secret"
BOT_TOKEN = "xoxb-test-token"


# The alumni channel of the shared test bot.
ALUMNI_CHANNEL = "CALUMNI01"
# Where the shared test bot posts learnings.
LEARNING_CHANNEL = "CLEARN001"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def bot_environment(slack_api_url: str, database_url: str, **extra: str) -> dict[str, str]:
    """The variables a test bot runs with; nothing is inherited from a developer's .env."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SLACK_", "ALLIANCE_"))
    }
    env.update(
        {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": slack_api_url,
            "DATABASE_URL": database_url,
            "ALLIANCE_ENV_FILE": os.devnull,
            "LOG_LEVEL": "INFO",
            # Tests run the weekly digest's job at the moments they choose, not on the clock.
            "ALLIANCE_LEADERSHIP_DIGEST": "off",
            # The bot's clock is the tests' clock (tests/clock.py), whatever today's date is.
            "ALLIANCE_CLOCK_SHIFT_SECONDS": f"{clock.SHIFT.total_seconds():.6f}",
        }
    )
    env.update(extra)
    return env


class BotProcess:
    """`alliance run` in a child process, with its log kept in a file for assertions."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.port = free_port()
        self.env = {**env, "PORT": str(self.port)}
        self.log_path = log_path
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 30.0) -> BotProcess:
        self.launch()
        self.wait_healthy(timeout)
        return self

    def launch(self) -> None:
        """Start it without waiting for it to serve."""
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [str(Path(sys.executable).with_name("alliance")), "run"],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so kill() reaches every worker
        )

    def wait_healthy(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise AssertionError(f"alliance run exited early:\n{self.log()}")
            try:
                if requests.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except (requests.ConnectionError, requests.Timeout):  # not up, or slow to answer
                pass
            time.sleep(0.05)  # polling a starting process, not waiting on a job
        raise AssertionError(f"alliance run did not become healthy:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def terminate(self, timeout: float = 15.0) -> tuple[int, float]:
        """Send SIGTERM; returns the exit code and the seconds it took to exit."""
        assert self.process is not None
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=timeout)
        return code, time.monotonic() - started

    def kill(self) -> None:
        """SIGKILL the bot and its worker processes at once, as a crash or the OOM killer would."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.terminate()
