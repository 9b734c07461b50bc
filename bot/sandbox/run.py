"""`alliance sandbox`: the real bot, its scheduler and outbox, behind the stand-in on this
machine, with the page that lets a person be anyone in the demo company."""

from __future__ import annotations

import logging
import secrets
import shutil
import tempfile
import threading
import webbrowser
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from wsgiref.simple_server import make_server

from bot.config import Settings
from bot.runtime import Runtime
from bot.sandbox import demo
from bot.sandbox.clock import MovableClock
from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.page import SandboxPage
from bot.sandbox.signed_requests import SignedRequests
from bot.sandbox.time_travel import TimeTravel
from bot.sandbox.workspace import Workspace
from bot.serve import QuietHandler, ThreadingWSGIServer, stop_on_signals
from bot.web import build_wsgi_app
from db.engine import Database
from db.migrate import upgrade

logger = logging.getLogger(__name__)
HOST = "127.0.0.1"
FIRST_PASS = timedelta(minutes=1)
DEMO_MIN_GROUP_SIZE = 2


@dataclass
class Sandbox:
    slack: FakeSlack
    runtime: Runtime
    workspace: Workspace
    travel: TimeTravel

    @property
    def url(self) -> str:
        return f"{self.slack.base}/"


def sandbox_settings(data: Path, api_url: str, signing_secret: str) -> Settings:
    """The bot's settings in the sandbox: the demo company's channels and admin, its own
    SQLite file, deliveries every second so that moving the clock shows at once, and a
    small-group rule the eight people of the demo can show figures under."""
    return Settings(
        bot_token="xoxb-sandbox",
        signing_secret=signing_secret,
        slack_api_url=api_url,
        database_url=f"sqlite:///{data / 'alliance.db'}",
        admins=frozenset({demo.ADMIN.id}),
        alumni_channel=demo.ALUMNI.id,
        learning_channel=demo.LEARNING.id,
        leadership_channel=demo.LEADERSHIP.id,
        delivery_interval_seconds=1,
        web_threads=8,
        min_group_size=DEMO_MIN_GROUP_SIZE,
    )


@contextmanager
def running_sandbox(
    port: int, data: Path, *, empty: bool = False, today: datetime | None = None
) -> Iterator[Sandbox]:
    """Everything started, the demo company built unless `empty`, its history played up to
    `today` (the real now unless given); stopped on leaving. OSError when the port is taken."""
    slack = FakeSlack(team=demo.TEAM_NAME, team_domain="acme-robotics", port=port).start()
    try:
        today = today or datetime.now(UTC)
        clock = MovableClock(today if empty else demo.demo_start(today))
        slack.set_clock(clock.timestamp)
        secret = secrets.token_hex(16)
        settings = sandbox_settings(data, slack.url, secret)
        _migrate(settings)
        runtime = Runtime.start(settings, clock=clock)
        bot = make_server(
            HOST,
            0,
            build_wsgi_app(runtime.app, runtime.health, secret),
            server_class=ThreadingWSGIServer,
            handler_class=QuietHandler,
        )
        threading.Thread(
            target=bot.serve_forever, kwargs={"poll_interval": 0.1}, name="sandbox-bot", daemon=True
        ).start()
        try:
            signed = SignedRequests(
                f"http://{HOST}:{bot.server_port}",
                secret,
                team_id=slack.team_id,
                team_domain=slack.team_domain,
                response_url_base=slack.response_url_base,
            )
            workspace = Workspace(slack, signed, clock)
            travel = TimeTravel(runtime, clock)
            sandbox = Sandbox(slack, runtime, workspace, travel)
            SandboxPage(workspace, _travel_showing(workspace, travel), demo.MARIA.id).mount(slack)
            demo.add_people(workspace)
            if not empty:
                demo.build_demo(workspace, travel.to, today)
            travel.to(clock() + FIRST_PASS)  # what is due now shows on the first screen
            yield sandbox
        finally:
            bot.shutdown()
            bot.server_close()
            runtime.stop()
    finally:
        slack.stop()


def serve_sandbox(
    port: int,
    data: Path | None,
    *,
    open_browser: bool,
    empty: bool,
    today: datetime | None = None,
) -> None:
    """Serve until SIGINT or SIGTERM; OSError when the port is taken. A folder of our own
    (no `data`) goes when the sandbox stops."""
    stopping = stop_on_signals()
    folder = data or Path(tempfile.mkdtemp(prefix="alliance-sandbox-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        with running_sandbox(port, folder, empty=empty, today=today) as sandbox:
            print(f"Alliance sandbox: {sandbox.url}  (Ctrl-C stops it)", flush=True)
            if data is not None:
                print(f"Its data stays in {folder}", flush=True)
            if open_browser:
                webbrowser.open(sandbox.url)
            stopping.wait()
            print("Stopping the sandbox.", flush=True)
    finally:
        if data is None:
            shutil.rmtree(folder, ignore_errors=True)


def _travel_showing(workspace: Workspace, travel: TimeTravel) -> Callable[[datetime], None]:
    """Moving the clock, with the page told it is under way."""

    def move(moment: datetime) -> None:
        workspace.set_busy(True)
        try:
            travel.to(moment)
        finally:
            workspace.set_busy(False)

    return move


def _migrate(settings: Settings) -> None:
    database = Database(settings.database_url)
    try:
        upgrade(database)
    finally:
        database.dispose()
