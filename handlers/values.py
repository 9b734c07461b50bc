"""Values and aspirations: the DM conversation, its summary, editing, sharing, company values."""

from __future__ import annotations

from slack_bolt import App

from domain.conversations import Flow, FlowName
from handlers.conversation_views import Completion
from handlers.subcommands import SubcommandHandler
from services.deps import Deps

# To be built: see the values task.
FLOWS: dict[FlowName, Flow] = {}
COMPLETIONS: dict[FlowName, Completion] = {}
SUBCOMMAND: SubcommandHandler | None = None


def register(app: App, deps: Deps) -> None:
    """Registers the values surfaces (actions and views)."""
