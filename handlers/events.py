"""Events API listeners: the Home tab, and profile changes Slack tells us about."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from handlers.slack_users import fetch_profile, profile_from_slack_user
from handlers.views import build_home_welcome
from handlers.wiring import acknowledge, in_background
from services.deps import Deps
from services.people import remember_person, save_profile


def register(app: App, deps: Deps) -> None:
    # Acknowledge first, work after: Slack retries an event it has not seen acknowledged in 3 s.
    app.event("app_home_opened")(
        ack=acknowledge, lazy=[in_background(handle_event_app_home_opened, deps)]
    )
    app.event("user_change")(ack=acknowledge, lazy=[in_background(handle_event_user_change, deps)])


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
    client.views_publish(user_id=event["user"], view=build_home_welcome(first_name))


def handle_event_user_change(event: dict[str, Any], body: dict[str, Any], *, deps: Deps) -> None:
    profile = profile_from_slack_user({"team_id": body["team_id"], **event["user"]})
    save_profile(deps.database, profile, deps.clock())
