"""The App Home tab, drawn from the database whenever it is opened or its data changes."""

from __future__ import annotations

import threading
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    DividerBlock,
    HeaderBlock,
    PlainTextObject,
)
from slack_sdk.models.views import View

from domain.reviews import ReviewStatus
from domain.tours import TourStatus, may_read_statement
from handlers import rollout_views, values
from handlers.expenses import new_request_actions
from handlers.ids import ACTION_HOME_CHECKIN, ACTION_HOME_VIEW_STATEMENT, ACTION_OPEN_GUIDE
from handlers.mrkdwn import escape_mrkdwn
from handlers.tour_views import statement_blocks, tour_card
from handlers.views import (
    Blocks,
    build_home_welcome,
    clip,
    context_block,
    section_block,
)
from handlers.wiring import acknowledge, acknowledged
from services.budget import BudgetStatus
from services.deps import Deps
from services.home import HomeFacts, ReviewState, home_facts
from services.refusals import NOT_YOURS
from services.reviews import ReviewRefusal, start_checkin
from services.tours import TourStatement, get_statement

MAX_TEAM_SHOWN = 20


def register(app: App, deps: Deps) -> None:
    app.action(ACTION_HOME_VIEW_STATEMENT)(
        acknowledged(acknowledge, handle_action_home_view_statement, deps)
    )
    app.action(ACTION_HOME_CHECKIN)(acknowledged(acknowledge, handle_action_home_checkin, deps))


# Redraws of one person's Home run one at a time, so the view read last is published last (two
# at once could publish in the other order and leave an older view showing).
_PUBLISHING = tuple(threading.Lock() for _ in range(64))


def publish_home(
    client: WebClient, deps: Deps, team_id: str, user_id: str, first_name: str = ""
) -> None:
    with _PUBLISHING[hash((team_id, user_id)) % len(_PUBLISHING)]:
        _publish_home(client, deps, team_id, user_id, first_name)


def _publish_home(
    client: WebClient, deps: Deps, team_id: str, user_id: str, first_name: str
) -> None:
    facts = home_facts(
        deps.database,
        team_id,
        user_id,
        is_admin=user_id in deps.admins,
        now=deps.clock(),
        budget_defaults=deps.budget_defaults,
        min_group_size=deps.min_group_size,
    )
    values_blocks = values.build_values_home_blocks(deps, team_id, user_id)
    if (
        facts.is_newcomer
        and facts.admin_counts is None
        and not values.has_values(deps, team_id, user_id)
    ):
        view = build_home_welcome(first_name)
    else:
        view = build_home(facts, values_blocks, deps.clock().date(), deps.min_group_size)
    client.views_publish(user_id=user_id, view=view)


def build_home(
    facts: HomeFacts, values_blocks: Blocks, today: Any, min_group_size: int
) -> dict[str, Any]:
    blocks: Blocks = [HeaderBlock(text="Your alliance").to_dict()]
    if facts.my_tour is None:
        blocks.append(
            section_block(
                "You don't have a tour of duty yet. Your manager proposes one with "
                "`/alliance tour new @you`."
            ).to_dict()
        )
    else:
        blocks += tour_card(facts.my_tour, today)
        blocks += review_line(facts.reviews.get(facts.my_tour.tour_id), facts.my_tour.manager_name)
        blocks.append(
            ActionsBlock(
                elements=[
                    ButtonElement(
                        text="View statement",
                        action_id=ACTION_HOME_VIEW_STATEMENT,
                        value=str(facts.my_tour.tour_id),
                    ),
                    *checkin_button(facts),
                    ButtonElement(text="How the Alliance works", action_id=ACTION_OPEN_GUIDE),
                ]
            ).to_dict()
        )
    blocks += [DividerBlock().to_dict(), *values_blocks]
    if facts.budget is not None:
        budget = facts.budget
        blocks += [
            context_block(
                f"Networking budget {budget.year}: *{budget.remaining}* left of {budget.budget}. "
                "`/alliance expense` lists your requests."
            ).to_dict(),
            new_request_actions().to_dict(),
        ]
    if facts.learnings:
        shared = "\n".join(f"• {escape_mrkdwn(clip(text, 300))}" for text in facts.learnings)
        blocks.append(section_block(f"*What you learned lately*\n{shared}").to_dict())
    if facts.to_cover:
        blocks += [DividerBlock().to_dict(), *rollout_views.home_blocks(facts.to_cover)]
    if facts.team:
        blocks += _team_blocks(facts.team, facts.reviews, facts.team_budgets, today)
    if facts.admin_counts is not None:
        counts = facts.admin_counts
        by_status = " · ".join(f"{n} {status}" for status, n in counts.tours_by_status.items())
        blocks += [
            DividerBlock().to_dict(),
            HeaderBlock(text="Across the company").to_dict(),
            section_block(
                f"Tours: {by_status}\nValue statements written: {counts.value_statements}"
            ).to_dict(),
            context_block(
                "Counts only: what people wrote stays private. `/alliance report` gives the "
                "leadership digest, with its chart, as of now. To bring in the org chart, DM me "
                "your HR system's CSV export; `/alliance rollout` then asks every manager to "
                "agree a tour with each report."
            ).to_dict(),
        ]
        if facts.rollout is not None:
            blocks += rollout_views.coverage_blocks(facts.rollout, min_group_size)
    return View(type="home", blocks=blocks[:100]).to_dict()


