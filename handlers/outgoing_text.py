"""The fallback `text` of every message the bot sends goes through `as_mrkdwn`, as block text does.

Notifications and screen readers show `text`, and Slack renders it as mrkdwn, so a name in it is
as live as in a block. Messages leave by two roads: the Web API (`chat.*`) and a command's or an
action's `response_url` (Bolt's `respond`); each is wrapped here once, so no listener can forget.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import BoltRequest, BoltResponse
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient
from slack_sdk.web import SlackResponse

from handlers.mrkdwn import as_mrkdwn

MESSAGE_METHODS = frozenset(
    {"chat.postMessage", "chat.postEphemeral", "chat.update", "chat.scheduleMessage"}
)


def _with_safe_text(arguments: dict[str, Any] | None) -> dict[str, Any] | None:
    if arguments and isinstance(arguments.get("text"), str):
        return {**arguments, "text": as_mrkdwn(arguments["text"])}
    return arguments


class MrkdwnSafeClient(WebClient):
    """A WebClient whose message methods send `text` escaped unless it is Mrkdwn."""

    def api_call(
        self,
        api_method: str,
        *,
        json: dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
        data: dict[str, Any] | None = None,
        **rest: Any,
    ) -> SlackResponse:
        if api_method in MESSAGE_METHODS:
            json, params, data = (_with_safe_text(args) for args in (json, params, data))
        return super().api_call(api_method, json=json, params=params, data=data, **rest)


class MrkdwnSafeRespond(Respond):
    """Bolt's `respond`, sending `text` escaped unless it is Mrkdwn."""

    def __call__(self, text: str | dict[str, Any] = "", *args: Any, **kwargs: Any) -> Any:
        if isinstance(text, str):
            text = as_mrkdwn(text)
        return super().__call__(text, *args, **kwargs)


def _safe_copy(client: WebClient) -> MrkdwnSafeClient:
    return MrkdwnSafeClient(
        token=client.token,
        base_url=client.base_url,
        timeout=client.timeout,
        ssl=client.ssl,
        proxy=client.proxy,
        headers=client.headers,
        team_id=client.default_params.get("team_id"),
        logger=client.logger,
        retry_handlers=client.retry_handlers,
    )


def escape_outgoing_text(request: BoltRequest, next: Callable[[], BoltResponse]) -> Any:
    """Bolt middleware: every listener's `client`, `say` and `respond` are the escaping ones.

    Bolt gives each request a new plain WebClient, whatever client the App was built with."""
    context = request.context
    if not isinstance(context.client, MrkdwnSafeClient):
        context["client"] = _safe_copy(context.client)
        context.pop("say", None)  # built from the plain client if anything asked for it already
    plain = context.respond
    if plain is not None:
        context["respond"] = MrkdwnSafeRespond(
            response_url=plain.response_url, proxy=plain.proxy, ssl=plain.ssl
        )
    return next()
