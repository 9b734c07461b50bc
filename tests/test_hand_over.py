"""A re-import that moves a report to a new manager reaches the alliance: the tour's manager is
asked, once, to hand it over or close it, the new manager is told, and what is chosen is done
and told; a tour proposed by someone the chart does not name as the manager goes to the admins.
Through the real command line, signed requests and the fake Slack."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.signed_requests import SignedRequests
from db.engine import Database
from db.models import Outbox, ReviewResponse, Tour
from handlers.ids import ACTION_TOUR_CLOSE_ON_MOVE, ACTION_TOUR_HAND_OVER
from services.hand_over import ASK, SETTLED, TOLD
from services.off_chart import OFF_CHART
from services.reviews import plan_due_reviews
from tests.helpers import new_user_id, wait_until
from tests.org_steps import chart_by_id, people_import
from tests.review_steps import HOURS, PLAN_AT, agree_tour, deliver, responses_of, reviews_of
from tests.tour_steps import dm_with_button, form, is_dm_to, open_statement_modal, press, submit

ADMIN = "UADMIN1"  # the shared test bot's admin


def chart(*lines: tuple[str, str]) -> bytes:
    """An org chart of one department by Slack ids: (person, manager or "")."""
    return chart_by_id((person, manager, "Sales") for person, manager in lines)


def planned(database: Database, purpose: str, subject_prefix: str) -> list[Outbox]:
    with database.read() as session:
        return list(
            session.scalars(
                select(Outbox).where(
                    Outbox.purpose == purpose, Outbox.subject.startswith(subject_prefix)
                )
            )
        )


def deliver_planned(database: Database, fake: FakeSlack, rows: list[Outbox]) -> None:
    """Send these rows when the last of them is due (each waits for its reader's working day)."""
    latest = max(row.next_attempt_at for row in rows if row.next_attempt_at is not None)
    deliver(database, fake, latest)


def dm_saying(fake: FakeSlack, user_id: str, words: str) -> Any:
    [call] = wait_until(
        fake,
        "chat.postMessage",
        lambda c: is_dm_to(c, user_id) and words in c.args.get("text", ""),
    )
    return call


def tour_of(database: Database, tour_id: int) -> Tour:
    with database.read() as session:
        tour = session.get(Tour, tour_id)
        assert tour is not None
        session.expunge(tour)
        return tour


def moved_to_bob(
    slack: SignedRequests, fake: FakeSlack, database: Database, tmp_path: Path
) -> tuple[Any, str, str]:
    """Sam's report Dana moves to Bob in a re-import: (the tour, Bob, the question to Sam)."""
    agreed = agree_tour(slack, fake, database)
    sam, dana, bob = agreed.pair.manager, agreed.pair.employee, new_user_id()
    fake.add_user(bob, name="bob", real_name="Bob Ng")
    first = people_import(database, fake, tmp_path, chart((dana, sam), (sam, ""), (bob, "")))
    assert first.returncode == 0, first.stderr
    assert "report to someone else" not in first.stdout
    moved = chart((dana, bob), (sam, ""), (bob, ""))
    second = people_import(database, fake, tmp_path, moved)
    assert second.returncode == 0, second.stderr
    assert "Tours of duty whose employee now reports to someone else: 1." in second.stdout
    again = people_import(database, fake, tmp_path, moved)
    assert "Nothing changed" in again.stdout
    subject = f"tour:{agreed.tour_id}"
    asked, told = planned(database, ASK, subject), planned(database, TOLD, subject)
    assert [row.target for row in asked] == [sam]
    assert [row.target for row in told] == [bob]
    deliver_planned(database, fake, asked + told)
    question = dm_with_button(fake, sam, ACTION_TOUR_HAND_OVER)
    assert "now reports to *Bob Ng* in the org chart" in str(question.json("blocks"))
    dm_saying(fake, bob, "now reports to you in the org chart")
    return agreed, bob, question


def test_a_hand_over_moves_the_tour_and_its_open_review_to_the_new_manager(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database, tmp_path: Path
) -> None:
    agreed, bob, question = moved_to_bob(slack, fake_slack, bot_database, tmp_path)
    sam, dana = agreed.pair.manager, agreed.pair.employee
    plan_due_reviews(bot_database, now=PLAN_AT, hours=HOURS, limit=1000)
    [review] = reviews_of(bot_database, agreed.tour_id)
    managers_side = responses_of(bot_database, review.id)["manager"]

    answer = press(slack, question, ACTION_TOUR_HAND_OVER, sam)

    assert answer.status_code == 200
    wait_until(
        fake_slack,
        "response_url",
        lambda c: "is now with *Bob Ng*" in str(c.args.get("text", "")),
    )
    assert tour_of(bot_database, agreed.tour_id).manager_id != managers_side.respondent_id
    with bot_database.read() as session:
        moved = session.get(ReviewResponse, managers_side.id)
        assert moved is not None
        tour = session.get(Tour, agreed.tour_id)
        assert tour is not None and tour.manager.user_id == bob
        assert moved.respondent_id == tour.manager_id
        prompt = session.scalars(
            select(Outbox).where(Outbox.subject == f"review_response:{managers_side.id}")
        ).one()
        assert prompt.target == bob
    settled = planned(bot_database, SETTLED, f"tour:{agreed.tour_id}:")
    assert sorted(row.target for row in settled) == sorted([bob, dana])
    deliver_planned(bot_database, fake_slack, settled)
    dm_saying(fake_slack, bob, "handed *Dana Okafor*'s tour of duty over to you")
    dm_saying(fake_slack, dana, "now continues with *Bob Ng*")
    press(slack, question, ACTION_TOUR_HAND_OVER, bob)
    wait_until(
        fake_slack, "response_url", lambda c: "already with Bob Ng" in c.args.get("text", "")
    )


def test_closing_it_ends_the_tour_and_the_new_manager_may_propose_one(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database, tmp_path: Path
) -> None:
    agreed, bob, question = moved_to_bob(slack, fake_slack, bot_database, tmp_path)
    press(slack, question, ACTION_TOUR_CLOSE_ON_MOVE, agreed.pair.manager)
    wait_until(
        fake_slack, "response_url", lambda c: "tour of duty has ended" in c.args.get("text", "")
    )
    tour = tour_of(bot_database, agreed.tour_id)
    assert (tour.status, tour.end_reason) == ("ended", "new_manager")
    [note] = planned(bot_database, SETTLED, f"tour:{agreed.tour_id}:")
    assert note.target == bob
    deliver_planned(bot_database, fake_slack, [note])
    told = dm_saying(fake_slack, bob, "closed *Dana Okafor*'s tour of duty")
    assert f"`/alliance tour new` <@{agreed.pair.employee}>" in told.args["text"]


def test_only_the_tours_manager_or_an_admin_settles_it(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database, tmp_path: Path
) -> None:
    agreed, bob, question = moved_to_bob(slack, fake_slack, bot_database, tmp_path)
    press(slack, question, ACTION_TOUR_HAND_OVER, bob)
    wait_until(
        fake_slack, "response_url", lambda c: "isn't something you can do" in c.args.get("text", "")
    )
    assert tour_of(bot_database, agreed.tour_id).status == "active"
    press(slack, question, ACTION_TOUR_HAND_OVER, ADMIN)
    wait_until(
        fake_slack, "response_url", lambda c: "is now with *Bob Ng*" in c.args.get("text", "")
    )


def test_a_proposal_from_someone_off_the_chart_is_flagged_to_the_admins(
    slack: SignedRequests, fake_slack: FakeSlack, bot_database: Database, tmp_path: Path
) -> None:
    sam, dana, bob, eve = (new_user_id() for _ in range(4))
    for user_id, name in (
        (sam, "Sam Rivera"),
        (dana, "Dana Okafor"),
        (bob, "Bob Ng"),
        (eve, "Eve"),
    ):
        fake_slack.add_user(user_id, real_name=name)
    imported = people_import(
        bot_database, fake_slack, tmp_path, chart((dana, bob), (eve, bob), (bob, ""), (sam, ""))
    )
    assert imported.returncode == 0, imported.stderr

    for manager, employee in ((sam, dana), (bob, eve)):
        modal = open_statement_modal(slack, fake_slack, manager, f"tour new <@{employee}>")
        submit(slack, modal, manager, form(), employee)
        dm_with_button(fake_slack, employee, "tour_accept")

    with bot_database.read() as session:
        tours = {
            tour.employee.user_id: tour.id
            for tour in session.scalars(select(Tour)).unique()
            if tour.employee.user_id in (dana, eve)
        }
    assert planned(bot_database, OFF_CHART, f"tour:{tours[eve]}") == []
    [flag] = planned(bot_database, OFF_CHART, f"tour:{tours[dana]}")
    assert flag.target == ADMIN
    deliver_planned(bot_database, fake_slack, [flag])
    note = dm_saying(fake_slack, ADMIN, "proposed a tour of duty to Dana Okafor")
    assert "whose manager in the org chart is Bob Ng" in note.args["text"]
