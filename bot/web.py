"""The HTTP surface: Slack's requests at /slack/events and a health check at /healthz."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl

from slack_bolt import App, BoltContext, BoltRequest, BoltResponse
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_bolt.request.internals import build_context

from bot import __version__
from db.engine import Database

SLACK_PATH = "/slack/events"
FORM = "application/x-www-form-urlencoded"
HEALTH_PATH = "/healthz"

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def build_wsgi_app(app: App, database: Database) -> WSGIApp:
    """HTTP mode: Slack's requests go to Bolt, which verifies their signatures."""
    return _with_health(database, _SlackRequests(app, path=SLACK_PATH))


class _SlackRequests(SlackRequestHandler):
    """Bolt's WSGI handler, with form bodies read correctly when a typed text says "payload".

    Bolt takes any form body containing the word "payload" for an interactive payload, so
    `/alliance learned payload sizes matter` would arrive empty and be answered 404. The raw
    body, which the signature covers, is left as it came.
    """

    def dispatch(self, request: WsgiHttpRequest) -> BoltResponse:
        bolt_request = BoltRequest(
            body=request.get_body(), query=request.query_string, headers=request.get_headers()
        )
        if not bolt_request.body and bolt_request.content_type == FORM:
            fields = dict(parse_qsl(bolt_request.raw_body, keep_blank_values=True))
            if "payload" not in fields:
                bolt_request.body = fields
                bolt_request.context = build_context(BoltContext({}), fields)
        return self.app.dispatch(bolt_request)


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
