"""`alliance people import`: an org chart from an HR system's CSV, through the real command
line, with people looked up in the fake Slack; what each row changes, what is refused, and a
second import of the same file that changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import aliased

from bot.sandbox.fake_slack import FakeSlack
from db.engine import Database
from db.models import Person, ReportingLine
from domain.org_chart import OrgChartError, read_org_chart, reporting_loops
from tests.org_steps import Company, people_import


def lines_of(database: Database, company: Company) -> dict[str, tuple[str | None, str, str | None]]:
    """Current reporting lines of the company's people: name -> (manager's name, dept, title)."""
    names = {user_id: name for name, user_id in company.ids.items()}
    person, manager = aliased(Person), aliased(Person)
    with database.read() as session:
        rows = session.execute(
            select(
                person.user_id,
                manager.user_id,
                ReportingLine.department,
                ReportingLine.title,
            )
            .join(person, person.id == ReportingLine.person_id)
            .outerjoin(manager, manager.id == ReportingLine.manager_id)
            .where(ReportingLine.valid_to.is_(None), person.user_id.in_(names))
        ).all()
    return {
        names[user_id]: (names.get(manager_id) if manager_id else None, dept, title)
        for user_id, manager_id, dept, title in rows
    }


def history_of(database: Database, user_id: str) -> list[tuple[str, bool]]:
    """The person's reporting lines, oldest first: (department, still current)."""
    with database.read() as session:
        return [
            (department, valid_to is None)
            for department, valid_to in session.execute(
                select(ReportingLine.department, ReportingLine.valid_to)
                .join(Person, Person.id == ReportingLine.person_id)
                .where(Person.user_id == user_id)
                .order_by(ReportingLine.id)
            )
        ]


def test_a_file_as_hr_systems_export_it_is_read() -> None:
    content = (
        "\ufeffWork Email;Manager Email;Department;Job Title;Hire Date;Office\r\n"
        "Ana@Example.com;bob@example.com;Sales;Account executive;2024-03-31;Lisbon\r\n"
        "bob@example.com;;Sales;Head of sales;2019-01-07;\r\n"
        ";;;;;\r\n"
    ).encode()
    chart = read_org_chart(content)
    assert chart.columns == (
        "email",
        "manager_email",
        "department",
        "title",
        "start_date",
        "location",
    )
    assert chart.refused == ()
    ana, bob = chart.rows
    assert (ana.line, ana.email, ana.manager_email, ana.title, ana.location) == (
        2,
        "ana@example.com",
        "bob@example.com",
        "Account executive",
        "Lisbon",
    )
    assert str(ana.start_date) == "2024-03-31" and bob.manager_key == ""


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "the file is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary data"),
        (b"name,age\nAna,31\n", "no column says who each person is"),
    ],
    ids=["empty", "binary", "no people column"],
)
def test_a_file_that_is_not_an_org_chart_is_refused_whole(content: bytes, reason: str) -> None:
    with pytest.raises(OrgChartError, match=reason):
        read_org_chart(content)


def test_reporting_loops_are_found_once_each() -> None:
    managers = {"a": "b", "b": "c", "c": "a", "d": "a", "e": "e2", "e2": "e", "f": "g"}
    assert reporting_loops(managers) == [["a", "b", "c"], ["e", "e2"]]


