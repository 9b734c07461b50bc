"""The bot's log: one format for every line (gunicorn's too), APScheduler's per-job chatter
left out below DEBUG, and the one line that says how a process started."""

from __future__ import annotations

import logging

from sqlalchemy.engine import make_url

from bot import __version__
from bot.config import Settings

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
# APScheduler logs two INFO lines for every run of every job: every few seconds.
CHATTY_LOGGERS = ("apscheduler",)


class OneLineFormatter(logging.Formatter):
    """Each message on one line (a migration's docstring, say), so every line of the log
    starts with its time and level; a traceback still follows on lines of its own."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        return super().formatMessage(record).replace("\r", " ").replace("\n", " ")


def configure_logging(level: str) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(OneLineFormatter(LOG_FORMAT))
    logging.basicConfig(level=getattr(logging, level), handlers=[handler], force=True)
    for name in CHATTY_LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG if level == "DEBUG" else logging.WARNING)


def shown_database(database_url: str) -> str:
    """The URL as the operator wrote it, its password (if any) replaced by `***`."""
    url = make_url(database_url)
    return url.render_as_string(hide_password=True) if url.password else database_url


def startup_summary(settings: Settings, *, serving: str, with_scheduler: bool) -> str:
    """What this process does and with what: never a secret (the database password is hidden)."""
    database = shown_database(settings.database_url)
    admins = len(settings.admins)
    digest = str(settings.digest_schedule) if settings.digest_schedule else "on request only"
    channels = ", ".join(
        f"{what} {channel}"
        for what, channel in (
            ("alumni channel", settings.alumni_channel or "not set"),
            ("learning channel", settings.learning_channel or "not set"),
            ("leadership channel", settings.leadership_channel or "not set (digest by DM)"),
        )
    )
    return (
        f"Alliance {__version__} starting: {serving}; "
        f"scheduler {'in this process' if with_scheduler else 'elsewhere'}; "
        f"database {database}; {admins} admin{'' if admins == 1 else 's'}; {channels}; "
        f"leadership digest {digest}"
    )
