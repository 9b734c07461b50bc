"""manifest.yml is a valid Slack app manifest and declares exactly what the code uses."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest
import yaml

from domain.commands import SUBCOMMANDS
from tests.surfaces import ROOT, registered_surfaces, web_api_methods_called

SCHEMA = ROOT / "tests" / "data" / "slack-manifest-schema" / "manifest.schema.1.0.0.json"

# Bot scopes each Web API method needs (https://api.slack.com/methods); None: no scope needed.
METHOD_SCOPES: dict[str, str | tuple[str, ...] | None] = {
    "users.info": "users:read",
    "users.lookupByEmail": ("users:read", "users:read.email"),
    "views.publish": None,
    "views.open": None,
    "views.update": None,
    "views.push": None,
    "chat.postMessage": "chat:write",
    "chat.update": "chat:write",
    "chat.postEphemeral": "chat:write",
    "conversations.open": "im:write",
    # The outbox looks for its own messages in DMs, the alumni channel and the leadership
    # channel, which is often private.
    "conversations.history": ("im:history", "channels:history", "groups:history"),
    "auth.test": None,
    "files.uploadV2": "files:write",
    # The alumni channel may be public or private.
    "conversations.invite": ("channels:manage", "groups:write"),
    "conversations.inviteShared": "conversations.connect:write",
    "files.getUploadURLExternal": "files:write",
    "files.completeUploadExternal": "files:write",
    "files.info": "files:read",
}
EVENT_SCOPES: dict[str, str | None] = {
    "app_home_opened": None,
    "user_change": "users:read",
    "message.im": "im:history",
    "message.channels": "channels:history",
    "message.groups": "groups:history",
}
# Bolt listens for `message`; the manifest subscribes to DMs and to public and private channels
# (the bot is a member of the alumni channel, public or private, so that is all it hears).
SUBSCRIPTIONS = {"message": ("message.im", "message.channels", "message.groups")}


def subscribed_events() -> set[str]:
    return {
        subscription
        for event in registered_surfaces()["event"]
        for subscription in SUBSCRIPTIONS.get(event, (event,))
    }


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "manifest.yml").read_text())


def test_manifest_follows_slacks_schema(manifest: dict[str, Any]) -> None:
    jsonschema.validate(manifest, json.loads(SCHEMA.read_text()))


def test_every_registered_command_is_declared_and_the_reverse(manifest: dict[str, Any]) -> None:
    declared = {command["command"] for command in manifest["features"]["slash_commands"]}
    assert declared == registered_surfaces()["command"]
    [alliance] = manifest["features"]["slash_commands"]
    assert alliance["usage_hint"].split(" | ") == [s.name for s in SUBCOMMANDS]


def test_every_registered_event_is_subscribed_and_the_reverse(manifest: dict[str, Any]) -> None:
    subscribed = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    assert subscribed == subscribed_events()


def test_interactivity_is_on_exactly_when_actions_or_views_are_handled(
    manifest: dict[str, Any],
) -> None:
    surfaces = registered_surfaces()
    interactive = any(
        surfaces.get(kind)
        for kind in ("action", "view", "view_submission", "view_closed", "shortcut", "options")
    )
    assert manifest["settings"]["interactivity"]["is_enabled"] == interactive


def test_home_tab_is_enabled_because_the_bot_publishes_it(manifest: dict[str, Any]) -> None:
    assert "views.publish" in web_api_methods_called()
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True


def _scopes(needs: str | tuple[str, ...] | None) -> tuple[str, ...]:
    return () if needs is None else (needs,) if isinstance(needs, str) else needs


def test_bot_scopes_are_the_least_that_cover_every_call(manifest: dict[str, Any]) -> None:
    called = web_api_methods_called()
    unknown = called - METHOD_SCOPES.keys()
    assert not unknown, f"add the scope these methods need to METHOD_SCOPES: {unknown}"
    needed = {scope for method in called for scope in _scopes(METHOD_SCOPES[method])}
    needed |= {EVENT_SCOPES[event] for event in subscribed_events()}
    if registered_surfaces().get("command"):
        needed.add("commands")
    needed.discard(None)
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == needed
