"""docs/operations.md, tried: the systemd unit verifies, and a backup of a running bot's
database, restored into a fresh one, is served by a new bot with what people recorded."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy.engine import make_url

from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.signed_requests import SignedRequests
from tests import clock
from tests.botprocess import SIGNING_SECRET, BotProcess, bot_environment
from tests.conftest import fresh_postgres_database
from tests.helpers import eventually

pytestmark = pytest.mark.dateless

UNIT = Path(__file__).parent.parent / "docs" / "systemd" / "alliance@.service"
ALLIANCE = Path(sys.executable).with_name("alliance")
USER = "UBACKUP01"
LEFT = re.compile(r"Approved: .* for \w+\. (.+?) left this year\.")


@pytest.fixture
def unit_folder() -> Iterator[Path]:
    """A folder whose path has no ':', which `systemd-analyze verify` reads as FILE:ALIAS (and
    the pinned-date runs' temporary folders have, as in tmp-2027-03-28T01:30:00Z)."""
    with tempfile.TemporaryDirectory(prefix="alliance-unit-") as folder:
        yield Path(folder)


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="no systemd-analyze here")
def test_the_systemd_unit_verifies(unit_folder: Path) -> None:
    env_file = unit_folder / "alliance.env"
    env_file.write_text("SLACK_BOT_TOKEN=xoxb-1\n")
    unit = UNIT.read_text()
    assert "/opt/alliance/.venv/bin/alliance run" in unit and "/etc/alliance/alliance.env" in unit
    # This machine's bot in place of /opt/alliance's, which verify checks is executable.
    local = unit.replace("/opt/alliance/.venv/bin/alliance", str(ALLIANCE)).replace(
        "/etc/alliance/alliance.env", str(env_file)
    )
    (unit_folder / UNIT.name).write_text(local)
    checked = subprocess.run(
        ["systemd-analyze", "verify", str(unit_folder / "alliance@3000.service")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (checked.returncode, checked.stderr) == (0, "")


def spend(bot: BotProcess, fake: FakeSlack, amount: int, what: str) -> str:
    """An expense through Slack; what is left of the budget, from the bot's reply."""
    reply_to = fake.response_url(f"commands/T0001/{what}/backup")
    with SignedRequests(bot.url, SIGNING_SECRET) as slack:
        answer = slack.slash_command(
            f"expense {amount} {what}", user_id=USER, response_url=reply_to
        )
    assert answer.status_code == 200

    def left() -> str | None:
        for call in fake.calls("response_url"):
            found = call.path.endswith(f"/{what}/backup") and LEFT.search(str(call.args))
            if found:
                return found.group(1)
        return None

    shown = eventually(left, timeout=30)
    assert shown, f"no approval for the {what}: {fake.calls('response_url')}"
    return str(shown)


@pytest.fixture
def restored_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """A database to back up and an empty one to restore into, of each kind."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'live.db'}", f"sqlite:///{tmp_path / 'restored.db'}"
        return
    for live in fresh_postgres_database():
        for restored in fresh_postgres_database():
            yield live, restored


def back_up_and_restore(live: str, restored: str, tmp_path: Path) -> None:
    """As docs/operations.md says, while the bot runs."""
    if live.startswith("sqlite"):
        source, target = make_url(live).database, make_url(restored).database
        subprocess.run(["sqlite3", source, f".backup {target}"], check=True, timeout=60)
        return
    dump = tmp_path / "alliance.dump"
    plain = {url: url.replace("+psycopg", "") for url in (live, restored)}
    subprocess.run(
        ["pg_dump", "--format=custom", f"--file={dump}", plain[live]], check=True, timeout=120
    )
    subprocess.run(
        ["pg_restore", "--no-owner", f"--dbname={plain[restored]}", str(dump)],
        check=True,
        timeout=120,
    )


@pytest.mark.parametrize("restored_url", ["sqlite", "postgresql"], indirect=True)
def test_a_restored_backup_is_served_with_what_people_recorded(
    restored_url: tuple[str, str], tmp_path: Path
) -> None:
    live, restored = restored_url
    tool = "sqlite3" if live.startswith("sqlite") else "pg_restore"
    if not shutil.which(tool):
        pytest.skip(f"no {tool} here")
    with FakeSlack() as fake:
        fake.set_clock(clock.timestamp)
        fake.add_user(USER, name="backup")
        first = BotProcess(bot_environment(fake.url, live), tmp_path / "live.log").start()
        try:
            left_before = spend(first, fake, 7, "coffee")
            back_up_and_restore(live, restored, tmp_path)
        finally:
            first.stop()
        second = BotProcess(bot_environment(fake.url, restored), tmp_path / "restored.log")
        second.start()
        try:
            health = requests.get(f"{second.url}/healthz", timeout=5).json()
            left_after = spend(second, fake, 5, "tea")
        finally:
            second.stop()
    assert health["status"] == "ok"
    assert money(left_before) - money(left_after) == 5  # the coffee before the backup counted


def money(shown: str) -> float:
    return float(re.sub(r"[^\d.]", "", shown))
