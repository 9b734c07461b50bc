"""GET /healthz: 200 while the database answers, 503 when it does not."""

from __future__ import annotations

import io
import json
from typing import Any

import requests

from bot.web import build_wsgi_app
from db.engine import Database
from tests.botprocess import BotProcess


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
            build_wsgi_app(app=None, database=unreachable, signing_secret="unused"), "/healthz"
        )
    finally:
        unreachable.dispose()
    assert status == "503 Service Unavailable"
    report = json.loads(body)
    assert (report["status"], report["database"]) == ("unavailable", "unreachable")
