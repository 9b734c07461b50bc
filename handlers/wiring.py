"""Listeners get the bot's dependencies; slow work runs after the ack with error reporting."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App
from slack_bolt.kwargs_injection import Args

from handlers.admission import admit, seen_before
from handlers.errors import report_failure
from handlers.redelivery import REDELIVERED
from services import inbox
from services.deps import Deps
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
    answer: Callable[..., Any],
    work: Callable[..., None],
    deps: Deps,
    *,
    owes_work: Callable[[dict[str, Any]], bool] = lambda _body: True,
) -> Callable[[Args], Any]:
    """A Bolt listener: `answer` acks in the request thread, then `work` runs on the bot's pool.

    This is what Bolt's lazy listeners do, without their deep copy of the whole request (the
    Web API client included), which cost about a millisecond of CPU per request. In HTTP and
    Socket Mode nothing touches the request after the ack, so `work` can share it. The work is
    written down in the inbox, to be finished after a crash, when `owes_work(body)` says the
    person would miss it.
    """
    ack_now = with_deps(answer, deps)
    later = with_deps(work, deps)

    def run(args: Args) -> Any:
        if args.context.get(REDELIVERED) is not None:  # acked by a process that died since
            args.ack()
            _reporting_failures(later, args)
            return None
        admission = admit(args, deps, owes_work=owes_work(args.body))
        if not admission.fresh:
            return seen_before(args.body)
        try:
            answered = ack_now(args)
        except BaseException:
            _cleared(deps, admission.owed)
            raise
        deps.background.submit(_done_then_cleared, later, args, deps, admission.owed)
        return answered

    run.__name__ = answer.__name__
    return run


def answered_in_request(listener: Callable[..., Any], deps: Deps) -> Callable[[Args], Any]:
    """A Bolt listener whose whole work is done before its ack: taken once, and owing nothing
    after it (should its process die first, Slack shows the person an error and they can
    send it again)."""
    run_now = with_deps(listener, deps)

    def run(args: Args) -> Any:
        if not admit(args, deps, owes_work=False).fresh:
            return seen_before(args.body)
        return run_now(args)

    run.__name__ = listener.__name__
    return run


def _done_then_cleared(
    work: Callable[[Args], Any], args: Args, deps: Deps, owed: int | None
) -> None:
    try:
        _reporting_failures(work, args)
    finally:
        _cleared(deps, owed)


def _cleared(deps: Deps, owed: int | None) -> None:
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
    """Listen for an Events API event: acknowledged at once, handled once however often sent
    (handlers/admission.py)."""
    app.event(event_type)(acknowledged(acknowledge, work, deps))


def acknowledge(ack: Ack) -> None:
    """The ack of a surface whose whole work happens in the background."""
    ack()
