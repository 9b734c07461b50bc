"""The HTTP surface: Slack's requests at /slack/events and a health check at /healthz."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from bot import __version__
from db.engine import Database

SLACK_PATH = "/slack/events"
HEALTH_PATH = "/healthz"

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def build_wsgi_app(app: App, database: Database) -> WSGIApp:
    """HTTP mode: Slack's requests go to Bolt, which verifies their signatures."""
    return _with_health(database, SlackRequestHandler(app, path=SLACK_PATH))


def build_health_app(database: Database) -> WSGIApp:
    """Socket Mode: Slack's requests arrive over the WebSocket, so HTTP serves health only."""
    return _with_health(database, _not_found)


def _with_health(database: Database, otherwise: WSGIApp) -> WSGIApp:
    def wsgi(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == HEALTH_PATH:
            return _health(database, start_response)
        return otherwise(environ, start_response)

    return wsgi


def _not_found(_environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    start_response("404 Not Found", [("Content-Type", "text/plain"), ("Content-Length", "9")])
    return [b"Not Found"]


def _health(database: Database, start_response: StartResponse) -> list[bytes]:
    healthy = database.is_reachable()
    body = json.dumps(
        {
            "status": "ok" if healthy else "unavailable",
            "database": "ok" if healthy else "unreachable",
            "version": __version__,
        }
    ).encode()
    start_response(
        "200 OK" if healthy else "503 Service Unavailable",
        [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(body))),
            ("Cache-Control", "no-store"),
        ],
    )
    return [body]
