"""The `alliance` command line."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from dotenv import load_dotenv
from sqlalchemy.engine import make_url

from bot import __version__
from bot.config import (
    ConfigError,
    Settings,
    configure_logging,
    forget_secret_variables,
    load_settings,
)
from db.engine import Database
from db.migrate import current_revision, upgrade

EXIT_CONFIG = 2


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    options = parser.parse_args(argv)
    if not hasattr(options, "action"):
        parser.print_help()
        return 0
    load_dotenv(os.environ.get("ALLIANCE_ENV_FILE", ".env"), override=False)
    try:
        settings = load_settings(os.environ, need_slack=options.need_slack)
    except ConfigError as error:
        print(error.explain(), file=sys.stderr)
        return EXIT_CONFIG
    forget_secret_variables(os.environ)
    configure_logging(settings.log_level)
    action: Callable[[Settings], int] = options.action
    return action(settings)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="alliance",
        description="Alliance: run tours of duty, alignment reviews and the alumni network "
        "in Slack. Configuration comes from the environment and .env (see .env.example).",
    )
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    run = commands.add_parser(
        "run",
        help="apply migrations, then serve Slack (HTTP, or Socket Mode when "
        "SLACK_APP_TOKEN is set) with the scheduler",
    )
    run.set_defaults(action=_run, need_slack=True)

    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(title="db commands", metavar="DB_COMMAND", required=True)
    db_commands.add_parser("upgrade", help="apply every pending migration").set_defaults(
        action=_db_upgrade, need_slack=False
    )

    scheduler = commands.add_parser("scheduler", help="the scheduler's work")
    scheduler_commands = scheduler.add_subparsers(
        title="scheduler commands", metavar="SCHEDULER_COMMAND", required=True
    )
    scheduler_commands.add_parser(
        "tick", help="run one pass of the due work, then exit"
    ).set_defaults(action=_scheduler_tick, need_slack=True)

    commands.add_parser("version", help="print the version").set_defaults(
        action=_version, need_slack=False
    )
    return parser


def _run(settings: Settings) -> int:
    from bot.serve import serve_http, serve_socket_mode

    _migrate(settings)
    (serve_socket_mode if settings.socket_mode else serve_http)(settings)
    return 0


def _db_upgrade(settings: Settings) -> int:
    revision = _migrate(settings)
    shown = make_url(settings.database_url).render_as_string(hide_password=True)
    print(f"Database {shown} is at revision {revision}.")
    return 0


def _migrate(settings: Settings) -> str | None:
    database = Database(settings.database_url)
    try:
        upgrade(database)
        return current_revision(database)
    finally:
        database.dispose()


def _scheduler_tick(settings: Settings) -> int:
    from bot.app import build_deps
    from scheduler.jobs import run_due_work

    database = Database(settings.database_url)
    try:
        run_due_work(build_deps(settings, database))
    finally:
        database.dispose()
    return 0


def _version(_settings: Settings) -> int:
    print(f"alliance {__version__}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
