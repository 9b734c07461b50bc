"""The `alliance` command line."""

from __future__ import annotations

import argparse
import errno
import logging
import os
import socket
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path

from dotenv import load_dotenv
from sqlalchemy.engine import make_url

from bot import __version__
from bot.config import (
    ConfigError,
    Settings,
    forget_secret_variables,
    load_settings,
)
from bot.logs import configure_logging, shown_database
from bot.people_cli import add_people_commands, people_import
from bot.shared_metrics import metrics_shared_by
from db.engine import Database
from db.migrate import current_revision, upgrade

EXIT_CONFIG = 2
EXIT_REFUSED = 2  # as for a misused command: nothing was done


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    options = parser.parse_args(argv)
    if not hasattr(options, "action"):
        parser.print_help()
        return 0
    if options.standalone:  # the sandbox brings its own settings
        sandbox: Callable[[argparse.Namespace], int] = options.action
        return sandbox(options)
    load_dotenv(os.environ.get("ALLIANCE_ENV_FILE", ".env"), override=False)
    try:
        settings = load_settings(os.environ, need_slack=options.need_slack)
    except ConfigError as error:
        print(error.explain(), file=sys.stderr)
        return EXIT_CONFIG
    forget_secret_variables(os.environ)
    if options.uses_database and (problem := _database_problem(settings, options.migrates)):
        print(problem, file=sys.stderr)
        return EXIT_CONFIG
    configure_logging(settings.log_level)
    action: Callable[[Settings, argparse.Namespace], int] = options.action
    return action(settings, options)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="alliance",
        description="Alliance: run tours of duty, alignment reviews and the alumni network "
        "in Slack. Configuration comes from the environment and .env (see .env.example).",
    )
    parser.add_argument("--version", action="version", version=f"alliance {__version__}")
    parser.set_defaults(standalone=False, uses_database=True, migrates=False)
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    sandbox = commands.add_parser(
        "sandbox",
        help="try Alliance without a Slack workspace: the real bot behind a local Slack "
        "in your browser, with a demo company",
        description="Start the real bot, its scheduler and outbox, behind a Slack stand-in on "
        "this machine, and serve a page where you can be anyone in a demo company: the admin, "
        "a manager, an employee, an alum. Move the clock on the page to watch reviews, "
        "reminders and a tour's end arrive. Nothing leaves 127.0.0.1; no setting is read.",
        epilog="Example: alliance sandbox --data ./sandbox-data",
    )
    sandbox.add_argument(
        "--port", type=_port, default=8000, help="the page's port on 127.0.0.1 (default 8000)"
    )
    sandbox.add_argument(
        "--no-browser", action="store_true", help="print the page's address, don't open it"
    )
    sandbox.add_argument(
        "--data",
        type=Path,
        metavar="DIR",
        help="keep the sandbox's database in DIR (default: a temporary folder, removed on exit)",
    )
    sandbox.add_argument(
        "--empty", action="store_true", help="the demo company's people only, nothing agreed yet"
    )
    sandbox.add_argument(
        "--date",
        type=_date,
        metavar="YYYY-MM-DD",
        help="start the sandbox's clock on this day, at the present time of day (default today)",
    )
    sandbox.set_defaults(action=_sandbox, standalone=True)

    run = commands.add_parser(
        "run",
        help="apply migrations, then serve Slack (HTTP, or Socket Mode when "
        "SLACK_APP_TOKEN is set) with the scheduler",
    )
    run.add_argument(
        "--no-scheduler",
        action="store_true",
        help="serve Slack only; another process runs `alliance scheduler run`",
    )
    run.set_defaults(action=_run, need_slack=True, migrates=True)

    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(title="db commands", metavar="DB_COMMAND", required=True)
    db_commands.add_parser("upgrade", help="apply every pending migration").set_defaults(
        action=_db_upgrade, need_slack=False, migrates=True
    )

    scheduler = commands.add_parser("scheduler", help="the scheduler's work")
    scheduler_commands = scheduler.add_subparsers(
        title="scheduler commands", metavar="SCHEDULER_COMMAND", required=True
    )
    scheduler_commands.add_parser(
        "tick", help="run one pass of the due work, then exit"
    ).set_defaults(action=_scheduler_tick, need_slack=True)
    scheduler_commands.add_parser(
        "run", help="apply migrations, then run the scheduler alone until stopped"
    ).set_defaults(action=_scheduler_run, need_slack=True, migrates=True)

    schedule = commands.add_parser(
        "schedule", help="preview what the scheduler will send and plan in the next days"
    )
    schedule.add_argument(
        "--days", type=_positive_days, default=7, help="how far ahead to look (default 7)"
    )
    schedule.add_argument(
        "--limit", type=int, default=200, help="show at most this many lines (default 200)"
    )
    schedule.set_defaults(action=_schedule, need_slack=False)

    export = commands.add_parser(
        "export",
        help="write an analytics copy of the database to a SQLite file, for Datasette",
        description="Write a standalone SQLite database for Datasette or any SQLite tool: one "
        "table per kind of record, with foreign keys and indexes, read from the live database "
        "(SQLite or PostgreSQL) at one moment. People appear by id only: names, Slack ids, "
        "emails, time zones and links to posts are never in it, and what people wrote only "
        "with --include-text. Value statements, DM conversations, the audit log, processed events "
        "and the outbox are never exported. Progress goes to stderr.",
        epilog="Example: alliance export analytics.db && datasette analytics.db",
    )
    export.add_argument("path", type=Path, metavar="PATH", help="the file to write")
    export.add_argument(
        "--include-text",
        action="store_true",
        help="add what people wrote (statements, review answers, learnings, opportunities, "
        "...), with full-text search on learnings and opportunities",
    )
    export.add_argument("--force", action="store_true", help="replace PATH if it exists")
    export.set_defaults(action=_export, need_slack=False)

    add_people_commands(commands, people_import)

    commands.add_parser("version", help="print the version").set_defaults(
        action=_version, need_slack=False, uses_database=False
    )
    return parser


