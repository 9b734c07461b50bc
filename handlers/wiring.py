"""Listeners get the bot's dependencies; slow work runs after the ack with error reporting."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext, BoltResponse
from slack_bolt.kwargs_injection import Args

from handlers.errors import report_failure
from handlers.redelivery import REDELIVERED
from handlers.request_log import request_kind
from services import inbox
from services.deps import Deps
from services.events import claim_event
from services.refusals import Refusal


def with_deps(listener: Callable[..., Any], deps: Deps) -> Callable[[Args], Any]:
    """The listener, given the Bolt arguments it names plus `deps` (a keyword-only parameter)."""
    spec = inspect.getfullargspec(listener)
    extra = {"deps": deps} if "deps" in spec.kwonlyargs else {}

    def run(args: Args) -> Any:
        return listener(**{name: getattr(args, name) for name in spec.args}, **extra)

    run.__name__ = listener.__name__
    return run


def acknowledged(
    answer: Callable[..., Any], work: Callable[..., None], deps: Deps
) -> Callable[[Args], Any]:
    """A Bolt listener: `answer` acks in the request thread, then `work` runs on the bot's pool.

    This is what Bolt's lazy listeners do, without their deep copy of the whole request (the
    Web API client included), which cost about a millisecond of CPU per request. In HTTP and
    Socket Mode nothing touches the request after the ack, so `work` can share it.
    """
    ack_now = with_deps(answer, deps)
    later = with_deps(work, deps)

    def run(args: Args) -> Any:
        if args.context.get(REDELIVERED) is not None:  # acked by a process that died since
            args.ack()
            _reporting_failures(later, args)
            return None
        owed = _owed(args, deps)
        answered = ack_now(args)
        deps.background.submit(_done_then_cleared, later, args, deps, owed)
        return answered

    run.__name__ = answer.__name__
    return run


def _owed(args: Args, deps: Deps) -> int | None:
    """The request written down in the inbox before its ack (None: no inbox here)."""
    if deps.inbox is None:
        return None
    return inbox.record(
        deps.database,
        team_id=str(args.context.team_id or ""),
        user_id=str(args.context.user_id or ""),
        kind=request_kind(args.body),
        body=args.body,
        worker_id=deps.worker_id,
        now=deps.clock(),
    )


def _done_then_cleared(
    work: Callable[[Args], Any], args: Args, deps: Deps, owed: int | None
) -> None:
    try:
        _reporting_failures(work, args)
    finally:
        if owed is not None:
            inbox.finish(deps.database, owed)


def _reporting_failures(work: Callable[[Args], Any], args: Args) -> None:
    try:
        work(args)
    except Refusal as refusal:  # meant for the person: said in words, not as a failure
        if args.respond is not None and args.body.get("response_url"):
            args.respond(text=refusal.message, response_type="ephemeral", replace_original=False)
    except Exception as error:
        report_failure(error, args.body, args.logger, respond=args.respond)


def on_event(app: App, event_type: str, work: Callable[..., None], deps: Deps) -> None:
    """Listen for an Events API event: acknowledged at once, handled once however often sent."""
    app.event(event_type, middleware=[handled_once(deps)])(acknowledged(acknowledge, work, deps))


def handled_once(deps: Deps) -> Callable[..., BoltResponse | None]:
    """Listener middleware: a delivery Slack retries is acknowledged again but not rerun."""

    def middleware(
        body: dict[str, Any], context: BoltContext, next_: Callable[[], BoltResponse]
    ) -> BoltResponse | None:
        if context.get(REDELIVERED) is not None:  # claimed when it first came
            return next_()
        first_time = claim_event(
            deps.database,
            event_id=body["event_id"],
            team_id=body.get("team_id") or "",
            event_type=(body.get("event") or {}).get("type") or "",
            now=deps.clock(),
        )
        return next_() if first_time else BoltResponse(status=200, body="")

    return middleware


def acknowledge(ack: Ack) -> None:
    """The ack of a surface whose whole work happens in the background."""
    ack()
