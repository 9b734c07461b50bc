"""`alliance sandbox`: how soon its page answers, how soon `/alliance help` shows its reply on
the page, and how long a manager's Home with 30 reports takes to draw.

    python bench/sandbox.py [--runs 20]

The start-up is timed on `alliance sandbox` processes; the help reply in Chromium through the
page when Playwright and /usr/bin/chromium are there (otherwise through the page's API, and
it says so); the Home in an in-process sandbox whose manager proposes 30 tours that are
accepted through the stand-in.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.sandbox import demo  # noqa: E402
from bot.sandbox.run import running_sandbox  # noqa: E402
from bot.sandbox.workspace import Person, Workspace  # noqa: E402
from tests.botprocess import free_port  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
REPORTS = 30
STARTS = 3


def start_up_seconds() -> tuple[float, float]:
    """From the command to the address printed, and to the page answering 200."""
    port = free_port()
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "sandbox", "--no-browser", "--port", str(port)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        process.stdout.readline()
        printed = time.monotonic() - started
        while requests.get(f"http://127.0.0.1:{port}/", timeout=5).status_code != 200:
            time.sleep(0.01)
        return printed, time.monotonic() - started
    finally:
        process.terminate()
        process.wait(timeout=15)


def help_reply_seconds(url: str, runs: int) -> tuple[list[float], str]:
    if not CHROMIUM.exists():
        return _help_by_api(url, runs), "through the page's API (no Chromium here)"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return _help_by_api(url, runs), "through the page's API (no Playwright here)"
    times = []
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM))
        page = browser.new_page()
        page.goto(f"{url}?as={demo.JONAS.id}")
        page.click('#nav [data-channel^="D"]')
        for _ in range(runs):
            shown = page.locator("#messages .message.ephemeral").count()
            started = time.monotonic()
            page.fill("#composer", "/alliance help")
            page.press("#composer", "Enter")
            page.wait_for_function(
                "n => document.querySelectorAll('#messages .message.ephemeral').length > n",
                arg=shown,
            )
            times.append(time.monotonic() - started)
        browser.close()
    return times, "typed in Chromium, until the reply is drawn"


def _help_by_api(url: str, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.monotonic()
        act = {"as": demo.JONAS.id, "kind": "command", "text": "help"}
        requests.post(f"{url}sandbox/act", json=act, timeout=10).raise_for_status()
        requests.get(f"{url}sandbox/state", params={"as": demo.JONAS.id}, timeout=10)
        times.append(time.monotonic() - started)
    return times


def home_seconds(runs: int) -> list[float]:
    """A manager with REPORTS agreed tours opens the Home tab: until the view with every
    report has been published."""
    with tempfile.TemporaryDirectory() as data, running_sandbox(0, Path(data)) as sandbox:
        space = sandbox.workspace
        reports = [
            Person(f"U0R{n:03d}", f"report{n}", f"Report {n:02d}", "employee")
            for n in range(REPORTS)
        ]
        mission = ("Grow the region", "Ten new customers", "Leads a team of their own")
        today = space.clock().date()
        for person in reports:
            space.add_person(person)
            demo.agree_tour(
                space, demo.OMAR, person, start=today - timedelta(days=3), weeks=4, mission=mission
            )
        times = []
        for _ in range(runs):
            started = time.monotonic()
            published = space.homes_published(demo.OMAR.id)
            space.open_home(demo.OMAR.id)
            space.wait_until(lambda since=published: _home_redrawn(space, since))
            times.append(time.monotonic() - started)
        return times


def _home_redrawn(space: Workspace, since: int) -> bool | None:
    """True once another Home, showing the last report, was published after `since` of them."""
    home = space.home_of(demo.OMAR.id)
    newer = space.homes_published(demo.OMAR.id) > since
    return (newer and f"Report {REPORTS - 1:02d}" in str(home)) or None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    options = parser.parse_args()

    starts = [start_up_seconds() for _ in range(STARTS)]
    print(f"start-up, median of {STARTS} `alliance sandbox` runs (demo company built):")
    print(f"  address printed: {statistics.median(s[0] for s in starts):.2f} s")
    print(f"  page answering:  {statistics.median(s[1] for s in starts):.2f} s (target < 15 s)")

    with tempfile.TemporaryDirectory() as data, running_sandbox(free_port(), Path(data)) as box:
        helps, how = help_reply_seconds(box.url, options.runs)
    print(f"/alliance help to its reply, {how}, {options.runs} runs:")
    print(
        f"  median {statistics.median(helps) * 1000:.0f} ms, max {max(helps) * 1000:.0f} ms "
        "(target median < 300 ms)"
    )

    homes = home_seconds(10)
    print(f"App Home of a manager with {REPORTS} reports, 10 runs:")
    print(
        f"  median {statistics.median(homes) * 1000:.0f} ms, max {max(homes) * 1000:.0f} ms "
        "(target < 1 s)"
    )


if __name__ == "__main__":
    main()
