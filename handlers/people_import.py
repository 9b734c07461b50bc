"""The org chart imported from Slack: an admin DMs the bot the CSV export of their HR system.
The bot reads it, looks people up (a message shows how far it got), and answers with what
would change, the whole report as a file, and *Import it*; nothing changes before that press.
The same services as `alliance people import` (services/org_import.py)."""

from __future__ import annotations

import time
from typing import Any
from urllib.request import Request, urlopen

from slack_bolt import App
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient
from slack_sdk.models.blocks import ActionsBlock, ButtonElement

from domain.org_chart import OrgChart, OrgChartError, read_org_chart
from handlers.dm_files import send_file_in_dm
from handlers.ids import ACTION_ORG_IMPORT, ACTION_ORG_IMPORT_CANCEL
from handlers.mrkdwn import Mrkdwn
from handlers.slack_users import SlackDirectory
from handlers.views import Blocks, context_block, section_block
from handlers.wiring import acknowledge, acknowledged
from services.deps import Deps
from services.org_import import ChangeKind, ImportPlan, apply_import, plan_import
from services.org_import_report import applied_lines, plan_lines, summary_line
from services.refusals import Refusal

MAX_FILE_BYTES = 50 * 1024 * 1024
PROGRESS_EVERY = 5.0  # seconds between updates of the progress message
REFUSED_SHOWN = 10
ADMINS_ONLY = (
    "Only an Alliance admin (`ALLIANCE_ADMINS`) can import the org chart. If you meant to share "
    "this file with someone, share it with them: I haven't kept it."
)
HOW = (
    "To import the org chart, DM me your HR system's CSV export: one row a person with "
    "`email` (or `slack_id`) and `manager_email` (or `manager_slack_id`), and optionally "
    "`department`, `title`, `start_date`, `location`."
)
SKIP_BAD_ROWS = "skip"


class ChartFileRefusal(Refusal):
    """The file shared cannot be read as an org chart."""


def register(app: App, deps: Deps) -> None:
    app.action(ACTION_ORG_IMPORT)(acknowledged(acknowledge, handle_action_org_import, deps))
    app.action(ACTION_ORG_IMPORT_CANCEL)(
        acknowledged(acknowledge, handle_action_org_import_cancel, deps)
    )


def is_file_shared_with_the_bot(event: dict[str, Any]) -> bool:
    return (
        event.get("channel_type") == "im"
        and event.get("subtype") == "file_share"
        and "bot_id" not in event
        and bool(event.get("user"))
        and bool(event.get("files"))
    )


def receive_org_chart(
    event: dict[str, Any], body: dict[str, Any], client: WebClient, *, deps: Deps
) -> None:
    """Read the file an admin shared, and say what importing it would change."""
    user_id, channel = event["user"], event["channel"]
    if user_id not in deps.admins:
        client.chat_postMessage(channel=channel, text=ADMINS_ONLY)
        return
    file_id = str(event["files"][0].get("id") or "")
    try:
        name, chart = _chart(client, file_id)
    except ChartFileRefusal as refusal:
        client.chat_postMessage(channel=channel, text=f"{refusal.message}\n{HOW}")
        return
    started = client.chat_postMessage(
        channel=channel,
        text=f"Reading {name}: {len(chart.rows) + len(chart.refused):,} rows. "
        "Looking people up in Slack…",
    )
    plan = plan_import(
        deps.database,
        chart,
        SlackDirectory(client, body["team_id"]),
        team_id=body["team_id"],
        progress=_Progress(client, channel, started["ts"], name),
    )
    blocks = report_blocks(name, plan, file_id)
    client.chat_update(
        channel=channel, ts=started["ts"], text=summary_line(plan, dry_run=True), blocks=blocks
    )
    send_file_in_dm(
        client,
        user_id,
        content="\n".join(plan_lines(name, chart.columns, plan, dry_run=True)) + "\n",
        filename=f"{name.rsplit('.', 1)[0]}-import-report.txt",
        title=f"What importing {name} would change",
        comment="The whole report: every change and every refused row, by line.",
    )


