"""The one place failures are logged and turned into a short, friendly word to the person."""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

from slack_bolt import BoltResponse
from slack_bolt.context.respond import Respond

from handlers.views import build_error_blocks, error_text


def handle_error(error: Exception, body: dict[str, Any], logger: logging.Logger) -> BoltResponse:
    """Bolt's global error handler: log with a request id, answer the person kindly."""
    request_id = report_failure(error, body, logger)
    if body.get("type") == "event_callback":
        return BoltResponse(status=200, body="")  # a retry would fail the same way
    return _ephemeral_reply(request_id)


def report_failure(
    error: Exception,
    body: dict[str, Any],
    logger: logging.Logger,
    *,
    respond: Respond | None = None,
) -> str:
    request_id = uuid.uuid4().hex[:12]
    logger.exception(
        "request %s failed (%s from %s): %s",
        request_id,
        _surface(body),
        _user_id(body) or "unknown user",
        error,
        exc_info=error,
    )
    if respond is not None and body.get("response_url"):
        respond(
            text=error_text(request_id),
            blocks=build_error_blocks(request_id),
            response_type="ephemeral",
            replace_original=False,
        )
    return request_id


def _ephemeral_reply(request_id: str) -> BoltResponse:
    payload = {
        "response_type": "ephemeral",
        "text": error_text(request_id),
        "blocks": build_error_blocks(request_id),
    }
    return BoltResponse(
        status=200,
        body=json.dumps(payload),
        headers={"content-type": "application/json;charset=utf-8"},
    )


def _surface(body: dict[str, Any]) -> str:
    if "command" in body:
        return f"command {body['command']}"
    if body.get("type") == "event_callback":
        return f"event {body.get('event', {}).get('type')}"
    return str(body.get("type", "request"))


def _user_id(body: dict[str, Any]) -> str | None:
    user = body.get("user_id") or body.get("user") or body.get("event", {}).get("user")
    if isinstance(user, dict):
        user = user.get("id")
    return user if isinstance(user, str) else None
