"""`/alliance away`: mark yourself away so prompts wait, see it, or say you're back early."""

from __future__ import annotations

from datetime import date

from slack_bolt.context.respond import Respond
from slack_sdk import WebClient

from domain.away import AwayProblem, AwayRequest, AwayUntil, BackNow, parse_away
from domain.commands import COMMAND
from handlers.subcommands import Invocation, Reply, SubcommandHandler, say
from services.away import AwayRefusal, current_away, end_away, local_today, mark_away

HOW_TO = f"`{COMMAND} away until 2027-01-04` holds your prompts until you're back."


def _day(day: date) -> str:
    return f"{day:%a %-d %b %Y}"


def _request(inv: Invocation) -> AwayRequest:
    now = inv.deps.clock()
    today = local_today(inv.deps.database, team_id=inv.team_id, user_id=inv.user_id, now=now)
    return parse_away(inv.args, today)


def answer_away(inv: Invocation) -> Reply:
    try:
        request = _request(inv)
    except AwayProblem as problem:
        return say(str(problem))
    if isinstance(request, AwayUntil):
        return say(
            f"Enjoy your time away. You're marked away until *{_day(request.last_day)}*: no "
            "prompts reach you until you're back, and reviews due meanwhile wait for your "
            f"return rather than pile up. Back early? `{COMMAND} away back`."
        )
    away = current_away(
        inv.deps.database, team_id=inv.team_id, user_id=inv.user_id, now=inv.deps.clock()
    )
    if isinstance(request, BackNow):
        if away is None:
            return say(f"You weren't marked away, so nothing changes. {HOW_TO}")
        return say("Welcome back! You're no longer marked away.")
    if away is None:
        return say(f"You're not marked away. {HOW_TO}")
    return say(
        f"You're marked away from {_day(away.starts_on)} until *{_day(away.ends_on)}*; "
        f"prompts wait until you're back on {_day(away.back_on)}. "
        f"Back early? `{COMMAND} away back`."
    )


def follow_up_away(inv: Invocation, client: WebClient, respond: Respond) -> None:
    try:
        request = _request(inv)
    except AwayProblem:
        return  # the ack said why
    now = inv.deps.clock()
    try:
        if isinstance(request, AwayUntil):
            mark_away(
                inv.deps.database,
                team_id=inv.team_id,
                user_id=inv.user_id,
                last_day=request.last_day,
                now=now,
                hours=inv.deps.working_hours,
            )
        elif isinstance(request, BackNow):
            end_away(inv.deps.database, team_id=inv.team_id, user_id=inv.user_id, now=now)
    except AwayRefusal as refusal:
        respond(text=refusal.message, response_type="ephemeral", replace_original=False)


SUBCOMMAND = SubcommandHandler(answer=answer_away, follow_up=follow_up_away)
