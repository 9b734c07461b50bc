"""GET /healthz: 200 while the database answers, 503 when it does not."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import requests

from bot.web import build_wsgi_app
from db.engine import Database
from db.migrate import upgrade
from services.health import HealthCheck
from tests import clock
from tests.botprocess import BotProcess
from tests.helpers import plan_message


def test_healthz_is_ok_while_the_database_answers(running_bot: BotProcess) -> None:
    response = requests.get(running_bot.url + "/healthz", timeout=5)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == "ok" and body["database"] == "ok"


def test_unknown_path_is_404(running_bot: BotProcess) -> None:
    assert requests.get(running_bot.url + "/nothing-here", timeout=5).status_code == 404


def call_wsgi(app: Any, path: str) -> tuple[str, bytes]:
    captured: dict[str, str] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        captured["status"] = status

    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "wsgi.input": io.BytesIO(b""),
        "SERVER_PROTOCOL": "HTTP/1.1",
    }
    body = b"".join(app(environ, start_response))
    return captured["status"], body


def test_healthz_is_503_when_the_database_is_unreachable() -> None:
    unreachable = Database("postgresql+psycopg://nobody@127.0.0.1:9/none?connect_timeout=1")
    try:
        # /healthz never reaches Bolt, so no Slack app is needed to check it.
        status, body = call_wsgi(
            build_wsgi_app(None, HealthCheck(unreachable, clock.now), "unused"), "/healthz"
        )
    finally:
        unreachable.dispose()
    assert status == "503 Service Unavailable"
    report = json.loads(body)
    assert (report["status"], report["database"]) == ("unavailable", "unreachable")


def test_healthz_names_the_role_and_the_outbox_backlog(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'health.db'}"
    database = Database(url)
    try:
        upgrade(database)
        now = clock.now()
        for n, waited in enumerate((timedelta(minutes=3), timedelta(seconds=5), timedelta(0))):
            plan_message(url, f"UHEALTH{n}", now - waited)
        plan_message(url, "UHEALTHLATER", now + timedelta(hours=1))  # planned, not due
        health = HealthCheck(database, lambda: now, role=lambda: "standby")
        status, body = call_wsgi(build_wsgi_app(None, health, "unused"), "/healthz")
    finally:
        database.dispose()
    assert status == "200 OK"
    report = json.loads(body)
    assert (report["role"], report["outbox_due"], report["oldest_due_seconds"]) == (
        "standby",
        3,
        180,
    )


def test_the_running_bot_delivers_and_says_so(running_bot: BotProcess) -> None:
    report = requests.get(running_bot.url + "/healthz", timeout=5).json()
    assert report["role"] == "delivering"
    assert isinstance(report["outbox_due"], int)
