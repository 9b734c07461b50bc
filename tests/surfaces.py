"""What the code registers with Bolt, found by running each surface's register() on a recorder."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.app import SURFACES
from db.engine import Database
from services.deps import Deps

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "handlers", "scheduler", "db", "domain", "services")


class RecordingApp:
    """Stands in for slack_bolt.App during registration only: records what is registered."""

    KINDS = (
        "command",
        "event",
        "action",
        "view",
        "view_submission",
        "view_closed",
        "shortcut",
        "options",
        "message",
    )

    def __init__(self) -> None:
        self.registered: dict[str, set[str]] = defaultdict(set)

    def __getattr__(self, kind: str) -> Callable[..., Any]:
        if kind not in self.KINDS:
            raise AttributeError(kind)

        def register(constraint: Any, *_: Any, **__: Any) -> Callable[..., Any]:
            self.registered[kind].add(
                constraint
                if isinstance(constraint, str)
                else constraint.pattern
                if isinstance(constraint, re.Pattern)
                else constraint.get("type", str(constraint))
            )
            return lambda *args, **kwargs: None

        return register


def registered_surfaces() -> dict[str, set[str]]:
    recorder = RecordingApp()
    deps = Deps(database=Database("sqlite://"))
    for surface in SURFACES:
        surface.register(recorder, deps)  # type: ignore[arg-type]
    return dict(recorder.registered)


WEB_API_CALL = re.compile(r"\bclient\.([a-z]+(?:_[a-zA-Z0-9]+)+)\(")


def web_api_methods_called() -> set[str]:
    """Every Web API method the code calls through a WebClient, as Slack names it."""
    found: set[str] = set()
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            for name in WEB_API_CALL.findall(path.read_text()):
                found.add(_slack_method_name(name))
    return found


def _slack_method_name(python_name: str) -> str:
    family, _, rest = python_name.partition("_")
    words = rest.split("_")
    return f"{family}.{words[0]}{''.join(word.capitalize() for word in words[1:])}"
