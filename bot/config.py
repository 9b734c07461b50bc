"""Settings read once from the environment, validated in one place."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass, field
from datetime import time, timedelta
from typing import TypeAlias
from urllib.parse import urlparse

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from domain.digest_schedule import DigestSchedule
from domain.figures import DEFAULT_MIN_GROUP_SIZE
from domain.money import AmountProblem, parse_amount
from domain.schedule import DEFAULT_LEAD_DAYS, WorkingHours
from services.budget import DEFAULT_BUDGET, BudgetDefaults
from services.clock import ShiftedClock
from services.learnings import DEFAULT_GUIDELINE
from services.outbox import DELIVERY_CONCURRENCY

DEFAULT_SLACK_API_URL = "https://slack.com/api/"
DEFAULT_DATABASE_URL = "sqlite:///alliance.db"
DEFAULT_PORT = 3000
DEFAULT_DELIVERY_INTERVAL_SECONDS = 10
DEFAULT_DIGEST_SCHEDULE = DigestSchedule(day=0, at=time(9))  # Mondays 09:00 UTC
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")

_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
_CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,}$")

_Check: TypeAlias = Callable[[str], str | None]


class ConfigError(Exception):
    """Every problem found in the environment, reported together."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))

    def explain(self) -> str:
        lines = ["Alliance cannot start; please fix its configuration:"]
        lines += [f"  - {problem}" for problem in self.problems]
        lines.append("See .env.example and the configuration table in the README.")
        return "\n".join(lines)


@dataclass(frozen=True)
class Settings:
    bot_token: str
    signing_secret: str
    app_token: str | None = None
    slack_api_url: str = DEFAULT_SLACK_API_URL
    database_url: str = DEFAULT_DATABASE_URL
    port: int = DEFAULT_PORT
    admins: frozenset[str] = field(default_factory=frozenset)
    alumni_channel: str | None = None
    learning_channel: str | None = None
    leadership_channel: str | None = None
    # When the weekly leadership digest goes out; None: only on request (`/alliance report`).
    digest_schedule: DigestSchedule | None = DEFAULT_DIGEST_SCHEDULE
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE
    log_level: str = "INFO"
    web_workers: int = 1
    web_threads: int = 32
    delivery_interval_seconds: int = DEFAULT_DELIVERY_INTERVAL_SECONDS
    delivery_concurrency: int = DELIVERY_CONCURRENCY
    working_hours: WorkingHours = field(default_factory=WorkingHours)
    tour_end_lead_days: tuple[int, ...] = DEFAULT_LEAD_DAYS
    news_digest_day: int = 1
    nonpublic_guideline: str = DEFAULT_GUIDELINE
    budget_defaults: BudgetDefaults = DEFAULT_BUDGET
    # How far the bot's clock runs from the real one (trials and tests at another date).
    clock_shift: timedelta = timedelta(0)

    @property
    def clock(self) -> ShiftedClock:
        return ShiftedClock(self.clock_shift)

    @property
    def socket_mode(self) -> bool:
        return self.app_token is not None


