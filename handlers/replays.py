"""A signed request is good once: the same signature sent again is refused.

Slack signs each request afresh, and retries events under the same `event_id` (which
`on_event` already handles once), so a second request with a signature seen before is a
replay by someone who captured it within the signature's five minutes. Signatures are
recorded with the processed events, so every process sharing the database refuses it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import BoltRequest, BoltResponse

from services.deps import Deps
from services.events import claim_event

SIGNATURE_HEADER = "x-slack-signature"
REPLAYED = "replayed request"


def refuse_replays(deps: Deps) -> Callable[..., Any]:
    """Bolt middleware, run on requests whose signature bot/web.py has verified."""

    def middleware(request: BoltRequest, next: Callable[[], BoltResponse]) -> Any:
        signature = _signature(request)
        if signature is None or request.body.get("type") == "event_callback":
            return next()
        fresh = claim_event(
            deps.database,
            event_id=signature,
            team_id=str(request.context.team_id or ""),
            event_type=f"signed {request.body.get('type') or 'command'}",
            now=deps.clock(),
        )
        return next() if fresh else BoltResponse(status=401, body=REPLAYED)

    return middleware


def _signature(request: BoltRequest) -> str | None:
    """The signature's hex digest (64 characters), or None when the request carried none
    (Socket Mode)."""
    values = request.headers.get(SIGNATURE_HEADER) or []
    signature = values[0] if values else ""
    return signature.removeprefix("v0=")[:64] or None