def report_blocks(name: str, plan: ImportPlan, file_id: str) -> Blocks:
    """What would change, the first refused rows, and the buttons to go on."""
    lead = Mrkdwn("*{name}*: {rows} rows. {summary}").format(
        name=name, rows=f"{plan.rows:,}", summary=summary_line(plan, dry_run=True)
    )
    blocks: Blocks = [section_block(lead).to_dict()]
    if gone := plan.count(ChangeKind.GONE):
        blocks.append(
            context_block(
                f"{gone:,} with a reporting line are not in the file: they stay as they are, "
                "never offboarded (they are listed in the report)."
            ).to_dict()
        )
    usable = len(plan.placements)
    if plan.refused:
        shown = "\n".join(f"line {r.line}: {r.reason}" for r in plan.refused[:REFUSED_SHOWN])
        more = len(plan.refused) - REFUSED_SHOWN
        if more > 0:
            shown += f"\n…and {more:,} more in the report."
        blocks.append(section_block(f"Refused {len(plan.refused):,} rows:\n{shown}").to_dict())
    changes = len([c for c in plan.changes if c.kind is not ChangeKind.GONE])
    if not changes:
        blocks.append(
            context_block("Nothing to import: the org chart is as the file says.").to_dict()
        )
        return blocks
    go = (
        ButtonElement(
            text=f"Import the {usable:,} good rows",
            action_id=ACTION_ORG_IMPORT,
            value=f"{file_id}:{SKIP_BAD_ROWS}",
        )
        if plan.refused
        else ButtonElement(
            text="Import it", action_id=ACTION_ORG_IMPORT, value=file_id, style="primary"
        )
    )
    if plan.refused:
        blocks.append(
            context_block(
                "Mend those rows and send me the file again, or import the rows I can use."
            ).to_dict()
        )
    cancel = ButtonElement(text="Cancel", action_id=ACTION_ORG_IMPORT_CANCEL, value=file_id)
    blocks.append(ActionsBlock(elements=[go, cancel]).to_dict())
    return blocks


def handle_action_org_import(
    body: dict[str, Any], client: WebClient, respond: Respond, *, deps: Deps
) -> None:
    """*Import it*: the file read and planned again (the chart may have changed since), and
    applied in one transaction."""
    user_id, team_id = body["user"]["id"], body["team"]["id"]
    if user_id not in deps.admins:
        respond(text=ADMINS_ONLY, response_type="ephemeral", replace_original=False)
        return
    file_id, _, mode = str(body["actions"][0].get("value") or "").partition(":")
    try:
        name, chart = _chart(client, file_id)
    except ChartFileRefusal as refusal:
        respond(text=refusal.message, response_type="ephemeral", replace_original=False)
        return
    respond(text=f"Importing {name}…", replace_original=True)
    plan = plan_import(deps.database, chart, SlackDirectory(client, team_id), team_id=team_id)
    if plan.refused and mode != SKIP_BAD_ROWS:
        respond(
            text=f"{name} now has rows I can't use: send it to me again to see them. "
            "Nothing was imported.",
            replace_original=True,
        )
        return
    applied = apply_import(
        deps.database, plan, team_id=team_id, now=deps.clock(), hours=deps.working_hours
    )
    respond(text="\n".join(applied_lines(applied, plan)), replace_original=True)


def handle_action_org_import_cancel(respond: Respond) -> None:
    respond(text="Cancelled: nothing was imported.", replace_original=True)


def _chart(client: WebClient, file_id: str) -> tuple[str, OrgChart]:
    """The shared file's name and its rows, read from Slack."""
    try:
        shared = client.files_info(file=file_id)["file"]
    except Exception as error:  # the file was deleted, or is not shared with the bot
        raise ChartFileRefusal(
            "I can't open that file any more: share it with me again."
        ) from error
    name = str(shared.get("name") or "the file")
    if int(shared.get("size") or 0) > MAX_FILE_BYTES:
        raise ChartFileRefusal(f"{name} is over {MAX_FILE_BYTES // 1024 // 1024} MB.")
    if not _looks_like_csv(shared):
        raise ChartFileRefusal(f"{name} isn't a CSV file.")
    request = Request(
        str(shared["url_private_download"]), headers={"Authorization": f"Bearer {client.token}"}
    )
    with urlopen(request, timeout=30) as answer:
        content = answer.read(MAX_FILE_BYTES + 1)
    try:
        return name, read_org_chart(content)
    except OrgChartError as error:
        raise ChartFileRefusal(f"I can't import {name}: {error}.") from error


def _looks_like_csv(shared: dict[str, Any]) -> bool:
    name = str(shared.get("name") or "").lower()
    kind = str(shared.get("filetype") or "").lower()
    mimetype = str(shared.get("mimetype") or "").lower()
    return (
        name.endswith((".csv", ".tsv", ".txt"))
        or kind in ("csv", "tsv")
        or mimetype
        in (
            "text/csv",
            "text/tab-separated-values",
        )
    )


class _Progress:
    """The progress message, updated every few seconds while people are looked up."""

    def __init__(self, client: WebClient, channel: str, ts: str, name: str) -> None:
        self.client, self.channel, self.ts, self.name = client, channel, ts, name
        self.last = time.monotonic()

    def __call__(self, asked: int, most: int) -> None:
        now = time.monotonic()
        if now - self.last < PROGRESS_EVERY:
            return
        self.last = now
        self.client.chat_update(
            channel=self.channel,
            ts=self.ts,
            text=f"Reading {self.name}: asked Slack about {asked:,} people of {most:,}…",
        )
