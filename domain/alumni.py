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


class OpportunityKind(StrEnum):
    CONSULTING = "consulting"
    POSITION = "position"
    EVENT = "event"
    HELP = "help"

    @property
    def label(self) -> str:
        return _KIND_LABELS[self]


_KIND_LABELS = {
    OpportunityKind.CONSULTING: "Consulting project",
    OpportunityKind.POSITION: "Open position",
    OpportunityKind.EVENT: "Event",
    OpportunityKind.HELP: "Request for help",
}


class OpportunityStatus(StrEnum):
    QUEUED = "queued"  # the scheduler posts it in working hours
    POSTED = "posted"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"


TITLE_MAX, DESCRIPTION_MAX, LINK_MAX, CONTACT_MAX = 150, 2000, 2048, 255
LATEST_CLOSE = timedelta(days=366)


@dataclass(frozen=True)
class OpportunityForm:
    kind: OpportunityKind | None
    title: str
    description: str
    link: str
    contact: str
    closes_on: date | None


def opportunity_problems(form: OpportunityForm, today: date) -> dict[str, str]:
    """What is wrong with the opportunity form, by field."""
    problems: dict[str, str] = {}
    if form.kind is None:
        problems["kind"] = "Choose what kind of opportunity this is."
    if not form.title.strip():
        problems["title"] = "Give it a title."
    elif len(form.title.strip()) > TITLE_MAX:
        problems["title"] = f"Keep the title to {TITLE_MAX} characters."
    if len(form.description.strip()) > DESCRIPTION_MAX:
        problems["description"] = f"Keep it to {DESCRIPTION_MAX} characters."
    link = form.link.strip()
    if link and (len(link) > LINK_MAX or not link.startswith(("https://", "http://"))):
        problems["link"] = "A link starts with https:// (or http://)."
    if len(form.contact.strip()) > CONTACT_MAX:
        problems["contact"] = f"Keep it to {CONTACT_MAX} characters."
    if form.closes_on is not None:
        if form.closes_on < today:
            problems["closes_on"] = "It can't close in the past."
        elif form.closes_on - today > LATEST_CLOSE:
            problems["closes_on"] = "Choose a day within a year."
    return problems
