"""The leadership digest: sent weekly through the outbox, and `/alliance report` for admins."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from slack_bolt.context.respond import Respond
from slack_sdk import WebClient

from domain.commands import COMMAND
from handlers.delivery import RenderedMessage, Renderer
from handlers.dm_files import send_file_in_dm
from handlers.leadership_views import chart_upload, digest_text
from handlers.subcommands import Invocation, Reply, SubcommandHandler, say
from services.leadership_digest import DIGEST, Report, report_now

WEEKLY_TITLE = "The Alliance this week"
ON_REQUEST_TITLE = "The Alliance so far"
ADMINS_ONLY = (
    "The leadership report is for Alliance admins (`ALLIANCE_ADMINS`). It shows counts only, "
    "never anyone's own answers."
)


# Digests rendered lately, by id: each admin's copy of a week's digest is drawn once.
RENDERED_DIGESTS = 4


def renderers(report_of: Callable[[int], Report | None]) -> dict[str, Renderer]:
    """The weekly digest, read when it goes, with its chart shared alongside."""

    @lru_cache(maxsize=RENDERED_DIGESTS)
    def rendered(digest_id: int) -> RenderedMessage:
        report = report_of(digest_id)
        if report is None:
            raise LookupError(f"no leadership digest {digest_id}")
        return RenderedMessage(digest_text(report, WEEKLY_TITLE), upload=chart_upload(report))

    def render_digest(payload: dict[str, Any]) -> RenderedMessage:
        return rendered(int(payload["digest_id"]))

    return {DIGEST: render_digest}


def answer_report(inv: Invocation) -> Reply:
    if inv.user_id not in inv.deps.admins:
        return say(ADMINS_ONLY)
    return say(
        "Putting the report together: I'll send it to you in a DM with its chart in a moment. "
        f"(The weekly digest comes on its own; `{COMMAND} report` is the same, as of now.)"
    )


def follow_up_report(inv: Invocation, client: WebClient, respond: Respond) -> None:
    if inv.user_id not in inv.deps.admins:
        return
    deps = inv.deps
    report = report_now(
        deps.database, team_id=inv.team_id, now=deps.clock(), min_group_size=deps.min_group_size
    )
    chart = chart_upload(report)
    send_file_in_dm(
        client,
        inv.user_id,
        content=chart.content,
        filename=chart.name,
        title=chart.title,
        comment=digest_text(report, ON_REQUEST_TITLE),
        alt_text=chart.alt_text,
    )


SUBCOMMAND = SubcommandHandler(answer=answer_report, follow_up=follow_up_report)
