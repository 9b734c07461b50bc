"""Tours of duty: the statement modal, proposals in DMs, agreement, and reading tours."""

from __future__ import annotations

from domain.conversations import Flow, FlowName
from handlers.conversation_views import Completion

FLOWS: dict[FlowName, Flow] = {}
COMPLETIONS: dict[FlowName, Completion] = {}
