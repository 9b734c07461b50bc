"""Leaving in good standing: the departure recorded by a manager or an admin, the thank-you and
alumni invitation on the last day, and the person's answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db.engine import Database
from db.models import AlumniProfile, Offboarding, Person, Tour
from domain.alumni import JoinMethod, OffboardingForm, OffboardingStatus
from domain.reviews import start_of_local_day
from domain.schedule import WorkingHours, latest_local_date, next_delivery_time
from domain.tours import TourStatus, TourType
from services.audit import record_audit
from services.outbox import enqueue
from services.people import display_name, get_person
from services.refusals import NOT_YOURS, Refusal
from services.tours import current_manager

INVITATION = "alumni_invitation"
MAY_NOT = "Only their manager or an Alliance admin can record someone's departure."
UNKNOWN = "I couldn't find that person in Slack."


class OffboardRefusal(Refusal):
    """An offboarding is not possible."""


@dataclass(frozen=True)
class Leaver:
    """Who is leaving, as the form shows them."""

    user_id: str
    name: str


def check_offboard(
    database: Database, *, team_id: str, by_user_id: str, person_user_id: str, is_admin: bool
) -> Leaver:
    """Whether `by_user_id` may record this person's departure now; raises OffboardRefusal."""
    with database.read() as session:
        person = _leaver(session, team_id, by_user_id, person_user_id, is_admin)
        return Leaver(person.user_id, display_name(person))


def _leaver(
    session: Session, team_id: str, by_user_id: str, user_id: str, is_admin: bool
) -> Person:
    person = get_person(session, team_id, user_id)
    if person is None or person.is_bot:
        raise OffboardRefusal(UNKNOWN)
    if user_id == by_user_id:
        raise OffboardRefusal("You can't record your own departure; your manager or an admin can.")
    manager = current_manager(session, person.id)
    if not is_admin and (manager is None or manager.user_id != by_user_id):
        raise OffboardRefusal(MAY_NOT)
    pending = session.scalar(
        select(Offboarding.last_day).where(
            Offboarding.team_id == team_id,
            Offboarding.person_id == person.id,
            Offboarding.status.in_((OffboardingStatus.SCHEDULED, OffboardingStatus.INVITED)),
        )
    )
    if pending is not None:
        raise OffboardRefusal(
            f"{display_name(person)}'s departure is already recorded, with a last day of "
            f"{pending:%-d %B %Y}."
        )
    return person


def record_offboarding(
    database: Database,
    *,
    team_id: str,
    by_user_id: str,
    person_user_id: str,
    is_admin: bool,
    form: OffboardingForm,
    now: datetime,
) -> Leaver:
    """Record the departure; in good standing, the invitation is planned for the last day.
    Returns who is leaving. Raises OffboardRefusal."""
    assert form.last_day is not None and form.good_standing is not None
    try:
        with database.session() as session:
            person = _leaver(session, team_id, by_user_id, person_user_id, is_admin)
            requester = get_person(session, team_id, by_user_id)
            assert requester is not None
            status = (
                OffboardingStatus.SCHEDULED if form.good_standing else OffboardingStatus.NOT_INVITED
            )
            tour = session.scalar(
                select(Tour.id).where(
                    Tour.employee_id == person.id, Tour.status == TourStatus.ACTIVE
                )
            )
            session.add(
                Offboarding(
                    team_id=team_id,
                    person_id=person.id,
                    requested_by_id=requester.id,
                    tour_id=tour,
                    last_day=form.last_day,
                    good_standing=form.good_standing,
                    personal_email=form.personal_email.strip() or None,
                    directory_line=form.directory_line.strip() or None,
                    status=status,
                    updated_at=now,
                    created_at=now,
                )
            )
            record_audit(
                session,
                team_id=team_id,
                actor=by_user_id,
                action="offboarding.recorded",
                subject=f"person:{person.id}",
                detail={"last_day": form.last_day.isoformat(), "status": status.value},
                now=now,
            )
            return Leaver(person.user_id, display_name(person))
    except IntegrityError as error:  # recorded by someone else meanwhile
        raise OffboardRefusal("Their departure has just been recorded by someone else.") from error


