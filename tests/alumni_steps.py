"""The steps of leaving, as people take them in Slack, for the alumni tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import requests
from sqlalchemy import select

from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.signed_requests import SignedRequests
from db.engine import Database
from db.models import Offboarding
from handlers.ids import (
    ACTION_ALUMNI_JOIN,
    BLOCK_OFFBOARD_EMAIL,
    BLOCK_OFFBOARD_LAST_DAY,
    BLOCK_OFFBOARD_LINE,
    BLOCK_OFFBOARD_STANDING,
)
from services.offboarding import plan_invitations
from tests.helpers import eventually, new_user_id, wait_for_call
from tests.review_steps import HOURS, Agreed, agree_tour, deliver
from tests.tour_steps import TODAY, dm_with_button, press

LAST_DAY = TODAY + timedelta(days=10)
LINE = "Rebuilt our checkout and grew the payments team"


def offboard_modal(slack: SignedRequests, fake: FakeSlack, by: str, person: str) -> Any:
    trigger = f"trigger-{new_user_id()}"
    response = slack.slash_command(f"offboard <@{person}|dana>", user_id=by, trigger_id=trigger)
    assert response.status_code == 200 and not response.content
    return dict(wait_for_call(fake, "views.open", trigger_id=trigger).json("view"))


def submit_form(
    slack: SignedRequests,
    modal: dict[str, Any],
    by: str,
    *,
    last_day: date | None = LAST_DAY,
    good_standing: str = "yes",
    email: str = "",
    line: str = LINE,
) -> requests.Response:
    def typed(value: str) -> dict[str, Any]:
        return {"type": "plain_text_input", "value": value or None}

    values = {
        BLOCK_OFFBOARD_LAST_DAY: {
            BLOCK_OFFBOARD_LAST_DAY: {
                "type": "datepicker",
                "selected_date": last_day.isoformat() if last_day else None,
            }
        },
        BLOCK_OFFBOARD_STANDING: {
            BLOCK_OFFBOARD_STANDING: {
                "type": "radio_buttons",
                "selected_option": {
                    "text": {"type": "plain_text", "text": good_standing},
                    "value": good_standing,
                },
            }
        },
        BLOCK_OFFBOARD_EMAIL: {BLOCK_OFFBOARD_EMAIL: typed(email)},
        BLOCK_OFFBOARD_LINE: {BLOCK_OFFBOARD_LINE: typed(line)},
    }
    return slack.view_submission({**modal, "state": {"values": values}}, user_id=by)


def offboarding_of(database: Database, agreed: Agreed) -> Offboarding | None:
    with database.read() as session:
        return session.scalars(
            select(Offboarding).where(Offboarding.person.has(user_id=agreed.pair.employee))
        ).one_or_none()


def leaving(
    slack: SignedRequests, fake: FakeSlack, database: Database, **form: Any
) -> tuple[Agreed, Offboarding]:
    """A tour's employee whose departure their manager recorded."""
    agreed = agree_tour(slack, fake, database)
    modal = offboard_modal(slack, fake, agreed.pair.manager, agreed.pair.employee)
    assert submit_form(slack, modal, agreed.pair.manager, **form).status_code == 200
    offboarding = eventually(lambda: offboarding_of(database, agreed))
    assert offboarding is not None
    return agreed, offboarding


def invited(slack: SignedRequests, fake: FakeSlack, database: Database, **form: Any) -> Any:
    """The invitation the leaver got on their last day."""
    agreed, _ = leaving(slack, fake, database, **form)
    plan_invitations(database, now=datetime.combine(LAST_DAY, time(12), tzinfo=UTC), hours=HOURS)
    planned = offboarding_of(database, agreed)
    assert planned is not None and planned.invited_at is not None
    # When the invitation is due: in their working hours, the Monday after a last day at a weekend.
    deliver(database, fake, planned.invited_at)
    return agreed, dm_with_button(fake, agreed.pair.employee, ACTION_ALUMNI_JOIN)


def alum(slack: SignedRequests, fake: FakeSlack, database: Database, **form: Any) -> Agreed:
    """Someone who left and joined the alumni network (their entry unlisted so far)."""
    agreed, invitation = invited(slack, fake, database, **form)
    press(slack, invitation, ACTION_ALUMNI_JOIN, agreed.pair.employee)
    joined = eventually(
        lambda: (found := offboarding_of(database, agreed)) is not None and found.status == "joined"
    )
    assert joined
    return agreed
