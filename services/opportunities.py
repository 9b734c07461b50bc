"""Opportunities for the alumni: queued by an employee or admin, posted by the scheduler in
working hours, "I'm interested" once per person (the poster hears of each), closed with a
summary for the poster."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db.engine import Database
from db.models import Opportunity, OpportunityInterest, Outbox, Person
from domain.alumni import OpportunityForm, OpportunityKind, OpportunityStatus
from domain.delivery import OutboxStatus
from domain.schedule import WorkingHours, earliest_local_date, next_delivery_time
from services.alumni_directory import is_alum
from services.audit import record_audit
from services.outbox import cancel_planned, enqueue
from services.people import display_name, get_person
from services.refusals import Refusal

POST = "opportunity_post"
INTEREST = "opportunity_interest"
CLOSED = "opportunity_closed"
SUMMARY = "opportunity_summary"
EMPLOYEES_ONLY = "Opportunities are posted by employees and admins."


class OpportunityRefusal(Refusal):
    """An opportunity action is not possible."""


def check_may_post(database: Database, *, team_id: str, user_id: str, is_admin: bool) -> None:
    """Employees and admins post opportunities; alumni answer them. Raises OpportunityRefusal."""
    if not is_admin and is_alum(database, team_id=team_id, user_id=user_id):
        raise OpportunityRefusal(EMPLOYEES_ONLY)


def queue_opportunity(
    database: Database,
    *,
    team_id: str,
    user_id: str,
    is_admin: bool,
    form: OpportunityForm,
    now: datetime,
) -> int:
    """Queue it for the scheduler to post; returns its id."""
    assert form.kind is not None
    check_may_post(database, team_id=team_id, user_id=user_id, is_admin=is_admin)
    with database.session() as session:
        poster = get_person(session, team_id, user_id)
        if poster is None:
            raise OpportunityRefusal("I don't know you yet: say hello in a DM first.")
        opportunity = Opportunity(
            team_id=team_id,
            posted_by_id=poster.id,
            kind=form.kind,
            title=form.title.strip(),
            description=form.description.strip() or None,
            link=form.link.strip() or None,
            contact=form.contact.strip() or None,
            closes_on=form.closes_on,
            status=OpportunityStatus.QUEUED,
            updated_at=now,
            created_at=now,
        )
        session.add(opportunity)
        session.flush()
        record_audit(
            session,
            team_id=team_id,
            actor=user_id,
            action="opportunity.queued",
            subject=f"opportunity:{opportunity.id}",
            now=now,
        )
        return opportunity.id


def plan_posts(
    database: Database, *, channel: str, now: datetime, hours: WorkingHours, limit: int = 200
) -> int:
    """Queued opportunities go to the alumni channel at its next working hour."""
    with database.session() as session:
        queued = list(
            session.scalars(
                select(Opportunity)
                .where(Opportunity.status == OpportunityStatus.QUEUED)
                .order_by(Opportunity.id)
                .limit(limit)
                .with_for_update(of=Opportunity, skip_locked=True)
            ).unique()
        )
        for opportunity in queued:
            when = next_delivery_time(now, None, hours)
            enqueue(
                session,
                team_id=opportunity.team_id,
                purpose=POST,
                subject=_subject(opportunity.id),
                occurrence="post",
                target=channel,
                payload={"opportunity_id": opportunity.id},
                not_before=when,
                now=now,
            )
            opportunity.status = OpportunityStatus.POSTED
            opportunity.slack_channel = channel
            opportunity.posted_at = when
            opportunity.updated_at = now
        return len(queued)


def record_interest(
    database: Database,
    *,
    team_id: str,
    opportunity_id: int,
    user_id: str,
    now: datetime,
    hours: WorkingHours,
) -> bool:
    """Someone is interested: recorded once, and the poster told; False when it already was.
    Raises OpportunityRefusal."""
    try:
        with database.session() as session:
            opportunity = session.get(Opportunity, opportunity_id)
            person = get_person(session, team_id, user_id)
            if opportunity is None:
                raise OpportunityRefusal("I couldn't find that opportunity.")
            if opportunity.status is not OpportunityStatus.POSTED:
                raise OpportunityRefusal("This opportunity has closed. Thanks for your interest!")
            if person is None:
                raise OpportunityRefusal(
                    "Slack wouldn't tell me who you are, so I couldn't pass on your interest. "
                    "Please contact the poster directly."
                )
            if session.scalar(
                select(OpportunityInterest.id).where(
                    OpportunityInterest.opportunity_id == opportunity_id,
                    OpportunityInterest.person_id == person.id,
                )
            ):
                return False
            interest = OpportunityInterest(
                team_id=team_id, opportunity_id=opportunity_id, person_id=person.id, created_at=now
            )
            session.add(interest)
            session.flush()
            poster = opportunity.poster
            if poster.forgotten_at is not None:
                return True  # recorded; there is no one to tell
            enqueue(
                session,
                team_id=team_id,
                purpose=INTEREST,
                subject=f"opportunity_interest:{interest.id}",
                occurrence="notice",
                target=poster.user_id,
                recipient_id=poster.id,
                payload={"opportunity_id": opportunity_id, "interest_id": interest.id},
                not_before=next_delivery_time(now, poster.tz, hours),
                now=now,
            )
            return True
    except IntegrityError:  # the same click twice at once: the other one counted
        return False


def close_due(database: Database, *, now: datetime, hours: WorkingHours, limit: int = 200) -> int:
    """Close the posted opportunities whose last day is over: the post says so, and the
    poster gets a summary of who was interested."""
    with database.session() as session:
        due = list(
            session.scalars(
                select(Opportunity)
                .where(
                    Opportunity.status == OpportunityStatus.POSTED,
                    Opportunity.closes_on < earliest_local_date(now),
                )
                .order_by(Opportunity.closes_on, Opportunity.id)
                .limit(limit)
                .with_for_update(of=Opportunity, skip_locked=True)
            ).unique()
        )
        for opportunity in due:
            opportunity.status = OpportunityStatus.CLOSED
            opportunity.closed_at = opportunity.updated_at = now
            # A forgotten poster's post is no longer linked, and there is no one to tell.
            if opportunity.poster.forgotten_at is None:
                _announce_closing(session, opportunity, now=now, hours=hours)
        return len(due)


def _announce_closing(
    session: Session, opportunity: Opportunity, *, now: datetime, hours: WorkingHours
) -> None:
    """The post is rewritten to say it has closed, and the poster gets the summary."""
    poster = opportunity.poster
    for purpose, target, recipient, tz in (
        (CLOSED, opportunity.slack_channel or "", None, None),
        (SUMMARY, poster.user_id, poster.id, poster.tz),
    ):
        enqueue(
            session,
            team_id=opportunity.team_id,
            purpose=purpose,
            subject=_subject(opportunity.id),
            occurrence="closed",
            target=target,
            recipient_id=recipient,
            payload={"opportunity_id": opportunity.id},
            not_before=next_delivery_time(now, tz, hours),
            now=now,
        )


def forget_posts(session: Session, *, poster_id: int, now: datetime) -> None:
    """The poster is forgotten: their opportunities no longer lead to the posts that name them.
    The outbox forgets where each post went; what has not been posted yet is withdrawn, and a
    closing rewrite not yet sent is cancelled."""
    subjects = {
        _subject(opportunity_id): opportunity_id
        for opportunity_id in session.scalars(
            select(Opportunity.id).where(Opportunity.posted_by_id == poster_id)
        )
    }
    unsent = session.scalars(
        select(Outbox.subject).where(
            Outbox.purpose == POST,
            Outbox.subject.in_(subjects),
            Outbox.status == OutboxStatus.PENDING,
        )
    ).all()
    session.execute(
        update(Opportunity)
        .where(
            Opportunity.posted_by_id == poster_id,
            or_(
                Opportunity.status == OpportunityStatus.QUEUED,
                Opportunity.id.in_([subjects[subject] for subject in unsent]),
            ),
        )
        .values(status=OpportunityStatus.WITHDRAWN, updated_at=now)
    )
    session.execute(
        update(Outbox)
        .where(Outbox.purpose == POST, Outbox.subject.in_(subjects))
        .values(slack_ts=None, updated_at=now)
    )
    for purpose in (POST, CLOSED):
        cancel_planned(session, purpose=purpose, subjects=subjects, now=now)


def _subject(opportunity_id: int) -> str:
    """The outbox subject of the messages about an opportunity."""
    return f"opportunity:{opportunity_id}"


# --- reads for rendering ----------------------------------------------------------------------


@dataclass(frozen=True)
class Interested:
    interest_id: int
    user_id: str
    name: str


@dataclass(frozen=True)
class OpportunitySheet:
    opportunity_id: int
    kind: OpportunityKind
    title: str
    description: str
    link: str
    contact: str
    closes_on: date | None
    status: OpportunityStatus
    poster_user_id: str
    poster_name: str
    interested: tuple[Interested, ...]
    post: tuple[str, str] | None  # the channel post's (channel, ts), once it went out


def get_opportunity(database: Database, opportunity_id: int) -> OpportunitySheet | None:
    with database.read() as session:
        opportunity = session.get(Opportunity, opportunity_id)
        if opportunity is None:
            return None
        interested = session.execute(
            select(OpportunityInterest.id, Person)
            .join(Person, Person.id == OpportunityInterest.person_id)
            .where(OpportunityInterest.opportunity_id == opportunity_id)
            .order_by(OpportunityInterest.id)
        ).all()
        post = session.execute(
            select(Outbox.slack_channel, Outbox.slack_ts).where(
                Outbox.purpose == POST,
                Outbox.subject == _subject(opportunity_id),
                Outbox.status == OutboxStatus.SENT,
            )
        ).first()
        return OpportunitySheet(
            opportunity_id=opportunity.id,
            kind=opportunity.kind,
            title=opportunity.title or "",
            description=opportunity.description or "",
            link=opportunity.link or "",
            contact=opportunity.contact or "",
            closes_on=opportunity.closes_on,
            status=opportunity.status,
            poster_user_id=opportunity.poster.user_id,
            poster_name=display_name(opportunity.poster),
            interested=tuple(
                Interested(interest_id, person.user_id, display_name(person))
                for interest_id, person in interested
            ),
            post=(post.slack_channel, post.slack_ts) if post and post.slack_ts else None,
        )
