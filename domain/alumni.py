"""Leaving and the alumni network: what an offboarding is, and whether its form is valid."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

DIRECTORY_LINE_MAX = 300
EMAIL_MAX = 254
LATEST_LAST_DAY = timedelta(days=366)
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


class OffboardingStatus(StrEnum):
    SCHEDULED = "scheduled"  # the invitation goes out on the last day
    INVITED = "invited"
    JOINED = "joined"
    DECLINED = "declined"
    NOT_INVITED = "not_invited"  # not leaving in good standing: recorded, nothing sent
    CANCELLED = "cancelled"


class JoinMethod(StrEnum):
    CHANNEL_INVITE = "channel_invite"
    SLACK_CONNECT = "slack_connect"
    MANUAL = "manual"  # the admins were asked to invite them by hand


@dataclass(frozen=True)
class OffboardingForm:
    """The offboarding form as typed."""

    last_day: date | None
    good_standing: bool | None
    personal_email: str
    directory_line: str


def form_problems(form: OffboardingForm, today: date) -> dict[str, str]:
    """What is wrong with the form, by field; empty when it can be saved."""
    problems: dict[str, str] = {}
    if form.last_day is None:
        problems["last_day"] = "Choose their last day."
    elif form.last_day < today:
        problems["last_day"] = "Their last day can't be in the past."
    elif form.last_day - today > LATEST_LAST_DAY:
        problems["last_day"] = "That's more than a year away; record it closer to the time."
    if form.good_standing is None:
        problems["good_standing"] = "Say whether they leave in good standing."
    email = form.personal_email.strip()
    if email and (len(email) > EMAIL_MAX or not _EMAIL.fullmatch(email)):
        problems["personal_email"] = "That doesn't look like an email address (name@example.com)."
    if len(form.directory_line.strip()) > DIRECTORY_LINE_MAX:
        problems["directory_line"] = f"Keep it to {DIRECTORY_LINE_MAX} characters."
    return problems


ROLE_MAX = 200
EXPERTISE_MAX = 500


@dataclass(frozen=True)
class DirectoryForm:
    """What an alum chooses to show in the directory; nothing shows unless `listed`."""

    current_role: str
    expertise: str
    open_to_consulting: bool
    open_to_returning: bool
    listed: bool


def directory_problems(form: DirectoryForm) -> dict[str, str]:
    problems: dict[str, str] = {}
    if len(form.current_role.strip()) > ROLE_MAX:
        problems["current_role"] = f"Keep it to {ROLE_MAX} characters."
    if len(form.expertise.strip()) > EXPERTISE_MAX:
        problems["expertise"] = f"Keep it to {EXPERTISE_MAX} characters."
    return problems


def matches(keyword: str, *texts: str | None) -> bool:
    """Whether every word of `keyword` is found in one of the texts, ignoring case."""
    haystack = " ".join(text for text in texts if text).casefold()
    return all(word in haystack for word in keyword.casefold().split())
