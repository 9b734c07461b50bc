"""The rollout campaign's blocks: a manager's reports still without a tour (in the DM and on the
Home tab), and the coverage admins see."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    HeaderBlock,
    Option,
    StaticSelectElement,
)

from domain.figures import Figure
from domain.rollout import ASIDE_LABELS, STANDING_LABELS, CampaignEnd, Standing
from handlers.ids import ACTION_ROLLOUT_ASIDE, ACTION_ROLLOUT_PROPOSE
from handlers.mrkdwn import Mrkdwn
from handlers.views import Blocks, context_block, section_block
from services.rollout import CoverageReport, ReportToCover

MAX_LISTED = 20  # two blocks a report, inside Slack's 50 blocks a message


def report_rows(reports: list[ReportToCover]) -> list[Block]:
    """Each report without a tour, with *Propose a tour* and *Not now* (and why)."""
    blocks: list[Block] = []
    for report in reports[:MAX_LISTED]:
        blocks += [
            section_block(Mrkdwn("*{name}*").format(name=report.name)),
            ActionsBlock(
                elements=[
                    ButtonElement(
                        text="Propose a tour",
                        action_id=f"{ACTION_ROLLOUT_PROPOSE}:{report.user_id}",
                        value=report.user_id,
                        style="primary",
                    ),
                    StaticSelectElement(
                        placeholder="Not now…",
                        action_id=f"{ACTION_ROLLOUT_ASIDE}:{report.user_id}",
                        options=[
                            Option(value=f"{reason.value}:{report.user_id}", label=label)
                            for reason, label in ASIDE_LABELS.items()
                        ],
                    ),
                ]
            ),
        ]
    if len(reports) > MAX_LISTED:
        blocks.append(
            context_block(
                f"And {len(reports) - MAX_LISTED} more: they'll show here as these are done."
            )
        )
    return blocks


def home_blocks(reports: list[ReportToCover]) -> Blocks:
    """The manager's Home: the same list, while a rollout runs."""
    if not reports:
        return []
    return [
        HeaderBlock(text="Tours of duty to agree").to_dict(),
        context_block(
            "Your reports with no tour of duty yet, in the company's rollout. *Not now* leaves "
            "someone out of it (a new joiner, someone leaving or on leave)."
        ).to_dict(),
        *(block.to_dict() for block in report_rows(reports)),
    ]


def coverage_title(report: CoverageReport) -> str:
    campaign = report.campaign
    assert campaign is not None
    if campaign.ended_at is None:
        state = f"running since {campaign.started_at:%-d %b %Y}"
    elif campaign.end_reason is CampaignEnd.COVERED:
        state = f"complete on {campaign.ended_at:%-d %b %Y}"
    else:
        state = f"stopped on {campaign.ended_at:%-d %b %Y}"
    return f"Rollout for {campaign.scope}, {state}"


def coverage_blocks(report: CoverageReport, min_group_size: int) -> Blocks:
    lines = [f"*Overall*: {figure_line(report.coverage.overall, min_group_size)}"]
    departments = report.coverage.by_department
    if len(departments) > 1:
        lines += [
            f"• {name or 'No department'}: {figure_line(figure, min_group_size)}"
            for name, figure in departments.items()
        ]
    return [
        HeaderBlock(text=coverage_title(report)[:150]).to_dict(),
        section_block("\n".join(lines)[:3000]).to_dict(),
        context_block(
            "Reports in the org chart: *agreed* have an agreed or active tour, *proposed* one "
            f"waiting for agreement, *put aside* were left out by their manager. A group under "
            f"{min_group_size} people is withheld, with enough others that none can be worked "
            "out."
        ).to_dict(),
    ]


def figure_line(figure: Figure, min_group_size: int) -> str:
    """ "12 reports — 3 agreed, 1 proposed, 8 not started" with withheld parts said so."""
    if figure.value is None:
        return f"withheld (fewer than {min_group_size})"
    parts = []
    for standing in Standing:
        value = figure.by.get(standing.value)
        label = STANDING_LABELS[standing]
        parts.append(f"{label} withheld" if value is None else f"{value:,} {label}")
    return f"{figure.value:,} reports — " + ", ".join(parts)