def plan_invitations(
    database: Database, *, now: datetime, hours: WorkingHours, limit: int = 500
) -> int:
    """On each leaver's last day, in their working hours, the thank-you and invitation."""
    horizon = latest_local_date(now)
    due = (
        select(Offboarding)
        .where(Offboarding.status == OffboardingStatus.SCHEDULED, Offboarding.last_day <= horizon)
        .order_by(Offboarding.last_day, Offboarding.id)
        .limit(limit)
        .with_for_update(of=Offboarding, skip_locked=True)
    )
    with database.session() as session:
        offboardings = list(session.scalars(due).unique())
        for offboarding in offboardings:
            person = offboarding.person
            earliest = max(now, start_of_local_day(offboarding.last_day, person.tz))
            when = next_delivery_time(earliest, person.tz, hours)
            enqueue(
                session,
                team_id=offboarding.team_id,
                purpose=INVITATION,
                subject=f"offboarding:{offboarding.id}",
                occurrence="invitation",
                target=person.user_id,
                recipient_id=person.id,
                payload={"offboarding_id": offboarding.id},
                not_before=when,
                now=now,
            )
            offboarding.status = OffboardingStatus.INVITED
            offboarding.invited_at = when
            offboarding.updated_at = now
        return len(offboardings)


# --- the invitation and the answer ------------------------------------------------------------


@dataclass(frozen=True)
class TourLine:
    tour_type: TourType
    start_date: date
    end_date: date
    objective: str


@dataclass(frozen=True)
class Invitation:
    """What the thank-you and invitation show, and what joining needs."""

    offboarding_id: int
    team_id: str
    user_id: str
    name: str
    personal_email: str | None
    directory_line: str
    status: OffboardingStatus
    tours: tuple[TourLine, ...]


def get_invitation(database: Database, offboarding_id: int) -> Invitation | None:
    with database.read() as session:
        offboarding = session.get(Offboarding, offboarding_id)
        if offboarding is None:
            return None
        tours = session.scalars(
            select(Tour)
            .where(
                Tour.employee_id == offboarding.person_id,
                Tour.status.in_((TourStatus.ACTIVE, TourStatus.ENDED)),
            )
            .order_by(Tour.start_date)
        ).unique()
        lines = tuple(
            TourLine(
                tour.tour_type,
                tour.start_date,
                tour.end_date,
                tour.versions[(tour.agreed_version_no or tour.current_version_no) - 1].objective
                or "",
            )
            for tour in tours
        )
        person = offboarding.person
        return Invitation(
            offboarding_id=offboarding.id,
            team_id=offboarding.team_id,
            user_id=person.user_id,
            name=display_name(person),
            personal_email=offboarding.personal_email,
            directory_line=offboarding.directory_line or "",
            status=offboarding.status,
            tours=lines,
        )


def claim_answer(database: Database, *, offboarding_id: int, by_user_id: str) -> Invitation:
    """The invitation the person is answering, if it is theirs and still open; raises
    OffboardRefusal."""
    invitation = get_invitation(database, offboarding_id)
    if invitation is None or invitation.user_id != by_user_id:
        raise OffboardRefusal(NOT_YOURS)
    if invitation.status is not OffboardingStatus.INVITED:
        raise OffboardRefusal("You've answered this invitation already. Thank you!")
    return invitation


def record_declined(database: Database, *, offboarding_id: int, now: datetime) -> None:
    with database.session() as session:
        offboarding = session.get(Offboarding, offboarding_id)
        assert offboarding is not None
        offboarding.status = OffboardingStatus.DECLINED
        offboarding.responded_at = offboarding.updated_at = now


def record_joined(
    database: Database,
    *,
    offboarding_id: int,
    method: JoinMethod,
    error: str | None,
    now: datetime,
) -> None:
    """The person joined: how, and their (unlisted) directory entry with the agreed line."""
    with database.session() as session:
        offboarding = session.get(Offboarding, offboarding_id)
        assert offboarding is not None
        offboarding.status = OffboardingStatus.JOINED
        offboarding.responded_at = offboarding.updated_at = now
        offboarding.join_method = method
        offboarding.join_error = error[:64] if error else None
        profile = session.scalar(
            select(AlumniProfile).where(
                AlumniProfile.team_id == offboarding.team_id,
                AlumniProfile.person_id == offboarding.person_id,
            )
        )
        if profile is None:
            session.add(
                AlumniProfile(
                    team_id=offboarding.team_id,
                    person_id=offboarding.person_id,
                    offboarding_id=offboarding.id,
                    joined_at=now,
                    listed=False,
                    directory_line=offboarding.directory_line,
                    updated_at=now,
                    created_at=now,
                )
            )
        record_audit(
            session,
            team_id=offboarding.team_id,
            actor=offboarding.person.user_id,
            action="alumni.joined",
            subject=f"offboarding:{offboarding.id}",
            detail={"method": method.value},
            now=now,
        )
