"""Each request is taken once, and what it owes is written down before its ack, in one
transaction (services/inbox.admit).

Slack signs each request afresh, and retries events under the same `event_id`: an event seen
before is acknowledged and not handled again, and any other request whose signature was seen
before is a replay by someone who captured it within the signature's five minutes (401).
Both are recorded with the processed events, so every process sharing the database knows
them. A request no listener takes does nothing, so it is not recorded.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import BoltResponse
from slack_bolt.kwargs_injection import Args

from handlers.request_log import request_kind
from services import inbox
from services.deps import Deps

SIGNATURE_HEADER = "x-slack-signature"
REPLAYED = "replayed request"


def admit(args: Args, deps: Deps, *, owes_work: bool) -> inbox.Admission:
    """Take the request once; with `owes_work`, also write it down in this process's inbox
    (when it keeps one), as work still owed after the ack."""
    return inbox.admit(
        deps.database,
        _arrival(args),
        worker_id=deps.worker_id if owes_work and deps.inbox is not None else None,
        now=deps.clock(),
    )


def seen_before(body: dict[str, Any]) -> BoltResponse:
    """A retried event is acknowledged again; any other request seen before is refused."""
    if body.get("type") == "event_callback":
        return BoltResponse(status=200, body="")
    return BoltResponse(status=401, body=REPLAYED)


def _arrival(args: Args) -> inbox.Arrival:
    once_as, once_type = _name(args)
    return inbox.Arrival(
        team_id=str(args.context.team_id or ""),
        user_id=str(args.context.user_id or ""),
        kind=request_kind(args.body),
        body=args.body,
        once_as=once_as,
        once_type=once_type,
    )


def _name(args: Args) -> tuple[str | None, str]:
    """What names the request once (an event's id, else its signature), and its type."""
    body = args.body
    if body.get("type") == "event_callback":
        event_type = str((body.get("event") or {}).get("type") or "")
        return str(body.get("event_id") or "") or None, event_type
    return _signature(args), f"signed {body.get('type') or 'command'}"


def _signature(args: Args) -> str | None:
    """The signature's hex digest (64 characters), or None when the request carried none
    (Socket Mode)."""
    values = args.request.headers.get(SIGNATURE_HEADER) or []
    signature = values[0] if values else ""
    return signature.removeprefix("v0=")[:64] or None
