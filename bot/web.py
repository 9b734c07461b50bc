"""The HTTP surface: Slack's requests at /slack/events and a health check at /healthz."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl

from prometheus_client import CONTENT_TYPE_LATEST
from slack_bolt import App, BoltContext, BoltRequest, BoltResponse
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_bolt.request.internals import build_context
from sqlalchemy.exc import SQLAlchemyError

from bot import __version__
from services.health import HealthCheck

logger = logging.getLogger(__name__)
SLACK_PATH = "/slack/events"
SIGNATURE_WINDOW_SECONDS = 5 * 60  # as Slack documents, against replays of old requests
FORM = "application/x-www-form-urlencoded"
HEALTH_PATH = "/healthz"
METRICS_PATH = "/metrics"

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def build_wsgi_app(app: App, health: HealthCheck, signing_secret: str) -> WSGIApp:
    """HTTP mode: Slack's requests go to Bolt once their signature is verified."""
    return _with_health(health, _SlackRequests(app, path=SLACK_PATH, secret=signing_secret))


class _SlackRequests(SlackRequestHandler):
    """Bolt's WSGI handler, verifying first and parsing second: anything not signed by Slack
    is 401 and anything signed that is not what Slack sends is 400, each one log line, before
    Bolt reads it. Form bodies are read correctly when a typed text says "payload": Bolt takes
    any form body containing the word for an interactive payload, so `/alliance learned
    payload sizes matter` would arrive empty. The raw body, which the signature covers, is
    left as it came.
    """

    def __init__(self, app: App, path: str, secret: str) -> None:
        super().__init__(app, path)
        self.secret = secret.encode()

    def dispatch(self, request: WsgiHttpRequest) -> BoltResponse:
        raw = _raw_body(request)
        headers = request.get_headers()
        if not _signed(self.secret, raw, headers):
            logger.info("refused a request without a valid Slack signature (401)")
            return BoltResponse(status=401, body="")
        try:
            body = raw.decode("utf-8")
            check_slack_shape(body, str(headers.get("content-type") or ""))
        except ValueError as problem:
            logger.info("refused a signed request that is not what Slack sends (400): %s", problem)
            return BoltResponse(status=400, body="")
        bolt_request = BoltRequest(body=body, query=request.query_string, headers=headers)
        if not bolt_request.body and bolt_request.content_type == FORM:
            fields = dict(parse_qsl(bolt_request.raw_body, keep_blank_values=True))
            if "payload" not in fields:
                bolt_request.body = fields
                bolt_request.context = build_context(BoltContext({}), fields)
        return self.app.dispatch(bolt_request)


def _raw_body(request: WsgiHttpRequest) -> bytes:
    environ = request.environ
    length = int(environ.get("CONTENT_LENGTH") or 0)
    return bytes(environ["wsgi.input"].read(length)) if "wsgi.input" in environ else b""


def _signed(secret: bytes, raw: bytes, headers: dict[str, Any]) -> bool:
    """Slack's v0 signature over the raw bytes, within five minutes of now. (slack_sdk's
    verifier decodes the body first, so a signed body that is not UTF-8 would fail there.)"""
    timestamp = str(headers.get("x-slack-request-timestamp") or "")
    signature = str(headers.get("x-slack-signature") or "")
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > SIGNATURE_WINDOW_SECONDS:
        return False
    base = b"v0:" + timestamp.encode() + b":" + raw
    expected = "v0=" + hmac.new(secret, base, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature)


def check_slack_shape(body: str, content_type: str) -> None:
    """ValueError unless the body is shaped as Slack sends it: a JSON object for the Events
    API, form fields for a command, and for interactivity a `payload` field holding a JSON
    object with a type, whose actions or view are there when its type has them."""
    if content_type.split(";")[0].strip() == "application/json":
        if not isinstance(json.loads(body), dict):
            raise ValueError("the JSON body is not an object")
        return
    fields = dict(parse_qsl(body, keep_blank_values=True))
    if "payload" not in fields or "command" in fields:
        return
    payload = json.loads(fields["payload"])
    if not isinstance(payload, dict) or not isinstance(payload.get("type"), str):
        raise ValueError("the payload is not an object with a type")
    if payload["type"] == "block_actions" and not payload.get("actions"):
        raise ValueError("block_actions without actions")
    if payload["type"] in ("view_submission", "view_closed"):
        view = payload.get("view")
        if not isinstance(view, dict) or not {"id", "callback_id"} <= view.keys():
            raise ValueError(f"{payload['type']} without a view's id and callback_id")


def build_health_app(health: HealthCheck) -> WSGIApp:
    """Socket Mode: Slack's requests arrive over the WebSocket, so HTTP serves health only."""
    return _with_health(health, _not_found)


def _with_health(health: HealthCheck, otherwise: WSGIApp) -> WSGIApp:
    def wsgi(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == HEALTH_PATH:
            return _health(health, start_response)
        if environ.get("PATH_INFO") == METRICS_PATH:
            return _metrics(health, start_response)
        return otherwise(environ, start_response)

    return wsgi


def _not_found(_environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    start_response("404 Not Found", [("Content-Type", "text/plain"), ("Content-Length", "9")])
    return [b"Not Found"]


def _metrics(health: HealthCheck, start_response: StartResponse) -> list[bytes]:
    try:
        body = health.metrics()
    except SQLAlchemyError as error:  # the backlog is unknown: say so, as /healthz does
        logger.warning("/metrics: the database did not answer: %s", error)
        start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
        return [b"database unreachable\n"]
    start_response(
        "200 OK",
        [
            ("Content-Type", CONTENT_TYPE_LATEST),
            ("Content-Length", str(len(body))),
            ("Cache-Control", "no-store"),
        ],
    )
    return [body]


def _health(health: HealthCheck, start_response: StartResponse) -> list[bytes]:
    """200 only while the database answers: a load balancer sends nothing to a process that
    could not record what it is sent. The JSON says its role and the outbox's backlog."""
    healthy, facts = health.report()
    body = json.dumps({**facts, "version": __version__}).encode()
    start_response(
        "200 OK" if healthy else "503 Service Unavailable",
        [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(body))),
            ("Cache-Control", "no-store"),
        ],
    )
    return [body]
