"""An org chart exported from an HR system, read as CSV: who each person is, who they report
to, and their department, title, start date and location. What makes a row unusable is decided
here, before anything asks Slack; what needs Slack (unknown emails) is decided by the import."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

# Our column -> the header spellings accepted for it (compared as `_plain` makes them).
COLUMNS: Mapping[str, tuple[str, ...]] = {
    "email": ("email", "work email", "email address", "work email address", "e mail"),
    "slack_id": ("slack id", "slack user id", "slack member id", "member id"),
    "manager_email": (
        "manager email",
        "manager work email",
        "manager email address",
        "supervisor email",
        "reports to email",
        "reports to",
    ),
    "manager_slack_id": ("manager slack id", "manager slack user id", "manager member id"),
    "department": ("department", "dept", "department name"),
    "title": ("title", "job title", "position", "job"),
    "start_date": ("start date", "hire date", "date of hire", "original hire date", "start"),
    "location": ("location", "work location", "office"),
}
DELIMITERS = (",", ";", "\t")
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%d %b %Y", "%d %B %Y", "%b %d, %Y", "%B %d, %Y")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
SLACK_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
TEXT_MAX = 200  # department, title, location


class OrgChartError(Exception):
    """The file as a whole cannot be read as an org chart; the message says why, in words."""


@dataclass(frozen=True, slots=True)
class OrgRow:
    """One person's line of the file, as written (emails lower-cased)."""

    line: int
    email: str = ""
    slack_id: str = ""
    manager_email: str = ""
    manager_slack_id: str = ""
    department: str = ""
    title: str = ""
    start_date: date | None = None
    location: str = ""

    @property
    def key(self) -> str:
        """Who the row is about: their Slack id if given, else their email."""
        return self.slack_id or self.email

    @property
    def manager_key(self) -> str:
        return self.manager_slack_id or self.manager_email


@dataclass(frozen=True, slots=True)
class RefusedRow:
    line: int
    reason: str


@dataclass(frozen=True, slots=True)
class OrgChart:
    rows: tuple[OrgRow, ...]
    refused: tuple[RefusedRow, ...] = ()
    columns: tuple[str, ...] = field(default=())  # ours, in the file's order


