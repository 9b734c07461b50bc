"""Running slow work after the ack, with the bot's dependencies and its error reporting."""

from __future__ import annotations

import inspect
from collections.abc import Callable

from slack_bolt import Ack
from slack_bolt.kwargs_injection import Args

from handlers.errors import report_failure
from services.deps import Deps


def in_background(work: Callable[..., None], deps: Deps) -> Callable[[Args], None]:
    """A lazy listener: runs after the ack, and reports failures like any other listener."""
    spec = inspect.getfullargspec(work)
    extra = {"deps": deps} if "deps" in spec.kwonlyargs else {}

    def run(args: Args) -> None:
        try:
            work(**{name: getattr(args, name) for name in spec.args}, **extra)
        except Exception as error:
            report_failure(error, args.body, args.logger, respond=args.respond)

    run.__name__ = work.__name__
    return run


def acknowledge(ack: Ack) -> None:
    """The ack of a surface whose whole work happens in the background."""
    ack()
