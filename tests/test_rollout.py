"""The rollout campaign end to end, on a bot and database of its own: an admin starts it, each
manager is prompted once in their working hours (whatever restarts), *Propose a tour* and *Not
now* take reports off the next week's reminder, the coverage is right and withholds a
department of 2, the manager's Home shows the list, and the campaign ends at full coverage."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.signed_requests import SignedRequests
from db.engine import Database
from db.locks import Presence
from db.models import Outbox, RolloutCampaign
from domain.delivery import OutboxStatus
from domain.rollout import AsideReason, Report, Standing, coverage
from handlers.ids import ACTION_ROLLOUT_ASIDE, ACTION_ROLLOUT_PROPOSE
from scheduler.jobs import TOOK_OVER
from services.outbox import DEFAULT_LEASE, claim_due
from services.rollout import DONE, PROMPT, plan_rollout, put_aside
from tests import clock
from tests.botprocess import SIGNING_SECRET, BotProcess, bot_environment
from tests.helpers import eventually, new_user_id, wait_for_call, wait_until
from tests.org_steps import chart_by_id, people_import
from tests.review_steps import HOURS, deliver
from tests.tour_steps import act_on, form, is_dm_to, submit

ADMIN = "UADMIN1"
MANAGERS = {"sales": "America/New_York", "eng": "Europe/London", "ops": "Asia/Tokyo"}
TEAM_SIZES = {"sales": 2, "eng": 5, "ops": 5}


@pytest.fixture
def rollout_bot(
    own_database: Database, fake_slack: FakeSlack, tmp_path: Path
) -> Iterator[BotProcess]:
    env = bot_environment(fake_slack.url, own_database.url, ALLIANCE_ADMINS=ADMIN)
    bot = BotProcess(env, tmp_path / "bot.log").start()
    yield bot
    bot.stop()


class Company:
    """Three managers, one per department, and their reports, in the fake Slack."""

    def __init__(self, fake: FakeSlack) -> None:
        self.managers = {dept: new_user_id() for dept in MANAGERS}
        self.reports = {
            dept: [new_user_id() for _ in range(size)] for dept, size in TEAM_SIZES.items()
        }
        fake.add_user(ADMIN, real_name="Ada Admin")
        for dept, tz in MANAGERS.items():
            fake.add_user(self.managers[dept], real_name=f"{dept.title()} Lead", tz=tz)
            for n, report in enumerate(self.reports[dept]):
                fake.add_user(report, real_name=f"{dept.title()} Report {n}")

    def chart(self) -> bytes:
        lines = [(manager, "", dept) for dept, manager in self.managers.items()]
        lines += [
            (report, self.managers[dept], dept)
            for dept, reports in self.reports.items()
            for report in reports
        ]
        return chart_by_id(lines)


def command(slack: SignedRequests, fake: FakeSlack, user_id: str, text: str) -> str:
    """What the bot answers, in the ack or just after it."""
    name = f"commands/T0001/{new_user_id()}/rollout"
    response = slack.slash_command(text, user_id=user_id, response_url=fake.response_url(name))
    assert response.status_code == 200
    if response.content:
        return str(response.json()["text"])
    [reply] = wait_until(fake, "response_url", lambda call: call.path.endswith(name))
    return str(reply.args["text"])


def prompts(database: Database) -> list[Outbox]:
    with database.read() as session:
        return list(
            session.scalars(select(Outbox).where(Outbox.purpose == PROMPT).order_by(Outbox.id))
        )


def in_working_hours(row: Outbox, tz: str) -> bool:
    assert row.next_attempt_at is not None
    local = row.next_attempt_at.astimezone(ZoneInfo(tz))
    return local.weekday() < 5 and 9 <= local.hour < 17


def deliver_all(database: Database, fake: FakeSlack, rows: list[Outbox]) -> None:
    deliver(database, fake, max(row.next_attempt_at for row in rows if row.next_attempt_at))


def restart_while_a_prompt_is_claimed(
    bot: BotProcess, database: Database, fake: FakeSlack, rows: list[Outbox]
) -> None:
    """Restart the bot while another live deliverer holds one prompt's claim: the restarted
    bot plans again and takes the delivery lease, but leaves that claim to its holder; once
    the holder is gone and its claim has run out, every prompt goes once."""
    due = max(row.next_attempt_at for row in rows if row.next_attempt_at)
    worker = f"test-{new_user_id()}"
    presence = Presence(database, worker)
    presence.start()
    try:
        [held] = claim_due(database, worker=worker, now=due, limit=1, lease=DEFAULT_LEASE)
        took_over = TOOK_OVER.split(";")[0]
        before = bot.log().count(took_over)
        bot.stop()
        bot.start()
        eventually(lambda: bot.log().count(took_over) > before, timeout=30)
        with database.read() as session:
            row = session.get_one(Outbox, held.id)
            assert (row.status, row.claimed_by) == (OutboxStatus.CLAIMED, worker)
            assert row.next_attempt_at == due + DEFAULT_LEASE
    finally:
        presence.stop()
    deliver(database, fake, due + DEFAULT_LEASE)


def dms(fake: FakeSlack, user_id: str, words: str) -> list[Any]:
    return [
        call
        for call in fake.calls("chat.postMessage")
        if is_dm_to(call, user_id) and words in call.args.get("text", "")
    ]


def listed(call: Any) -> str:
    return json.dumps(call.args, ensure_ascii=False)


def aside(slack: SignedRequests, message: Any, manager: str, report: str, label: str) -> None:
    """Pick a reason in the report's *Not now* menu of a message the bot sent."""
    [menu] = [
        element
        for block in message.json("blocks")
        if block["type"] == "actions"
        for element in block["elements"]
        if element["action_id"] == f"{ACTION_ROLLOUT_ASIDE}:{report}"
    ]
    [option] = [o for o in menu["options"] if o["text"]["text"] == label]
    action = {
        "action_id": menu["action_id"],
        "block_id": "x",
        "type": "static_select",
        "selected_option": option,
    }
    assert act_on(slack, message, action, manager).status_code == 200