def _database_problem(settings: Settings, migrates: bool) -> str | None:
    """One line naming DATABASE_URL and why it cannot be used, or None when it can. A
    command that does not migrate needs the tables there already, and creates no file."""
    url = make_url(settings.database_url)
    shown = url.render_as_string(hide_password=True)
    no_tables = (
        f"The database at DATABASE_URL ({shown}) has no tables yet: "
        "run `alliance db upgrade` first."
    )
    on_disk = url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:")
    file = Path(str(url.database))
    if not migrates and on_disk and not file.exists() and file.absolute().parent.is_dir():
        return no_tables
    database = Database(settings.database_url)
    try:
        reason = database.unreachable_reason()
        if reason is None:
            return None if migrates or current_revision(database) else no_tables
    finally:
        database.dispose()
    return f"Alliance cannot use DATABASE_URL ({shown}): {reason.rstrip('.')}."


def _slack_problem(settings: Settings) -> str | None:
    """One line when Slack cannot be reached at SLACK_API_URL or refuses the token."""
    from slack_sdk import WebClient
    from slack_sdk.errors import SlackApiError

    quiet = logging.getLogger("alliance.startup-check")  # the one line below says it all
    quiet.propagate = False
    quiet.addHandler(logging.NullHandler())
    client = WebClient(
        token=settings.bot_token,
        base_url=settings.slack_api_url,
        timeout=10,
        retry_handlers=[],
        logger=quiet,
    )
    try:
        client.auth_test()
    except SlackApiError as refused:
        code = refused.response.get("error") or refused.response.status_code
        return (
            f"Slack refused SLACK_BOT_TOKEN ({code}): copy the Bot User OAuth Token from your "
            "app's OAuth & Permissions page."
        )
    except OSError as error:  # no route, no name, refused, timed out
        reason = getattr(error, "reason", None) or error
        return f"Alliance cannot reach Slack at SLACK_API_URL ({settings.slack_api_url}): {reason}."
    return None


