"""Block actions: buttons pressed in messages, modals and the Home tab."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from handlers.ids import ACTION_OPEN_GUIDE
from handlers.views import build_guide_modal
from handlers.wiring import acknowledge, acknowledged
from services.deps import Deps


def register(app: App, deps: Deps) -> None:
    app.action(ACTION_OPEN_GUIDE)(acknowledged(acknowledge, handle_action_open_guide, deps))


def handle_action_open_guide(body: dict[str, Any], client: WebClient) -> None:
    client.views_open(trigger_id=body["trigger_id"], view=build_guide_modal())
