"""`alliance people import FILE.csv`: the org chart in, with a report of every change and of
every row that cannot be used, by line."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bot.config import Settings
from db.engine import Database
from services.org_import import Applied, ImportPlan
from services.org_import_report import applied_lines, plan_lines

EXIT_REFUSED_ROWS = 1  # rows were refused: nothing was applied
EXIT_BAD_FILE = 2
PROGRESS_EVERY = 2.0  # seconds between progress lines

HELP = "import the org chart from a CSV file: who reports to whom, departments and titles"
DESCRIPTION = (
    "Read an org chart exported from your HR system and keep each person's manager, "
    "department, title, location and start date, with their history. Columns (the first "
    "line names them, in any case; HR exports' names such as 'Work Email' or 'Manager Email' "
    "work too): email or slack_id, manager_email or manager_slack_id, and optionally "
    "department, title, start_date (2024-03-31), location. Commas, semicolons or tabs. "
    "Emails are looked up in Slack (users.lookupByEmail, which needs the users:read.email "
    "scope), once: a second import asks Slack only about new emails. Nothing is applied "
    "while any row is refused, unless --skip-bad-rows. Importing the same file twice changes "
    "nothing the second time. People missing from the file are listed, never offboarded."
)
EPILOG = "Example: alliance people import org.csv --dry-run"


def add_people_commands(
    commands: argparse._SubParsersAction,  # type: ignore[type-arg]
    action: Callable[[Settings, argparse.Namespace], int],
) -> None:
    people = commands.add_parser("people", help="the people the bot knows, and the org chart")
    people_commands = people.add_subparsers(
        title="people commands", metavar="PEOPLE_COMMAND", required=True
    )
    importing = people_commands.add_parser(
        "import", help=HELP, description=DESCRIPTION, epilog=EPILOG
    )
    importing.add_argument("path", type=Path, metavar="FILE.csv", help="the org chart")
    importing.add_argument(
        "--dry-run", action="store_true", help="say what would change, and change nothing"
    )
    importing.add_argument(
        "--skip-bad-rows",
        action="store_true",
        help="apply the rows that can be used even when others are refused",
    )
    importing.set_defaults(action=action, need_slack=True)


def people_import(settings: Settings, options: argparse.Namespace) -> int:
    from slack_sdk import WebClient

    from domain.org_chart import OrgChartError, read_org_chart
    from handlers.slack_users import SlackDirectory
    from services.org_import import apply_import, plan_import

    path: Path = options.path
    try:
        chart = read_org_chart(path.read_bytes())
    except OSError as error:
        print(f"Cannot read {path}: {error.strerror or error}.", file=sys.stderr)
        return EXIT_BAD_FILE
    except OrgChartError as error:
        print(f"{path} cannot be imported: {error}.", file=sys.stderr)
        return EXIT_BAD_FILE
    client = WebClient(
        token=settings.bot_token, base_url=settings.slack_api_url, timeout=10, retry_handlers=[]
    )
    team_id = str(client.auth_test()["team_id"])
    database = Database(settings.database_url)
    try:
        plan = plan_import(
            database,
            chart,
            SlackDirectory(client, team_id),
            team_id=team_id,
            progress=_Progress(),
        )
        _report(path, chart.columns, plan, dry_run=options.dry_run)
        if options.dry_run:
            return EXIT_REFUSED_ROWS if plan.refused else 0
        if plan.refused and not options.skip_bad_rows:
            print(
                "Nothing was imported: mend the rows above, or import the others with "
                "--skip-bad-rows."
            )
            return EXIT_REFUSED_ROWS
        applied = apply_import(
            database, plan, team_id=team_id, now=settings.clock(), hours=settings.working_hours
        )
    finally:
        database.dispose()
    _applied(applied, plan)
    return 0


class _Progress:
    """A line on stderr every few seconds while Slack is asked who people are."""

    def __init__(self) -> None:
        self.last = time.monotonic()

    def __call__(self, asked: int, most: int) -> None:
        now = time.monotonic()
        if now - self.last >= PROGRESS_EVERY:
            self.last = now
            print(f"asked Slack about {asked:,} people (of {most:,} rows)", file=sys.stderr)


def _report(path: Path, columns: tuple[str, ...], plan: ImportPlan, *, dry_run: bool) -> None:
    print("\n".join(plan_lines(str(path), columns, plan, dry_run=dry_run)))


def _applied(applied: Applied, plan: ImportPlan) -> None:
    print("\n".join(applied_lines(applied, plan)))
