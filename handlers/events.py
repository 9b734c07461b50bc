"""Events API listeners: the Home tab, and profile changes Slack tells us about."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from handlers.home import publish_home
from handlers.slack_users import fetch_profile, profile_from_slack_user
from handlers.wiring import on_event
from services.deps import Deps
from services.people import remember_person, save_profile


def register(app: App, deps: Deps) -> None:
    # Acknowledge first, work after: Slack retries an event it has not seen acknowledged in 3 s.
    on_event(app, "app_home_opened", handle_event_app_home_opened, deps)
    on_event(app, "user_change", handle_event_user_change, deps)


def handle_event_app_home_opened(
    event: dict[str, Any], body: dict[str, Any], client: WebClient, *, deps: Deps
) -> None:
    if event.get("tab", "home") != "home":
        return
    team_id = body["team_id"]
    person = remember_person(
        deps.database,
        team_id=team_id,
        user_id=event["user"],
        now=deps.clock(),
        fetch=fetch_profile(client, team_id),
    )
    first_name = (person.real_name or person.name).split(" ")[0]
    publish_home(client, deps, team_id, event["user"], first_name)


def handle_event_user_change(event: dict[str, Any], body: dict[str, Any], *, deps: Deps) -> None:
    profile = profile_from_slack_user({"team_id": body["team_id"], **event["user"]})
    save_profile(deps.database, profile, deps.clock())
