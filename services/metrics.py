"""The figures `/metrics` shows Prometheus, for one `alliance run` (its gunicorn workers added
up, bot/shared_metrics.py): requests from Slack and how fast they were acknowledged, what the
outbox delivered, Slack's 429s, whether it delivers, and the backlog."""

from __future__ import annotations

import os
from datetime import datetime

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

from services.outbox import DeliveryReport

REGISTRY = CollectorRegistry()
REQUESTS = Counter(
    "alliance_requests",
    "Requests from Slack by kind (the surface and the bot's own id) and HTTP status.",
    ["kind", "status"],
    registry=REGISTRY,
)
ACK_SECONDS = Histogram(
    "alliance_ack_seconds",
    "Time from a request's arrival to its answer, the ack Slack waits 3 seconds for.",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0),
    registry=REGISTRY,
)
OUTBOX = Counter(
    "alliance_outbox_messages",
    "Outbox messages by outcome: sent, recognised_as_sent (an earlier attempt had posted it), "
    "retried (failed for now) and failed (for good).",
    ["outcome"],
    registry=REGISTRY,
)
OUTCOMES = ("sent", "recognised_as_sent", "retried", "failed")
RATE_LIMITED = Counter(
    "alliance_slack_rate_limited",
    "Slack Web API calls of the outbox answered with HTTP 429.",
    registry=REGISTRY,
)
DELIVERING = Gauge(
    "alliance_delivering",
    "1 while this process (or one of its workers) holds the outbox's delivery lease.",
    registry=REGISTRY,
    multiprocess_mode="livesum",
)
# Set by the worker answering the scrape, from the database just then.
DUE = Gauge(
    "alliance_outbox_due",
    "Outbox messages due to be sent now.",
    registry=REGISTRY,
    multiprocess_mode="mostrecent",
)
OLDEST_DUE = Gauge(
    "alliance_outbox_oldest_due_seconds",
    "How long the oldest due outbox message has waited (0 when none is due).",
    registry=REGISTRY,
    multiprocess_mode="mostrecent",
)

for _outcome in OUTCOMES:  # shown at 0 from the start, so that rates work from the first scrape
    OUTBOX.labels(_outcome)


def count_request(kind: str, status: str, seconds: float) -> None:
    REQUESTS.labels(kind, status).inc()
    ACK_SECONDS.observe(seconds)


def count_delivery(report: DeliveryReport) -> None:
    for outcome in OUTCOMES:
        OUTBOX.labels(outcome).inc(getattr(report, outcome))
    RATE_LIMITED.inc(report.rate_limited)


def count_delivering(holds_lease: bool) -> None:
    DELIVERING.set(1 if holds_lease else 0)


def exposition(due: int, oldest_due_at: datetime | None, now: datetime) -> bytes:
    """The Prometheus text format, the backlog read just now."""
    DUE.set(due)
    OLDEST_DUE.set(0 if oldest_due_at is None else (now - oldest_due_at).total_seconds())
    return generate_latest(_scraped())


def _scraped() -> CollectorRegistry:
    """This process's figures or, where its workers share a folder of them, all of theirs."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return registry
