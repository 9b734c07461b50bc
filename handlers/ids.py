"""Every Slack surface id the bot registers, defined once for listeners, builders and tests."""

from __future__ import annotations

from domain.commands import COMMAND

__all__ = ["ACTIONS", "ACTION_OPEN_GUIDE", "COMMAND", "EVENTS", "VIEW_GUIDE"]

# Events API subscriptions, each with a listener in handlers.events.
EVENTS = ("app_home_opened", "user_change")

# Block actions, each with a listener in handlers.actions, and the views they open.
ACTION_OPEN_GUIDE = "home_open_guide"
ACTIONS = (ACTION_OPEN_GUIDE,)

VIEW_GUIDE = "alliance_guide"
