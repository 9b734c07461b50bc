"""The org chart imported from Slack: an admin DMs the bot a CSV file, the bot answers with what
would change (and the whole report as a file), and *Import it* applies it; through signed
requests, the fake Slack's file download and the shared bot."""

from __future__ import annotations

from typing import Any

from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.signed_requests import SignedRequests
from db.engine import Database
from handlers.ids import ACTION_ORG_IMPORT, ACTION_ORG_IMPORT_CANCEL
from services.org_import import current_places
from tests.helpers import eventually, new_user_id, wait_until
from tests.org_steps import chart_by_id
from tests.tour_steps import button, press

ADMIN = "UADMIN1"


def share(
    slack: SignedRequests,
    fake: FakeSlack,
    user_id: str,
    name: str,
    content: bytes,
    mimetype: str = "text/csv",
) -> None:
    """`user_id` shares a file in their DM with the bot, as the Events API tells it."""
    shared = fake.add_file(name, content, user=user_id, mimetype=mimetype)
    answer = slack.event(
        {
            "type": "message",
            "subtype": "file_share",
            "user": user_id,
            "channel": fake.dm_channel(user_id),
            "channel_type": "im",
            "text": "",
            "ts": f"1700000{new_user_id()[-3:]}.000100",
            "files": [shared],
        }
    )
    assert answer.status_code == 200


def report_in_dm(fake: FakeSlack, words: str) -> Any:
    """The progress message, once updated into the report."""
    [update] = wait_until(
        fake, "chat.update", lambda c: words in c.args.get("text", ""), timeout=20
    )
    return update


def a_team(fake: FakeSlack) -> tuple[str, list[str]]:
    lead, reports = new_user_id(), [new_user_id() for _ in range(3)]
    for user_id in (lead, *reports):
        fake.add_user(user_id)
    return lead, reports


def test_an_admin_dms_the_chart_sees_what_would_change_and_imports_it(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    lead, reports = a_team(fake_slack)
    content = chart_by_id([(lead, "", "Design"), *((r, lead, "Design") for r in reports)])
    share(slack, fake_slack, ADMIN, "org.csv", content)

    report = report_in_dm(fake_slack, "Would import: 4 new")
    assert "*org.csv*: 4 rows." in str(report.json("blocks"))
    [upload] = wait_until(fake_slack, "files.getUploadURLExternal", lambda c: True)
    assert upload.args["filename"] == "org-import-report.txt"
    [content] = wait_until(fake_slack, "file_upload", lambda c: True)
    assert b"Read 4 rows of org.csv" in content.body and b"new " in content.body
    assert all(user not in current_places(bot_database, "T0001") for user in reports)

    press(slack, report, ACTION_ORG_IMPORT, ADMIN)

    wait_until(
        fake_slack,
        "response_url",
        lambda c: "Imported: 4 reporting lines written" in c.args.get("text", ""),
        timeout=20,
    )
    places = current_places(bot_database, "T0001")
    assert [places[r].manager for r in reports] == [lead] * 3
    assert {places[r].department for r in reports} == {"Design"}


def test_bad_rows_are_shown_and_only_the_good_ones_imported_if_asked(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    lead, reports = a_team(fake_slack)
    content = chart_by_id(
        [(lead, "", "Ops"), (reports[0], lead, "Ops"), ("UNOBODY01", lead, "Ops")]
    )
    share(slack, fake_slack, ADMIN, "ops.csv", content)
    report = report_in_dm(fake_slack, "Would import: 2 new")
    shown = str(report.json("blocks"))
    assert "Refused 1 rows" in shown and "line 4:" in shown
    assert button(report, ACTION_ORG_IMPORT)["text"]["text"] == "Import the 2 good rows"
    press(slack, report, ACTION_ORG_IMPORT, ADMIN)
    wait_until(
        fake_slack,
        "response_url",
        lambda c: "Imported (1 rows skipped): 2 reporting lines" in c.args.get("text", ""),
        timeout=20,
    )
    assert eventually(lambda: reports[0] in current_places(bot_database, "T0001"))


def test_cancel_imports_nothing(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database
) -> None:
    lead, reports = a_team(fake_slack)
    share(
        slack, fake_slack, ADMIN, "org.csv", chart_by_id([(lead, "", "X"), (reports[0], lead, "X")])
    )
    report = report_in_dm(fake_slack, "Would import: 2 new")
    press(slack, report, ACTION_ORG_IMPORT_CANCEL, ADMIN)
    wait_until(fake_slack, "response_url", lambda c: "Cancelled" in c.args.get("text", ""))
    assert reports[0] not in current_places(bot_database, "T0001")


def test_only_admins_and_only_csv_files(slack: SignedRequests, fake_slack: FakeSlack) -> None:
    someone = new_user_id()
    fake_slack.add_user(someone)
    share(slack, fake_slack, someone, "org.csv", b"email,manager_email\n")
    wait_until(
        fake_slack,
        "chat.postMessage",
        lambda c: "Only an Alliance admin" in c.args.get("text", ""),
    )
    share(slack, fake_slack, ADMIN, "photo.png", b"\x89PNG\r\n", "image/png")
    wait_until(
        fake_slack,
        "chat.postMessage",
        lambda c: "photo.png isn't a CSV file" in c.args.get("text", ""),
    )
    share(slack, fake_slack, ADMIN, "empty.csv", b"")
    wait_until(
        fake_slack,
        "chat.postMessage",
        lambda c: "I can't import empty.csv" in c.args.get("text", ""),
    )
    downloads = fake_slack.calls("file_download")
    assert downloads and all(c.headers["authorization"].startswith("Bearer ") for c in downloads)
