"""The app factory: a Bolt App wired to our store, listeners and error handling."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from functools import partial

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.config import Settings
from db.engine import Database
from db.locks import DeliveryLease, Presence
from handlers import (
    actions,
    alumni,
    alumni_asks,
    alumni_directory,
    commands,
    events,
    expense_followups,
    expenses,
    hand_over,
    home,
    leadership,
    learnings,
    messages,
    news,
    opportunities,
    people_import,
    privacy,
    reviews,
    rollout,
    tour_end,
    tours,
    unreachable,
    values,
)
from handlers.delivery import RENDERERS, Renderer, SlackSender
from handlers.errors import handle_error
from handlers.incoming_text import drop_nul_characters
from handlers.outgoing_text import MrkdwnSafeClient, escape_outgoing_text
from handlers.redelivery import redeliver
from handlers.request_log import LoggedApp
from services.alumni_asks import get_relayed
from services.budget import get_decision
from services.deps import Clock, Deps
from services.expense_followups import get_followup
from services.hand_over import hand_over_note
from services.inbox import InboxKeeping
from services.leadership_digest import stored_report
from services.news import digest_items
from services.off_chart import off_chart_note
from services.offboarding import get_invitation
from services.opportunities import get_opportunity
from services.outbox import new_worker_id
from services.review_reads import ReviewReads
from services.rollout import campaign_of, reports_to_cover
from services.tour_end import get_tour_end
from services.unreachable import unreachable_note

SURFACES = (
    commands,
    events,
    actions,
    home,
    messages,
    tours,
    values,
    reviews,
    tour_end,
    hand_over,
    rollout,
    people_import,
    alumni,
    alumni_directory,
    opportunities,
    privacy,
    learnings,
    expenses,
    expense_followups,
)
# Well inside the outbox's lease, so that a pass never sends after its claim could have lapsed.
DELIVERY_TIMEOUT_SECONDS = 10


def build_web_client(settings: Settings) -> WebClient:
    """A Web API client for SLACK_API_URL; 429 and 5xx are retried, only ever after the ack."""
    return MrkdwnSafeClient(
        token=settings.bot_token,
        base_url=settings.slack_api_url,
        timeout=10,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=2),
            RateLimitErrorRetryHandler(max_retry_count=2),
            ServerErrorRetryHandler(max_retry_count=2),
        ],
    )


def build_delivery_client(settings: Settings) -> WebClient:
    """A Web API client for the outbox: no retry handlers, since the outbox does the retrying
    (after Retry-After, with backoff) and must see every failure to record it."""
    return MrkdwnSafeClient(
        token=settings.bot_token,
        base_url=settings.slack_api_url,
        timeout=DELIVERY_TIMEOUT_SECONDS,
        retry_handlers=[],
    )


def create_app(settings: Settings, deps: Deps, client: WebClient) -> App:
    app = LoggedApp(
        client=client,
        # Over HTTP, bot/web.py checks Slack's signature on the raw bytes before Bolt sees a
        # request; in Socket Mode requests come over the WebSocket the app token opened.
        request_verification_enabled=False,
        # Every listener acks in the request thread and hands slow work to deps.background
        # (handlers.wiring.acknowledged), so one slow listener never delays another's ack.
        process_before_response=True,
        listener_executor=deps.background,
        ignoring_self_events_enabled=True,
    )
    app.error(handle_error)
    app.middleware(drop_nul_characters)
    app.middleware(escape_outgoing_text)
    for surface in SURFACES:
        surface.register(app, deps)
    if deps.inbox is not None:
        deps.inbox.redeliver = partial(redeliver, app)
    return app


def outbox_sender(client: WebClient, database: Database) -> SlackSender:
    """Sends the outbox: how each purpose of message is written when it goes, and the reviews
    a pass reads ahead for its prompts."""
    reads = ReviewReads(database)
    return SlackSender(client, _renderers(database, reads), read_ahead=reviews.read_ahead(reads))


def _renderers(database: Database, reads: ReviewReads) -> dict[str, Renderer]:
    return {
        **RENDERERS,
        **reviews.renderers(reads),
        **tour_end.renderers(partial(get_tour_end, database)),
        **unreachable.renderers(partial(unreachable_note, database)),
        **hand_over.renderers(partial(hand_over_note, database), partial(off_chart_note, database)),
        **rollout.renderers(partial(reports_to_cover, database), partial(campaign_of, database)),
        **alumni.renderers(partial(get_invitation, database)),
        **opportunities.renderers(partial(get_opportunity, database)),
        **news.renderers(partial(digest_items, database)),
        **alumni_asks.renderers(partial(get_relayed, database)),
        **expenses.renderers(partial(get_decision, database)),
        **expense_followups.renderers(partial(get_followup, database)),
        **leadership.renderers(partial(stored_report, database)),
    }


def build_deps(
    settings: Settings,
    database: Database,
    clock: Clock | None = None,
    *,
    serves_slack: bool = False,
) -> Deps:
    """`serves_slack`: the process acknowledges Slack's requests, so it keeps the inbox. The
    process's presence is held from here on, until `stop_work`."""
    worker_id = new_worker_id()
    presence = Presence(database, worker_id)
    presence.start()
    return Deps(
        database=database,
        admins=settings.admins,
        alumni_channel=settings.alumni_channel,
        learning_channel=settings.learning_channel,
        leadership_channel=settings.leadership_channel,
        digest_schedule=settings.digest_schedule,
        min_group_size=settings.min_group_size,
        outbox_sender=outbox_sender(build_delivery_client(settings), database),
        delivery_interval=timedelta(seconds=settings.delivery_interval_seconds),
        delivery_lease=DeliveryLease(database),
        worker_id=worker_id,
        presence=presence,
        inbox=InboxKeeping() if serves_slack else None,
        delivery_concurrency=settings.delivery_concurrency,
        working_hours=settings.working_hours,
        tour_end_lead_days=settings.tour_end_lead_days,
        news_digest_day=settings.news_digest_day,
        nonpublic_guideline=settings.nonpublic_guideline,
        budget_defaults=settings.budget_defaults,
        clock=clock or settings.clock,
        background=ThreadPoolExecutor(
            max_workers=settings.web_threads, thread_name_prefix="alliance-work"
        ),
    )