def load_settings(environ: Mapping[str, str], *, need_slack: bool = True) -> Settings:
    """Build Settings from `environ`, raising ConfigError that lists every problem at once."""
    reader = _Reader(environ)
    app_token = reader.optional("SLACK_APP_TOKEN", _token_check("xapp-"))
    if need_slack:
        bot_token = reader.required("SLACK_BOT_TOKEN", _token_check("xoxb-"))
        if app_token is None:
            signing_secret = reader.required("SLACK_SIGNING_SECRET", _non_blank)
        else:
            signing_secret = reader.optional("SLACK_SIGNING_SECRET", _non_blank) or ""
    else:
        bot_token = reader.optional("SLACK_BOT_TOKEN", _token_check("xoxb-")) or ""
        signing_secret = reader.optional("SLACK_SIGNING_SECRET", _non_blank) or ""
    settings = Settings(
        bot_token=bot_token,
        signing_secret=signing_secret,
        app_token=app_token,
        slack_api_url=reader.optional("SLACK_API_URL", _api_url) or DEFAULT_SLACK_API_URL,
        database_url=reader.optional("DATABASE_URL", _database_url) or DEFAULT_DATABASE_URL,
        port=_as_int(reader.optional("PORT", _int_between(1, 65535)), DEFAULT_PORT),
        admins=frozenset(reader.optional_list("ALLIANCE_ADMINS", _USER_ID, "Slack user IDs")),
        alumni_channel=reader.optional("ALLIANCE_ALUMNI_CHANNEL", _channel_id),
        learning_channel=reader.optional("ALLIANCE_LEARNING_CHANNEL", _channel_id),
        leadership_channel=reader.optional("ALLIANCE_LEADERSHIP_CHANNEL", _channel_id),
        digest_schedule=_digest_schedule(reader.optional("ALLIANCE_LEADERSHIP_DIGEST", _schedule)),
        min_group_size=_as_int(
            reader.optional("ALLIANCE_MIN_GROUP_SIZE", _int_between(1, 1000)),
            DEFAULT_MIN_GROUP_SIZE,
        ),
        log_level=(reader.optional("LOG_LEVEL", _log_level) or "INFO").upper(),
        web_workers=_as_int(reader.optional("WEB_CONCURRENCY", _int_between(1, 64)), 1),
        web_threads=_as_int(reader.optional("ALLIANCE_WEB_THREADS", _int_between(1, 512)), 32),
        delivery_interval_seconds=_as_int(
            reader.optional("ALLIANCE_DELIVERY_INTERVAL_SECONDS", _int_between(1, 3600)),
            DEFAULT_DELIVERY_INTERVAL_SECONDS,
        ),
        delivery_concurrency=_as_int(
            reader.optional("ALLIANCE_DELIVERY_CONCURRENCY", _int_between(1, 64)),
            DELIVERY_CONCURRENCY,
        ),
        working_hours=WorkingHours.parse(
            reader.optional("ALLIANCE_WORKING_HOURS", _working_hours) or str(WorkingHours())
        ),
        nonpublic_guideline=reader.optional("ALLIANCE_NONPUBLIC_GUIDELINE", _non_blank)
        or DEFAULT_GUIDELINE,
        budget_defaults=_budget_defaults(reader),
        news_digest_day=_as_int(
            reader.optional("ALLIANCE_NEWS_DIGEST_DAY", _int_between(1, 28)), 1
        ),
        tour_end_lead_days=_lead_days(
            reader.optional("ALLIANCE_TOUR_END_LEAD_DAYS", _lead_days_check)
        ),
        clock_shift=timedelta(
            seconds=float(reader.optional("ALLIANCE_CLOCK_SHIFT_SECONDS", _seconds) or 0)
        ),
    )
    if environ.get("SLACK_CLIENT_ID") and environ.get("SLACK_CLIENT_SECRET"):
        reader.problems.append(
            "SLACK_CLIENT_ID and SLACK_CLIENT_SECRET are set: they switch Bolt to its OAuth "
            "install flow, which Alliance does not use. Unset them and use SLACK_BOT_TOKEN."
        )
    if reader.problems:
        raise ConfigError(reader.problems)
    return settings


# Read once into Settings; removed afterwards so that nothing else in the process reads them.
SECRET_VARIABLES = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN")


def forget_secret_variables(environ: MutableMapping[str, str]) -> None:
    for name in SECRET_VARIABLES:
        environ.pop(name, None)