def checkin_button(facts: HomeFacts) -> list[ButtonElement]:
    """Only an active tour has alignment reviews to start."""
    if facts.my_tour is None or facts.my_tour.status is not TourStatus.ACTIVE:
        return []
    return [ButtonElement(text="Start a check-in", action_id=ACTION_HOME_CHECKIN)]


def review_line(state: ReviewState | None, other_name: str) -> Blocks:
    """Where the tour's latest alignment review stands, for the person looking."""
    if state is None:
        return []
    other = escape_mrkdwn(other_name)
    if state.status is ReviewStatus.CLOSED:
        text = f"Last alignment review closed on {state.closes_on:%-d %b}."
    elif state.status is ReviewStatus.ANSWERED:
        text = (
            f"Alignment review of {state.due_on:%-d %b}: both answered; the summary is in your DMs."
        )
    elif not state.mine_answered:
        snoozed = f" (snoozed until {state.snoozed_until:%-d %b})" if state.snoozed_until else ""
        text = (
            f":hourglass_flowing_sand: Your alignment review is waiting for your answers"
            f"{snoozed}: see your DMs. It closes on {state.closes_on:%-d %b}."
        )
    else:
        text = f"You've answered the alignment review; waiting for {other}."
    return [context_block(text).to_dict()]


def _team_blocks(
    team: list[TourStatement],
    reviews: dict[int, ReviewState],
    budgets: dict[str, BudgetStatus],
    today: Any,
) -> Blocks:
    blocks: Blocks = [DividerBlock().to_dict(), HeaderBlock(text="Your team").to_dict()]
    for statement in team[:MAX_TEAM_SHOWN]:
        blocks.append(context_block(f"*{escape_mrkdwn(statement.employee_name)}*").to_dict())
        blocks += tour_card(statement, today)
        blocks += review_line(reviews.get(statement.tour_id), statement.employee_name)
        budget = budgets.get(statement.employee_user_id)
        if budget is not None:
            blocks.append(
                context_block(
                    f"Networking budget {budget.year}: {budget.committed} spent or asked for, "
                    f"of {budget.budget}."
                ).to_dict()
            )
    if len(team) > MAX_TEAM_SHOWN:
        blocks.append(
            context_block(
                f"And {len(team) - MAX_TEAM_SHOWN} more: `/alliance tour @person` shows anyone's."
            ).to_dict()
        )
    return blocks


def handle_action_home_view_statement(
    body: dict[str, Any], client: WebClient, *, deps: Deps
) -> None:
    user_id = body["user"]["id"]
    statement = get_statement(deps.database, int(body["actions"][0]["value"]))
    if statement is None or not may_read_statement(
        user_id,
        employee_user_id=statement.employee_user_id,
        manager_user_id=statement.manager_user_id,
        viewer_is_admin=user_id in deps.admins,
    ):
        client.views_open(trigger_id=body["trigger_id"], view=_notice_modal(NOT_YOURS))
        return
    client.views_open(
        trigger_id=body["trigger_id"],
        view=View(
            type="modal",
            title=PlainTextObject(text="Statement of Alliance"),
            close=PlainTextObject(text="Close"),
            blocks=statement_blocks(statement),
        ).to_dict(),
    )


def _notice_modal(text: str) -> dict[str, Any]:
    return View(
        type="modal",
        title=PlainTextObject(text="Alliance"),
        close=PlainTextObject(text="Close"),
        blocks=[section_block(text)],
    ).to_dict()


def handle_action_home_checkin(body: dict[str, Any], client: WebClient, *, deps: Deps) -> None:
    """Start an alignment review of your own tour now, from the Home tab."""
    try:
        checkin = start_checkin(
            deps.database, team_id=body["team"]["id"], user_id=body["user"]["id"], now=deps.clock()
        )
    except ReviewRefusal as refusal:
        client.views_open(trigger_id=body["trigger_id"], view=_notice_modal(refusal.message))
        return
    client.views_open(
        trigger_id=body["trigger_id"],
        view=_notice_modal(
            f"Check-in started: you and {escape_mrkdwn(checkin.manager_name)} will each get "
            "the questions in a DM in a moment."
        ),
    )