def propose_from(
    slack: SignedRequests, fake: FakeSlack, message: Any, manager: str, report: str
) -> None:
    """*Propose a tour* on the list opens the statement form with the report chosen."""
    trigger = f"trigger-{new_user_id()}"
    action = {
        "action_id": f"{ACTION_ROLLOUT_PROPOSE}:{report}",
        "block_id": "x",
        "type": "button",
        "value": report,
        "text": {"type": "plain_text", "text": "Propose a tour"},
    }
    assert act_on(slack, message, action, manager, trigger).status_code == 200
    modal = wait_for_call(fake, "views.open", trigger_id=trigger).json("view")
    assert f'"initial_user": "{report}"' in json.dumps(modal)
    assert submit(slack, modal, manager, form(), report).status_code == 200


def test_a_rollout_from_start_to_full_coverage(
    rollout_bot: BotProcess, own_database: Database, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    company = Company(fake_slack)
    imported = people_import(own_database, fake_slack, tmp_path, company.chart())
    assert imported.returncode == 0, imported.stderr
    sales, eng = company.managers["sales"], company.managers["eng"]
    with SignedRequests(
        rollout_bot.url, SIGNING_SECRET, response_url_base=fake_slack.response_url_base
    ) as slack:
        assert "for Alliance admins" in command(slack, fake_slack, sales, "rollout")
        assert "No one in the org chart" in command(slack, fake_slack, ADMIN, "rollout Marketing")
        assert "Started the rollout for the whole company" in command(
            slack, fake_slack, ADMIN, "rollout"
        )
        assert "already running" in command(slack, fake_slack, ADMIN, "rollout")

        # One prompt per manager, each in their own working hours; planning again (another
        # process, or after a restart) plans nothing more.
        first = wait_until_rows(own_database, 3)
        assert sorted(row.target for row in first) == sorted(company.managers.values())
        for dept, manager in company.managers.items():
            [row] = [r for r in first if r.target == manager]
            assert in_working_hours(row, MANAGERS[dept]), (dept, row.next_attempt_at)
        plan_rollout(own_database, now=clock.now(), hours=HOURS)
        restart_while_a_prompt_is_claimed(rollout_bot, own_database, fake_slack, first)
        assert len(prompts(own_database)) == 3
        for manager in company.managers.values():
            assert len(dms(fake_slack, manager, "have no tour of duty yet")) == 1
        [eng_prompt] = dms(fake_slack, eng, "5 of your reports")
        [sales_prompt] = dms(fake_slack, sales, "2 of your reports")

        propose_from(slack, fake_slack, eng_prompt, eng, company.reports["eng"][0])
        aside(slack, sales_prompt, sales, company.reports["sales"][1], "On leave")
        wait_until(
            fake_slack,
            "response_url",
            lambda c: "out of the rollout for now (on leave)" in c.args.get("text", ""),
        )

        # The coverage: Sales (2 people) withheld, and Eng with it, so that neither can be
        # worked out from the whole; Ops shown.
        assert "Rollout for the whole company" in command(
            slack, fake_slack, ADMIN, "rollout status"
        )
        [status] = wait_until(
            fake_slack,
            "response_url",
            lambda c: "Rollout for the whole company" in c.args.get("text", ""),
        )
        shown = listed(status)
        assert "*Overall*: 12 reports" in shown
        assert "sales: withheld (fewer than 5)" in shown
        assert "eng: withheld (fewer than 5)" in shown
        assert "ops: 5 reports — 0 agreed, 0 proposed, 5 not started, 0 put aside" in shown

        # The manager's Home shows what is left.
        slack.event({"type": "app_home_opened", "user": sales, "channel": "D0", "tab": "home"})
        home = wait_for_call(fake_slack, "views.publish", user_id=sales)
        assert "Tours of duty to agree" in listed_view(home)
        assert "Sales Report 0" in listed_view(home) and "Sales Report 1" not in listed_view(home)

    # A week on: the reminder lists only the reports still without a tour.
    week_on = clock.now() + timedelta(days=8)
    plan_rollout(own_database, now=week_on, hours=HOURS)
    reminders = prompts(own_database)[3:]
    assert len(reminders) == 3
    deliver_all(own_database, fake_slack, reminders)
    [eng_reminder] = dms(fake_slack, eng, "4 of your reports")
    assert "Eng Report 0" not in listed(eng_reminder) and "Eng Report 1" in listed(eng_reminder)
    [sales_reminder] = dms(fake_slack, sales, "1 of your reports")
    assert "Sales Report 0" in listed(sales_reminder)

    # Everyone else put aside: the campaign ends by itself and the admin is told.
    for dept, reports in company.reports.items():
        for report in reports[1:] if dept == "eng" else reports:
            put_aside(
                own_database,
                team_id="T0001",
                manager_user_id=company.managers[dept],
                report_user_id=report,
                reason=AsideReason.NEW_JOINER,
                is_admin=False,
                now=week_on,
            )
    plan_rollout(own_database, now=week_on + timedelta(minutes=15), hours=HOURS)
    with own_database.read() as session:
        [campaign] = session.scalars(select(RolloutCampaign)).all()
        assert (campaign.end_reason, campaign.ended_at is not None) == ("covered", True)
        [done] = session.scalars(select(Outbox).where(Outbox.purpose == DONE)).all()
    assert done.target == ADMIN
    deliver_all(own_database, fake_slack, [done])
    assert dms(fake_slack, ADMIN, "the rollout is complete")
    plan_rollout(own_database, now=week_on + timedelta(days=7), hours=HOURS)
    assert len(prompts(own_database)) == 6  # no reminder after the end

    with SignedRequests(
        rollout_bot.url, SIGNING_SECRET, response_url_base=fake_slack.response_url_base
    ) as slack:
        assert "complete on" in command(slack, fake_slack, ADMIN, "rollout status")
        assert "Started the rollout for ops" in command(slack, fake_slack, ADMIN, "rollout OPS")
        assert "Stopped the rollout for ops" in command(slack, fake_slack, ADMIN, "rollout stop")
        assert "stopped on" in command(slack, fake_slack, ADMIN, "rollout status")
        assert "No rollout is running" in command(slack, fake_slack, ADMIN, "rollout stop")


def wait_until_rows(database: Database, count: int) -> list[Outbox]:
    """The prompts the start planned, once its work after the ack is done."""
    rows: list[Outbox] = eventually(
        lambda: (found := prompts(database)) and len(found) >= count and found
    )
    return rows


def listed_view(call: Any) -> str:
    return json.dumps(call.json("view"), ensure_ascii=False)


def test_coverage_withholds_small_departments_and_enough_others() -> None:
    reports = [Report(1, "legal", Standing.ASIDE), Report(2, "legal", Standing.PROPOSED)]
    reports += [Report(10 + n, "eng", Standing.AGREED) for n in range(6)]
    reports += [Report(20 + n, "ops", Standing.NOT_STARTED) for n in range(7)]
    figures = coverage(reports, min_group_size=5)
    assert figures.overall.value == 15
    assert figures.by_department["legal"].value is None
    assert figures.by_department["eng"].value is None  # else legal = 15 - eng - ops
    assert figures.by_department["ops"].value == 7
    assert figures.by_department["ops"].by == {
        "agreed": 0,
        "proposed": 0,
        "not_started": 7,
        "aside": 0,
    }
