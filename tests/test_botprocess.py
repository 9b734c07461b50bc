"""The tests' own wait for a starting bot: a slow first answer is waited for, not a failure."""

from __future__ import annotations

import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from tests.botprocess import BotProcess

FIRST_ANSWER_DELAY = 1.5  # longer than the health check's 1 s timeout


class _SlowFirstHealth(BaseHTTPRequestHandler):
    answered = 0

    def do_GET(self) -> None:
        type(self).answered += 1
        if type(self).answered == 1:
            time.sleep(FIRST_ANSWER_DELAY)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""


def test_a_slow_first_health_answer_is_waited_for(tmp_path: Path) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _SlowFirstHealth)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    bot = BotProcess({}, tmp_path / "bot.log")
    bot.url = f"http://127.0.0.1:{server.server_address[1]}"
    bot.process = subprocess.Popen(["sleep", "30"])  # a process that is still starting
    try:
        bot.wait_healthy(timeout=10)
    finally:
        bot.process.kill()
        bot.process.wait()
        server.shutdown()
    assert _SlowFirstHealth.answered >= 2
