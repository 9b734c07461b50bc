"""The app factory: a Bolt App wired to our store, listeners and error handling."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_bolt import App, BoltResponse
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.config import Settings
from handlers import actions, commands, events, messages, tours, values
from handlers.errors import handle_error
from services.deps import Deps
from services.events import claim_event

SURFACES = (commands, events, actions, messages, tours, values)


def build_web_client(settings: Settings) -> WebClient:
    """A Web API client for SLACK_API_URL; 429 and 5xx are retried, only ever after the ack."""
    return WebClient(
        token=settings.bot_token,
        base_url=settings.slack_api_url,
        timeout=10,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=2),
            RateLimitErrorRetryHandler(max_retry_count=2),
            ServerErrorRetryHandler(max_retry_count=2),
        ],
    )


def create_app(settings: Settings, deps: Deps, *, background_threads: int = 16) -> App:
    app = App(
        client=build_web_client(settings),
        signing_secret=settings.signing_secret or None,
        # Acks are computed by the listener's `ack` function in the request thread; slow work
        # runs in lazy listeners on this pool, so one slow listener never delays another's ack.
        process_before_response=True,
        listener_executor=ThreadPoolExecutor(
            max_workers=background_threads, thread_name_prefix="alliance-listener"
        ),
        request_verification_enabled=not settings.socket_mode,
        ignoring_self_events_enabled=True,
    )
    app.middleware(skip_events_seen_before(deps))
    app.error(handle_error)
    for surface in SURFACES:
        surface.register(app, deps)
    return app


def skip_events_seen_before(deps: Deps) -> Callable[..., BoltResponse | None]:
    """Global middleware: an Events API delivery already handled is acknowledged, not rerun."""

    def middleware(body: dict[str, Any], next_: Callable[[], BoltResponse]) -> BoltResponse | None:
        event_id = body.get("event_id")
        if body.get("type") != "event_callback" or not event_id:
            return next_()
        first_time = claim_event(
            deps.database,
            event_id=event_id,
            team_id=body.get("team_id") or "",
            event_type=(body.get("event") or {}).get("type") or "",
            now=deps.clock(),
        )
        return next_() if first_time else BoltResponse(status=200, body="")

    return middleware


def build_deps(settings: Settings, database: Any) -> Deps:
    return Deps(
        database=database,
        admins=settings.admins,
        alumni_channel=settings.alumni_channel,
        learning_channel=settings.learning_channel,
    )
