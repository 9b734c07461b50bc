"""One log line per request Slack sends: its kind, who, how long the answer took, and how it
went. Never the text: what people type stays out of the log."""

from __future__ import annotations

import logging
import time
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse

from domain.commands import SUBCOMMANDS_BY_NAME, parse_command_text
from services.metrics import count_request

logger = logging.getLogger("alliance.requests")


def request_kind(body: dict[str, Any]) -> str:
    """ "command tour", "action tour_accept", "view_submission tour_statement", "event
    app_home_opened": ids the bot defined or Slack's types, never anything typed."""
    if "command" in body:
        name = parse_command_text(str(body.get("text") or "")).name
        return f"command {name if name in SUBCOMMANDS_BY_NAME else '(other)'}"
    kind = str(body.get("type") or "unknown")
    if kind == "block_actions":
        actions = body.get("actions") or [{}]
        return f"action {actions[0].get('action_id', '?')}"
    if kind in ("view_submission", "view_closed"):
        return f"{kind} {(body.get('view') or {}).get('callback_id', '?')}"
    if kind == "event_callback":
        return f"event {(body.get('event') or {}).get('type', '?')}"
    return kind


class LoggedApp(App):
    """Bolt's App, logging each request it dispatches, over HTTP or Socket Mode. (Bolt runs
    listeners after every middleware has returned, so a middleware cannot time the ack.)"""

    def dispatch(self, req: BoltRequest) -> BoltResponse:
        started = time.monotonic()
        outcome = "failed"
        try:
            response = super().dispatch(req)
            outcome = str(response.status)
            return response
        finally:
            seconds = time.monotonic() - started
            kind = request_kind(req.body)
            logger.info(
                "%s user=%s %dms %s", kind, req.context.user_id or "-", seconds * 1000, outcome
            )
            # An id's suffix (`review_gap_resolved:<gap id>`) would make a series per row.
            count_request(kind.partition(":")[0], outcome, seconds)