class _Reader:
    """Reads variables, collecting problems instead of stopping at the first."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self.environ = environ
        self.problems: list[str] = []

    def required(self, name: str, check: _Check) -> str:
        value = self.optional(name, check)
        if value is None and not any(p.startswith(name) for p in self.problems):
            self.problems.append(f"{name} is not set.")
        return value or ""

    def optional(self, name: str, check: _Check) -> str | None:
        raw = self.environ.get(name, "").strip()
        if not raw:
            return None
        complaint = check(raw)
        if complaint:
            # A complaint may end with its own full stop (a quoted example, a parser's sentence).
            self.problems.append(f"{name} {complaint.removesuffix('.')}.")
            return None
        return _normalise(name, raw)

    def optional_list(self, name: str, pattern: re.Pattern[str], what: str) -> list[str]:
        items = [item.strip() for item in self.environ.get(name, "").split(",") if item.strip()]
        bad = [item for item in items if not pattern.match(item)]
        if bad:
            self.problems.append(
                f"{name} must be a comma-separated list of {what}; these are not: {', '.join(bad)}."
            )
        return [item for item in items if pattern.match(item)]


def _normalise(name: str, raw: str) -> str:
    if name == "SLACK_API_URL" and not raw.endswith("/"):
        return raw + "/"
    return raw


def _non_blank(value: str) -> str | None:
    return None if value else "is empty"


def _token_check(prefix: str) -> _Check:
    def check(value: str) -> str | None:
        if not value.startswith(prefix):
            return f"must start with '{prefix}' (found '{value[:5]}...')"
        return None

    return check


def _api_url(value: str) -> str | None:
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        return f"must be an http(s) URL such as {DEFAULT_SLACK_API_URL} (found '{value}')"
    return None


def _database_url(value: str) -> str | None:
    try:
        url = make_url(value)
    except ArgumentError:
        return f"is not a database URL (found '{value}'); example: {DEFAULT_DATABASE_URL}"
    if url.get_backend_name() not in ("sqlite", "postgresql", "postgres"):  # as hosts write it
        return f"must point at SQLite or PostgreSQL (found '{url.get_backend_name()}')"
    return None


def _int_between(low: int, high: int) -> _Check:
    def check(value: str) -> str | None:
        if not value.isdigit() or not low <= int(value) <= high:
            return f"must be a whole number from {low} to {high} (found '{value}')"
        return None

    return check


def _seconds(value: str) -> str | None:
    try:
        seconds = float(value)
    except ValueError:
        seconds = math.nan
    if not math.isfinite(seconds) or abs(seconds) > MAX_CLOCK_SHIFT_SECONDS:
        return f"must be a number of seconds, such as -86400 for a day back (found '{value}')"
    return None


def _schedule(value: str) -> str | None:
    try:
        DigestSchedule.parse(value)
    except ValueError as problem:
        return f"is not a weekly schedule: {problem}"
    return None


def _digest_schedule(value: str | None) -> DigestSchedule | None:
    return DEFAULT_DIGEST_SCHEDULE if value is None else DigestSchedule.parse(value)


def _working_hours(value: str) -> str | None:
    try:
        WorkingHours.parse(value)
    except ValueError as problem:
        return f"is not working hours: {problem}"
    return None


MAX_LEAD_DAYS = 730
# A century either way: further is a typo, and beyond datetime's range for some dates.
MAX_CLOCK_SHIFT_SECONDS = 100 * 366 * 86400


def _lead_days_check(value: str) -> str | None:
    items = [item.strip() for item in value.split(",")]
    if not all(item.isdigit() and 0 <= int(item) <= MAX_LEAD_DAYS for item in items):
        return (
            f"must be days before a tour's end, from 0 to {MAX_LEAD_DAYS}, separated by commas, "
            f"like 90,60,30 (found '{value}')"
        )
    return None


def _lead_days(value: str | None) -> tuple[int, ...]:
    if value is None:
        return DEFAULT_LEAD_DAYS
    return tuple(sorted({int(item) for item in value.split(",")}, reverse=True))


def _budget_defaults(reader: _Reader) -> BudgetDefaults:
    """The networking budget a new year starts with: amounts as people type them."""
    currency = (reader.optional("ALLIANCE_CURRENCY", _currency) or DEFAULT_BUDGET.currency).upper()
    amounts = []
    for name, default in (
        ("ALLIANCE_BUDGET_YEARLY", DEFAULT_BUDGET.amount_minor),
        ("ALLIANCE_BUDGET_SELF_APPROVAL", DEFAULT_BUDGET.limit_minor),
    ):
        typed = reader.optional(name, _non_blank)
        try:
            amounts.append(default if typed is None else parse_amount(typed, currency).minor)
        except AmountProblem as problem:
            reader.problems.append(f"{name} is not an amount: {problem}")
            amounts.append(default)
    return BudgetDefaults(amounts[0], amounts[1], currency)


def _currency(value: str) -> str | None:
    if len(value) != 3 or not value.isalpha():
        return f"must be a three-letter currency code such as EUR or USD (found '{value}')"
    return None


def _channel_id(value: str) -> str | None:
    if not _CHANNEL_ID.match(value):
        return f"must be a channel ID such as C0123ABCD (found '{value}')"
    return None


def _log_level(value: str) -> str | None:
    if value.upper() not in LOG_LEVELS:
        return f"must be one of {', '.join(LOG_LEVELS)} (found '{value}')"
    return None


def _as_int(value: str | None, default: int) -> int:
    return default if value is None else int(value)
