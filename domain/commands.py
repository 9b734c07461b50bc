"""The `/alliance` subcommands: what each one is for, and how typed text maps onto them."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

COMMAND = "/alliance"


@dataclass(frozen=True)
class Subcommand:
    name: str
    usage: str
    summary: str
    example: str


SUBCOMMANDS: tuple[Subcommand, ...] = (
    Subcommand(
        "help",
        "help [subcommand]",
        "Show this guide, or the details of one subcommand.",
        "help tour",
    ),
    Subcommand(
        "tour",
        "tour [new @person | @person | export]",
        "See your tour of duty, or (as a manager) propose one to a report.",
        "tour new @dana",
    ),
    Subcommand(
        "values",
        "values [show | @person | company | unshare]",
        "Tell the bot your core aspirations and values, and see how they align.",
        "values",
    ),
    Subcommand("checkin", "checkin", "Start an alignment review with your manager now.", "checkin"),
    Subcommand(
        "away",
        "away [until DATE | back]",
        "Hold your prompts while you're away; reviews due meanwhile wait for your return.",
        "away until 2027-01-04",
    ),
    Subcommand(
        "learned",
        "learned [what you learned | guideline]",
        "Share something you learned from your network with colleagues.",
        "learned How Acme runs blameless postmortems",
    ),
    Subcommand(
        "expense",
        "expense [amount what | new]",
        "Spend from your networking budget (`new` opens the form, with the event's date), or "
        "list this year's requests.",
        "expense 120 Conference ticket for DevOpsDays",
    ),
    Subcommand(
        "opportunity",
        "opportunity",
        "Post a consulting project, open position or event to the alumni network.",
        "opportunity",
    ),
    Subcommand(
        "ask",
        "ask [question]",
        "Ask the alumni network for help or advice.",
        "ask Has anyone scaled Postgres past 10 TB?",
    ),
    Subcommand(
        "offboard",
        "offboard @person",
        "(Managers and admins) Record a departure and invite them to the alumni.",
        "offboard @sam",
    ),
    Subcommand(
        "alumni",
        "alumni [keyword | me]",
        "Find alumni who opted into the directory, or manage your own entry.",
        "alumni design",
    ),
    Subcommand(
        "news",
        "news TEXT",
        "(Admins) Queue company news for the monthly alumni digest.",
        "news We opened an office in Lisbon",
    ),
    Subcommand("report", "report", "(Admins) The leadership digest on demand.", "report"),
    Subcommand(
        "rollout",
        "rollout [department | status | stop]",
        "(Admins) Ask every manager in the org chart to agree a tour with each report, and see "
        "the coverage.",
        "rollout Engineering",
    ),
    Subcommand(
        "export", "export", "Get every record the bot holds about you, as a file.", "export"
    ),
    Subcommand(
        "forget",
        "forget [@person]",
        "Erase the personal records the bot holds about you (admins: about someone, on request).",
        "forget",
    ),
)

SUBCOMMANDS_BY_NAME = {subcommand.name: subcommand for subcommand in SUBCOMMANDS}


@dataclass(frozen=True)
class ParsedCommand:
    """The first word of the text, lower-cased, and the rest as typed."""

    name: str
    args: str


def parse_command_text(text: str) -> ParsedCommand:
    words = text.strip().split(maxsplit=1)
    if not words:
        return ParsedCommand(name="", args="")
    return ParsedCommand(name=words[0].lower(), args=words[1] if len(words) > 1 else "")


def closest_subcommand(name: str) -> Subcommand | None:
    """The subcommand the person most likely meant, if any is close enough."""
    matches = difflib.get_close_matches(name.lower(), SUBCOMMANDS_BY_NAME, n=1, cutoff=0.6)
    return SUBCOMMANDS_BY_NAME[matches[0]] if matches else None