@pytest.mark.dateless
def test_a_clean_import_then_the_same_file_again_changes_nothing(
    own_database: Database, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    company = Company(fake_slack, "ana", "bob", "cleo", "dan")
    content = company.csv(
        "ana,bob,Sales,Rep", "bob,dan,Sales,Head", "cleo,dan,Ops,Lead", "dan,,,CEO"
    )
    first = people_import(own_database, fake_slack, tmp_path, content)
    assert first.returncode == 0, first.stderr
    assert "Would" not in first.stdout
    assert "To import: 4 new, 0 with a new manager" in first.stdout
    assert "Imported: 4 reporting lines written, 4 people stored from Slack." in first.stdout
    assert lines_of(own_database, company) == {
        "ana": ("bob", "Sales", "Rep"),
        "bob": ("dan", "Sales", "Head"),
        "cleo": ("dan", "Ops", "Lead"),
        "dan": (None, "", "CEO"),
    }
    looked_up = len(fake_slack.calls("users.lookupByEmail"))
    assert looked_up == 4
    second = people_import(own_database, fake_slack, tmp_path, content)
    assert second.returncode == 0, second.stderr
    assert "Nothing changed: the org chart is as the file says." in second.stdout
    assert len(fake_slack.calls("users.lookupByEmail")) == looked_up  # nobody asked again
    assert history_of(own_database, company.ids["ana"]) == [("Sales", True)]


@pytest.mark.dateless
def test_a_dry_run_lists_each_kind_of_change_and_changes_nothing(
    own_database: Database, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    company = Company(fake_slack, "ana", "bob", "cleo", "dan", "eve")
    before = company.csv(
        "ana,bob,Sales,Rep", "bob,dan,Sales,Head", "cleo,dan,Ops,Lead", "dan,,,CEO"
    )
    assert people_import(own_database, fake_slack, tmp_path, before).returncode == 0
    after = company.csv(
        "ana,cleo,Sales,Rep",  # a new manager
        "bob,dan,Marketing,Head",  # another department
        "dan,,,Chief executive",  # another title
        "eve,dan,Ops,Lead",  # someone new
    )  # and cleo is no longer in the file
    dry = people_import(own_database, fake_slack, tmp_path, after, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    out = dry.stdout
    assert (
        "Would import: 1 new, 1 with a new manager, 1 changing department, 1 with other changes."
        in out
    )
    ana, bob, cleo, dan, eve = (
        company.email(name) for name in ("ana", "bob", "cleo", "dan", "eve")
    )
    assert f"manager      line 2     {ana}: {bob} -> {cleo}" in out
    assert f"department   line 3     {bob}: Sales -> Marketing" in out
    assert f"details      line 4     {dan}: title, location, start date or email" in out
    assert f"new          line 5     {eve}: reports to {dan}" in out
    assert f"not in file             {cleo}: has a reporting line, not offboarded" in out
    assert "1 person with a reporting line not in the file (listed above)." in out
    assert lines_of(own_database, company)["ana"] == ("bob", "Sales", "Rep")  # nothing applied
    applied = people_import(own_database, fake_slack, tmp_path, after)
    assert applied.returncode == 0, applied.stderr
    assert lines_of(own_database, company) == {
        "ana": ("cleo", "Sales", "Rep"),
        "bob": ("dan", "Marketing", "Head"),
        "cleo": ("dan", "Ops", "Lead"),  # kept: the admins review who left the file
        "dan": (None, "", "Chief executive"),
        "eve": ("dan", "Ops", "Lead"),
    }
    assert history_of(own_database, company.ids["bob"]) == [("Sales", False), ("Marketing", True)]


@pytest.mark.dateless
def test_every_kind_of_bad_row_is_reported_by_line_and_nothing_is_applied(
    own_database: Database, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    company = Company(fake_slack, "ana", "bob", "cleo", "dan", "eve", "fay", "gus")
    nobody = f"nobody@{company.domain}"
    content = company.csv(
        "ana,bob,Sales,Rep,2024-01-31",  # 2: fine
        "bob,,Sales,Head,2019-01-07",  # 3: fine
        f"{nobody},bob,Sales,Rep,",  # 4: not in Slack
        f"cleo,{nobody},Ops,Lead,",  # 5: manager nowhere
        "dan,eve,Ops,Lead,",  # 6: a loop with 7
        "eve,dan,Ops,Lead,",  # 7
        "fay,bob,Ops,Lead,31/02/2024",  # 8: not a date
        "gus,gus,Ops,Lead,",  # 9: their own manager
        ",bob,Ops,Lead,",  # 10: nobody
        "ana,bob,Sales,Rep,",  # 11: ana again
        header="email,manager_email,department,title,start_date",
    )
    content = content.replace(f"{nobody}@{company.domain}".encode(), nobody.encode())
    refused = people_import(own_database, fake_slack, tmp_path, content)
    assert refused.returncode == 1
    ana = company.email("ana")
    for line, reason in (
        (2, f"{ana} is on more than one line"),
        (4, f"no one in Slack has the email {nobody}"),
        (5, f"the manager {nobody} is not in the file or in Slack"),
        (6, "a reporting loop: "),
        (7, "a reporting loop: "),
        (8, "the start date '31/02/2024' is not a date (write it as 2024-03-31)"),
        (9, "the person is their own manager"),
        (10, "no email or Slack id"),
        (11, f"{ana} is on more than one line"),
    ):
        assert f"line {line}: {reason}" in refused.stdout, refused.stdout
    assert "Refused 9 rows:" in refused.stdout
    assert "Nothing was imported" in refused.stdout
    assert lines_of(own_database, company) == {}
    skipped = people_import(own_database, fake_slack, tmp_path, content, "--skip-bad-rows")
    assert skipped.returncode == 0, skipped.stderr
    assert "Imported (9 rows skipped): 1 reporting lines written" in skipped.stdout
    assert lines_of(own_database, company) == {"bob": (None, "Sales", "Head")}


@pytest.mark.dateless
def test_slack_answering_429_is_waited_out(
    own_database: Database, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    company = Company(fake_slack, "ana", "bob")
    fake_slack.rate_limit_next("users.lookupByEmail", retry_after=1, times=2)
    done = people_import(own_database, fake_slack, tmp_path, company.csv("ana,bob,,", "bob,,,"))
    assert done.returncode == 0, done.stderr
    statuses = [call.status for call in fake_slack.calls("users.lookupByEmail")]
    assert statuses == [429, 429, 200, 200]
    assert lines_of(own_database, company) == {"ana": ("bob", "", None), "bob": (None, "", None)}


@pytest.mark.dateless
@pytest.mark.parametrize(
    ("content", "says"),
    [(b"", "the file is empty"), (b"\x00\x01\x02binary", "binary data")],
    ids=["empty", "binary"],
)
def test_the_command_refuses_a_file_that_is_not_an_org_chart_in_one_line(
    own_database: Database, fake_slack: FakeSlack, tmp_path: Path, content: bytes, says: str
) -> None:
    done = people_import(own_database, fake_slack, tmp_path, content)
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and says in done.stderr
    assert "Traceback" not in done.stderr