def read_org_chart(data: bytes) -> OrgChart:
    """The file's rows, each usable one as an OrgRow and each other one with its reason.
    Raises OrgChartError when the file is empty, not text, or has no column naming people."""
    text = _text(data)
    delimiter = max(DELIMITERS, key=text.split("\n", 1)[0].count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise OrgChartError("the file has no lines") from None
    except csv.Error as problem:
        raise OrgChartError(f"this is not a CSV file ({problem})") from problem
    columns = _columns(header)
    rows: list[OrgRow] = []
    refused: list[RefusedRow] = []
    try:
        for values in reader:
            if not any(value.strip() for value in values):
                continue
            line = reader.line_num
            fields = {ours: values[at].strip() for at, ours in columns.items() if at < len(values)}
            row, reason = _row(line, fields)
            if reason is not None:
                refused.append(RefusedRow(line, reason))
            else:
                assert row is not None
                rows.append(row)
    except csv.Error as problem:
        raise OrgChartError(f"line {reader.line_num} is not CSV ({problem})") from problem
    usable, repeated = _without_repeats(rows)
    return OrgChart(
        tuple(usable),
        tuple(sorted(refused + repeated, key=lambda refusal: refusal.line)),
        tuple(columns.values()),
    )


def _text(data: bytes) -> str:
    if not data.strip():
        raise OrgChartError("the file is empty")
    if b"\x00" in data:
        raise OrgChartError("this is not a CSV file: it holds binary data (a spreadsheet?)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")  # Excel's CSV on Windows


def _plain(header: str) -> str:
    return " ".join(re.sub(r"[_\-.:]+", " ", header.lower()).split())


def _columns(header: Sequence[str]) -> dict[int, str]:
    """The file's column positions that we read -> our column names."""
    spellings = {_plain(spelling): ours for ours, names in COLUMNS.items() for spelling in names}
    spellings.update({_plain(ours): ours for ours in COLUMNS})
    found: dict[int, str] = {}
    for at, name in enumerate(header):
        ours = spellings.get(_plain(name))
        if ours is not None and ours not in found.values():
            found[at] = ours
    if not {"email", "slack_id"} & set(found.values()):
        shown = ", ".join(repr(name) for name in header[:8]) or "none"
        raise OrgChartError(
            "no column says who each person is: name one 'email' (or 'Work Email') or "
            f"'slack_id'. The first line has {shown}"
        )
    return found


def _row(line: int, fields: Mapping[str, str]) -> tuple[OrgRow | None, str | None]:
    email = fields.get("email", "").lower()
    slack_id = fields.get("slack_id", "").upper()
    manager_email = fields.get("manager_email", "").lower()
    manager_slack_id = fields.get("manager_slack_id", "").upper()
    if not email and not slack_id:
        return None, "no email or Slack id"
    for value, pattern, what in (
        (email, EMAIL, "an email address"),
        (manager_email, EMAIL, "an email address"),
        (slack_id, SLACK_USER_ID, "a Slack user id (like U012AB3CD)"),
        (manager_slack_id, SLACK_USER_ID, "a Slack user id (like U012AB3CD)"),
    ):
        if value and not pattern.match(value):
            return None, f"{value!r} is not {what}"
    if ({email, slack_id} - {""}) & ({manager_email, manager_slack_id} - {""}):
        return None, "the person is their own manager"
    start = fields.get("start_date", "")
    start_date = _date(start)
    if start and start_date is None:
        return None, f"the start date {start!r} is not a date (write it as 2024-03-31)"
    too_long = [
        name for name in ("department", "title", "location") if len(fields.get(name, "")) > TEXT_MAX
    ]
    if too_long:
        return None, f"the {too_long[0]} is longer than {TEXT_MAX} characters"
    return (
        OrgRow(
            line,
            email=email,
            slack_id=slack_id,
            manager_email=manager_email,
            manager_slack_id=manager_slack_id,
            department=fields.get("department", ""),
            title=fields.get("title", ""),
            start_date=start_date,
            location=fields.get("location", ""),
        ),
        None,
    )


def _date(text: str) -> date | None:
    for form in DATE_FORMATS:
        try:
            return datetime.strptime(text, form).date()
        except ValueError:
            continue
    return None


def _without_repeats(rows: Iterable[OrgRow]) -> tuple[list[OrgRow], list[RefusedRow]]:
    """A person on two lines: the first is kept only if no later line repeats it; every line
    about them is refused, since the file does not say which is right."""
    first_line: dict[str, int] = {}
    repeated: set[str] = set()
    for row in rows:
        for key in {row.email, row.slack_id} - {""}:
            if key in first_line:
                repeated.add(key)
            else:
                first_line[key] = row.line
    usable, refused = [], []
    for row in rows:
        keys = {row.email, row.slack_id} - {""}
        if keys & repeated:
            key = sorted(keys & repeated)[0]
            refused.append(RefusedRow(row.line, f"{key} is on more than one line"))
        else:
            usable.append(row)
    return usable, refused


def reporting_loops(managers: Mapping[str, str]) -> list[list[str]]:
    """Each loop in person -> manager (a reports to b ... reports to a), as the people in it,
    starting from the first of them in sorted order."""
    loops: list[list[str]] = []
    done: set[str] = set()
    for start in sorted(managers):
        path: list[str] = []
        on_path: dict[str, int] = {}
        person: str | None = start
        while person is not None and person not in done and person not in on_path:
            on_path[person] = len(path)
            path.append(person)
            person = managers.get(person)
        if person is not None and person in on_path:
            loop = path[on_path[person] :]
            first = loop.index(min(loop))
            loops.append(loop[first:] + loop[:first])
        done.update(path)
    return loops