def _port_problem(port: int) -> str | None:
    """One line when PORT is already taken, rather than the server's five retries."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn binds
        try:
            probe.bind(("0.0.0.0", port))
        except OSError as error:
            if error.errno != errno.EADDRINUSE:
                raise
            return f"PORT {port} is in use by another program; set PORT to a free one."
    return None


def _port(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"the port is a number from 1 to 65535, not {text!r}")
    return int(text)


def _date(text: str) -> datetime:
    """A day given on the command line, at the present time of day (UTC)."""
    try:
        day = date.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"give the date as YYYY-MM-DD, not {text!r}") from error
    return datetime.combine(day, datetime.now(UTC).time(), tzinfo=UTC)


def _sandbox(options: argparse.Namespace) -> int:
    from bot.sandbox.run import serve_sandbox

    configure_logging("WARNING")
    try:
        serve_sandbox(
            options.port,
            options.data,
            open_browser=not options.no_browser,
            empty=options.empty,
            today=options.date,
        )
    except OSError as error:
        if error.errno != errno.EADDRINUSE:
            raise
        print(
            f"Port {options.port} on 127.0.0.1 is in use by another program; "
            "choose another with --port.",
            file=sys.stderr,
        )
        return EXIT_CONFIG
    return 0


def _positive_days(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 366:
        raise argparse.ArgumentTypeError(f"days must be a whole number from 1 to 366, not {text!r}")
    return int(text)


def _run(settings: Settings, options: argparse.Namespace) -> int:
    if problem := _slack_problem(settings) or _port_problem(settings.port):
        print(problem, file=sys.stderr)
        return EXIT_CONFIG
    _migrate(settings)
    with metrics_shared_by(1 if settings.socket_mode else settings.web_workers):
        from bot.serve import serve_http, serve_socket_mode

        serve = serve_socket_mode if settings.socket_mode else serve_http
        serve(settings, with_scheduler=not options.no_scheduler)
    return 0


def _scheduler_run(settings: Settings, _options: argparse.Namespace) -> int:
    from bot.serve import serve_scheduler

    if problem := _slack_problem(settings):
        print(problem, file=sys.stderr)
        return EXIT_CONFIG
    _migrate(settings)
    serve_scheduler(settings)
    return 0


def _schedule(settings: Settings, options: argparse.Namespace) -> int:
    from tabulate import tabulate

    from services.preview import schedule_preview

    database = Database(settings.database_url)
    try:
        items = schedule_preview(
            database,
            now=settings.clock(),
            days=options.days,
            limit=options.limit,
        )
    finally:
        database.dispose()
    if not items:
        print(f"Nothing is planned in the next {options.days} days.")
        return 0
    rows = [(f"{item.when:%Y-%m-%d %H:%M}", item.what, item.who, item.detail) for item in items]
    print(tabulate(rows, headers=("when (UTC)", "what", "who", "detail")))
    first = "the first " if len(items) == options.limit else ""
    count = f"{len(items)} item{'' if len(items) == 1 else 's'}"
    print(f"\n{first}{count} in the next {options.days} days.")
    return 0


def _export(settings: Settings, options: argparse.Namespace) -> int:
    from services.analytics_export import ExportRefusal, export_analytics

    database = Database(settings.database_url)
    try:
        summary = export_analytics(
            database,
            options.path,
            include_text=options.include_text,
            replace=options.force,
            progress=_print_progress,
        )
    except ExportRefusal as refusal:
        print(refusal.message, file=sys.stderr)
        return EXIT_REFUSED
    finally:
        database.dispose()
    print(f"Wrote {options.path}: {summary.tables} tables, {summary.rows:,} rows.")
    if summary.searchable:
        print(f"Full-text search on {', '.join(summary.searchable)}.")
    else:
        print("No free text: --include-text adds it, with full-text search.")
    return 0


def _print_progress(table: str, written: int, total: int) -> None:
    print(f"{table}: {written:,} of {total:,} rows", file=sys.stderr, flush=True)


def _db_upgrade(settings: Settings, _options: argparse.Namespace) -> int:
    revision = _migrate(settings)
    print(f"Database {shown_database(settings.database_url)} is at revision {revision}.")
    return 0


def _migrate(settings: Settings) -> str | None:
    database = Database(settings.database_url)
    try:
        upgrade(database)
        return current_revision(database)
    finally:
        database.dispose()


def _scheduler_tick(settings: Settings, _options: argparse.Namespace) -> int:
    from bot.app import build_deps
    from bot.runtime import stop_work
    from scheduler.jobs import run_due_work

    database = Database(settings.database_url)
    deps = build_deps(settings, database)
    try:
        run_due_work(deps)
    finally:
        stop_work(deps, scheduler=None)
        database.dispose()
    return 0


def _version(_settings: Settings, _options: argparse.Namespace) -> int:
    print(f"alliance {__version__}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
