"""Serving: gunicorn's threaded workers for HTTP mode, Bolt's Socket Mode client otherwise."""

from __future__ import annotations

import logging
import signal
import threading
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger as GunicornLogger
from slack_bolt.adapter.socket_mode import SocketModeHandler

from bot.app import build_deps
from bot.config import Settings
from bot.logs import LOG_FORMAT, startup_summary
from bot.runtime import Runtime, settle_heap, stop_work
from bot.shared_metrics import forget_worker
from bot.web import build_health_app, build_wsgi_app
from db.engine import Database
from scheduler.runner import build_scheduler

logger = logging.getLogger(__name__)

# SIGTERM must stop the bot within 10 s: requests in flight get 8 of them.
GRACEFUL_TIMEOUT_SECONDS = 8
SIGNAL_CHECK_SECONDS = 0.2


class LoggerInOurFormat(GunicornLogger):  # type: ignore[misc]
    """Gunicorn's own lines (workers booting, stopping) in the format of every other line."""

    error_fmt = LOG_FORMAT
    datefmt = None


class HttpServer(BaseApplication):  # type: ignore[misc]
    """Gunicorn, configured in code; each worker builds its own Runtime after the fork."""

    def __init__(self, settings: Settings, *, with_scheduler: bool = True) -> None:
        self.settings = settings
        self.with_scheduler = with_scheduler
        self.runtime: Runtime | None = None
        super().__init__()

    def load_config(self) -> None:
        config = {
            "bind": f"0.0.0.0:{self.settings.port}",
            "workers": self.settings.web_workers,
            "worker_class": "gthread",
            "threads": self.settings.web_threads,
            "graceful_timeout": GRACEFUL_TIMEOUT_SECONDS,
            "timeout": 30,
            "keepalive": 75,
            "loglevel": self.settings.log_level.lower(),
            "logger_class": LoggerInOurFormat,
            "worker_exit": self._stop_runtime,
            "child_exit": lambda _server, worker: forget_worker(worker.pid),
            "proc_name": "alliance",
            "control_socket_disable": True,
        }
        for key, value in config.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        self.runtime = Runtime.start(self.settings, with_scheduler=self.with_scheduler)
        return build_wsgi_app(self.runtime.app, self.runtime.health, self.settings.signing_secret)

    def _stop_runtime(self, _server: Any, _worker: Any) -> None:
        if self.runtime is not None:
            self.runtime.stop()


def serve_http(settings: Settings, *, with_scheduler: bool = True) -> None:
    workers = f"{settings.web_workers} worker{'' if settings.web_workers == 1 else 's'}"
    serving = f"HTTP on port {settings.port}, {workers} of {settings.web_threads} threads"
    logger.info(startup_summary(settings, serving=serving, with_scheduler=with_scheduler))
    HttpServer(settings, with_scheduler=with_scheduler).run()


def serve_scheduler(settings: Settings) -> None:
    """The scheduler alone, for a deployment that keeps it in its own process; SIGTERM or
    SIGINT lets the jobs in flight finish, then stops."""
    logger.info(startup_summary(settings, serving="no Slack requests", with_scheduler=True))
    database = Database(settings.database_url)
    deps = build_deps(settings, database)
    scheduler = build_scheduler(deps)
    stopping = stop_on_signals()
    settle_heap()
    scheduler.start()
    logger.info("Alliance scheduler is running")
    stopping.wait()
    stop_work(deps, scheduler)
    database.dispose()


class StopSignal:
    """SIGTERM or SIGINT received. The kernel may hand a signal to any thread, and Python runs
    its handler only when the main thread next runs, which a wait without a timeout never
    does: so the wait wakes a few times a second."""

    def __init__(self) -> None:
        self._received = threading.Event()

    def receive(self, signum: int, _frame: Any) -> None:
        logger.info("received signal %d", signum)
        self._received.set()

    def wait(self) -> None:
        while not self._received.wait(SIGNAL_CHECK_SECONDS):
            pass


def stop_on_signals() -> StopSignal:
    stopping = StopSignal()
    signal.signal(signal.SIGTERM, stopping.receive)
    signal.signal(signal.SIGINT, stopping.receive)
    return stopping


def serve_socket_mode(settings: Settings, *, with_scheduler: bool = True) -> None:
    """Connect out to Slack over a WebSocket; SIGTERM or SIGINT closes it cleanly."""
    serving = f"Socket Mode, health checks on port {settings.port}"
    logger.info(startup_summary(settings, serving=serving, with_scheduler=with_scheduler))
    runtime = Runtime.start(settings, with_scheduler=with_scheduler)
    health = make_server(
        "0.0.0.0",
        settings.port,
        build_health_app(runtime.health),
        server_class=ThreadingWSGIServer,
        handler_class=QuietHandler,
    )
    threading.Thread(target=health.serve_forever, name="alliance-health", daemon=True).start()
    handler = SocketModeHandler(
        runtime.app, app_token=settings.app_token, web_client=runtime.app.client
    )
    stopping = stop_on_signals()
    handler.connect()
    logger.info("Alliance is connected to Slack in Socket Mode")
    stopping.wait()
    handler.close()
    health.shutdown()
    runtime.stop()


class ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Health checks every few seconds would drown the log."""
