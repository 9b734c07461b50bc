"""Listeners get the bot's dependencies; slow work runs after the ack with error reporting."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack
from slack_bolt.kwargs_injection import Args

from handlers.errors import report_failure
from services.deps import Deps


def with_deps(listener: Callable[..., Any], deps: Deps) -> Callable[[Args], Any]:
    """The listener, given the Bolt arguments it names plus `deps` (a keyword-only parameter)."""
    spec = inspect.getfullargspec(listener)
    extra = {"deps": deps} if "deps" in spec.kwonlyargs else {}

    def run(args: Args) -> Any:
        return listener(**{name: getattr(args, name) for name in spec.args}, **extra)

    run.__name__ = listener.__name__
    return run


def in_background(work: Callable[..., None], deps: Deps) -> Callable[[Args], None]:
    """A lazy listener: runs after the ack, and reports failures like any other listener."""
    bound = with_deps(work, deps)

    def run(args: Args) -> None:
        try:
            bound(args)
        except Exception as error:
            report_failure(error, args.body, args.logger, respond=args.respond)

    run.__name__ = work.__name__
    return run


def acknowledge(ack: Ack) -> None:
    """The ack of a surface whose whole work happens in the background."""
    ack()
