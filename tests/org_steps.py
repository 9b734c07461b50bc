"""The org chart as tests bring it in: a company's people in the fake Slack, and
`alliance people import` run as a person would run it."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

from bot.sandbox.fake_slack import FakeSlack
from db.engine import Database
from tests.botprocess import bot_environment
from tests.helpers import new_user_id

ALLIANCE = str(Path(sys.executable).with_name("alliance"))


class Company:
    """People of one test in the fake Slack, each with an email at their own domain."""

    def __init__(self, fake: FakeSlack, *names: str) -> None:
        self.domain = f"{new_user_id().lower()}.example"
        self.ids = {name: new_user_id() for name in names}
        for name, user_id in self.ids.items():
            fake.add_user(user_id, real_name=name.title(), email=self.email(name))

    def email(self, name: str) -> str:
        return f"{name}@{self.domain}"

    def csv(self, *rows: str, header: str = "email,manager_email,department,title") -> bytes:
        """Rows written with names: `ana,bob,Sales,Rep` becomes their emails."""
        lines = [header]
        for row in rows:
            cells = row.split(",")
            cells[0] = self.email(cells[0]) if cells[0] else ""
            if len(cells) > 1 and cells[1]:
                cells[1] = self.email(cells[1])
            lines.append(",".join(cells))
        return ("\n".join(lines) + "\n").encode()


def people_import(
    database: Database, fake: FakeSlack, tmp_path: Path, content: bytes, *flags: str
) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "org.csv"
    path.write_bytes(content)
    return subprocess.run(
        [ALLIANCE, "people", "import", str(path), *flags],
        env=bot_environment(fake.url, database.url),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def chart_by_id(lines: Iterable[tuple[str, str, str]]) -> bytes:
    """An org chart by Slack ids: (person, manager or "", department) each."""
    rows = [f"{person},{manager},{department}" for person, manager, department in lines]
    return ("slack_id,manager_slack_id,department\n" + "\n".join(rows) + "\n").encode()
