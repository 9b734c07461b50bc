"""Alignment reviews: plan them on each tour's cadence, start one now, record and snooze answers."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session, aliased

from db.engine import Database
from db.models import AlignmentReview, Person, ReviewResponse, Tour, TourVersion
from domain.reviews import (
    PerceptionGaps,
    Progress,
    QuickAnswers,
    ReviewKind,
    ReviewStatus,
    closing_date,
    is_alignment_score,
    local_date,
    perception_gaps,
    start_of_local_day,
    text_problems,
)
from domain.schedule import (
    SnoozeChoice,
    WorkingHours,
    latest_local_date,
    next_delivery_time,
    next_nudge,
)
from domain.schedule import next_review_on as next_review_date
from domain.tours import Side, TourStatus
from services.audit import record_audit
from services.away import away_days, shifted_due_day, snooze_response
from services.gaps import GapItem, open_gaps, record_gaps, resolve
from services.learnings import shared_lately
from services.outbox import PlannedMessage, enqueue, enqueue_many
from services.people import display_name, get_person
from services.refusals import NOT_YOURS, Refusal
from services.tours import locked_tour

PROMPT = "review_prompt"
SUMMARY = "review_summary"


class ReviewRefusal(Refusal):
    """A review action is not possible."""


# --- planning ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Respondent:
    person_id: int
    user_id: str
    tz: str | None


@dataclass(frozen=True)
class Opening:
    """A review to open: the tour, its due day, and when each side's prompt may go."""

    tour_id: int
    team_id: str
    kind: ReviewKind
    due_on: date
    cadence_weeks: int
    sides: dict[Side, tuple[Respondent, datetime]]


def plan_due_reviews(
    database: Database, *, now: datetime, hours: WorkingHours, limit: int = 500
) -> int:
    """Open the review of every active tour that has fallen due; returns how many were opened.

    Each tour's cursor moves to its next review date in the same transaction, so a second pass
    finds nothing, and the unique keys make a repeated insert a no-op rather than a duplicate.
    The work is done in a few set-based statements, so a pass costs about the number of due
    tours, whatever the number of tours.
    """
    horizon = latest_local_date(now)
    employee, manager = aliased(Person), aliased(Person)
    due = (
        select(
            Tour.id,
            Tour.team_id,
            Tour.start_date,
            Tour.cadence_weeks,
            Tour.next_review_on,
            Tour.employee_id,
            Tour.manager_id,
            employee.user_id.label("employee_user_id"),
            employee.tz.label("employee_tz"),
            manager.user_id.label("manager_user_id"),
            manager.tz.label("manager_tz"),
        )
        .join(employee, employee.id == Tour.employee_id)
        .join(manager, manager.id == Tour.manager_id)
        .where(Tour.status == TourStatus.ACTIVE, Tour.next_review_on <= horizon)
        .order_by(Tour.next_review_on, Tour.id)
        .limit(limit)
        # Two planners on PostgreSQL take different tours; SQLite has one writer anyway.
        .with_for_update(of=Tour, skip_locked=True)
    )
    with database.session() as session:
        tours = session.execute(due).all()
        if not tours:
            return 0
        away = away_days(
            session,
            {person for tour in tours for person in (tour.employee_id, tour.manager_id)},
            min(tour.next_review_on for tour in tours),
        )
        openings: list[Opening] = []
        cursors: list[dict[str, object]] = []
        for tour in tours:
            due_on = tour.next_review_on
            back_on = shifted_due_day(due_on, away[tour.employee_id], away[tour.manager_id])
            if back_on != due_on:
                # Someone is away: one review when they are back, rather than one now.
                cursors.append({"id": tour.id, "next_review_on": back_on, "updated_at": now})
                continue
            sides = {}
            for side, person_id, user_id, tz in (
                (Side.EMPLOYEE, tour.employee_id, tour.employee_user_id, tour.employee_tz),
                (Side.MANAGER, tour.manager_id, tour.manager_user_id, tour.manager_tz),
            ):
                # Not before the due day has begun where the person is, then in working hours.
                earliest = max(now, start_of_local_day(due_on, tz))
                when = next_delivery_time(earliest, tz, hours)
                sides[side] = (Respondent(person_id, user_id, tz), when)
            openings.append(
                Opening(
                    tour.id, tour.team_id, ReviewKind.SCHEDULED, due_on, tour.cadence_weeks, sides
                )
            )
            # Past the horizon: reviews missed while the bot was down are not piled up.
            next_on = next_review_date(tour.start_date, tour.cadence_weeks, max(due_on, horizon))
            cursors.append({"id": tour.id, "next_review_on": next_on, "updated_at": now})
        _open_reviews(session, openings, now)
        session.execute(update(Tour), cursors)
        return len(openings)


def _open_reviews(session: Session, openings: list[Opening], now: datetime) -> list[int]:
    """Open the reviews, one response row per side, and plan each side's prompt; their ids."""
    if not openings:
        return []
    last: dict[int, int] = {
        tour_id: occurrence
        for tour_id, occurrence in session.execute(
            select(AlignmentReview.tour_id, func.max(AlignmentReview.occurrence))
            .where(AlignmentReview.tour_id.in_([opening.tour_id for opening in openings]))
            .group_by(AlignmentReview.tour_id)
        )
    }
    review_ids = session.scalars(
        insert(AlignmentReview).returning(AlignmentReview.id, sort_by_parameter_order=True),
        [
            {
                "team_id": opening.team_id,
                "tour_id": opening.tour_id,
                "occurrence": (last.get(opening.tour_id) or 0) + 1,
                "kind": opening.kind,
                "due_on": opening.due_on,
                "closes_on": closing_date(opening.due_on, opening.cadence_weeks),
                "status": ReviewStatus.OPEN,
                "opened_at": now,
                "progress_gap": False,
                "alignment_gap": False,
                "created_at": now,
            }
            for opening in openings
        ],
    ).all()
    responses = [
        (opening, review_id, side, respondent, prompt_at)
        for opening, review_id in zip(openings, review_ids, strict=True)
        for side, (respondent, prompt_at) in opening.sides.items()
    ]
    response_ids = session.scalars(
        insert(ReviewResponse).returning(ReviewResponse.id, sort_by_parameter_order=True),
        [
            {
                "team_id": opening.team_id,
                "review_id": review_id,
                "side": side,
                "respondent_id": respondent.person_id,
                "prompted_at": prompt_at,
                "next_nudge_at": next_nudge(prompt_at, None, None, None, prompt_at)[1],
                "updated_at": now,
                "created_at": now,
            }
            for opening, review_id, side, respondent, prompt_at in responses
        ],
    ).all()
    enqueue_many(
        session,
        [
            PlannedMessage(
                team_id=opening.team_id,
                purpose=PROMPT,
                subject=f"review_response:{response_id}",
                occurrence="prompt",
                target=respondent.user_id,
                payload={"response_id": response_id},
                not_before=prompt_at,
                recipient_id=respondent.person_id,
            )
            for (opening, _, _, respondent, prompt_at), response_id in zip(
                responses, response_ids, strict=True
            )
        ],
        now=now,
    )
    return list(review_ids)


# --- /alliance checkin ------------------------------------------------------------------------


@dataclass(frozen=True)
class Checkin:
    """Who a check-in is between; `review_id` once it has been started."""

    review_id: int | None
    employee_user_id: str
    manager_user_id: str
    employee_name: str
    manager_name: str


CHOOSE_REPORT = (
    "Whose check-in? Try `/alliance checkin @dana` to start one with someone you manage."
)
NO_TOUR = (
    "A check-in needs an active tour of duty between you and your manager. "
    "Type `/alliance tour` to see your tours."
)
NOT_YOUR_REPORT = "You can start a check-in only with someone whose active tour you manage."


def find_checkin_tour(
    session: Session, *, team_id: str, user_id: str, subject_user_id: str | None
) -> Tour:
    """The active tour a check-in would review; raises ReviewRefusal when there is none.

    Without a person named, the requester's own tour as employee; a manager names the report.
    """
    requester = get_person(session, team_id, user_id)
    if requester is None:
        raise ReviewRefusal(NO_TOUR)
    active = select(Tour).where(Tour.team_id == team_id, Tour.status == TourStatus.ACTIVE)
    if subject_user_id is None:
        own = session.scalars(active.where(Tour.employee_id == requester.id)).unique().first()
        if own is not None:
            return own
        leads = session.scalars(active.where(Tour.manager_id == requester.id)).unique().first()
        raise ReviewRefusal(CHOOSE_REPORT if leads is not None else NO_TOUR)
    subject = get_person(session, team_id, subject_user_id)
    tour = (
        None
        if subject is None
        else session.scalars(
            active.where(Tour.manager_id == requester.id, Tour.employee_id == subject.id)
        )
        .unique()
        .first()
    )
    if tour is None:
        raise ReviewRefusal(NOT_YOUR_REPORT)
    return tour


PENDING = "A review of this tour is still waiting for answers: answer that one in your DMs first."


def _refuse_if_pending(session: Session, tour: Tour, today: date) -> None:
    pending = session.scalar(
        select(AlignmentReview.id).where(
            AlignmentReview.tour_id == tour.id,
            AlignmentReview.status == ReviewStatus.OPEN,
            AlignmentReview.closes_on >= today,
        )
    )
    if pending is not None:
        raise ReviewRefusal(PENDING)


def check_checkin(
    database: Database, *, team_id: str, user_id: str, subject_user_id: str | None, today: date
) -> Checkin:
    """What a check-in would start, without starting it; raises ReviewRefusal when it cannot."""
    with database.read() as session:
        tour = find_checkin_tour(
            session, team_id=team_id, user_id=user_id, subject_user_id=subject_user_id
        )
        _refuse_if_pending(session, tour, today)
        return Checkin(
            None,
            tour.employee.user_id,
            tour.manager.user_id,
            display_name(tour.employee),
            display_name(tour.manager),
        )


def start_checkin(
    database: Database,
    *,
    team_id: str,
    user_id: str,
    now: datetime,
    subject_user_id: str | None = None,
) -> Checkin:
    """Open a review of the tour now; both prompts can go out at once. Raises ReviewRefusal."""
    with database.session() as session:
        tour = find_checkin_tour(
            session, team_id=team_id, user_id=user_id, subject_user_id=subject_user_id
        )
        # Locked, so that two check-ins started at once cannot both find no review open.
        locked = locked_tour(session, tour.id)
        assert locked is not None
        tour = locked
        _refuse_if_pending(session, tour, now.date())
        sides = {
            side: (Respondent(person.id, person.user_id, person.tz), now)
            for side, person in ((Side.EMPLOYEE, tour.employee), (Side.MANAGER, tour.manager))
        }
        opening = Opening(
            tour.id, tour.team_id, ReviewKind.CHECKIN, now.date(), tour.cadence_weeks, sides
        )
        [review_id] = _open_reviews(session, [opening], now)
        record_audit(
            session,
            team_id=team_id,
            actor=user_id,
            action="review.checkin",
            subject=f"alignment_review:{review_id}",
            now=now,
        )
        return Checkin(
            review_id,
            tour.employee.user_id,
            tour.manager.user_id,
            display_name(tour.employee),
            display_name(tour.manager),
        )


# --- answers ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AnswerOutcome:
    review_id: int
    side: Side
    completed: bool  # this answer completed the review: the summary is on its way


def record_answer(
    database: Database,
    *,
    response_id: int,
    by_user_id: str,
    now: datetime,
    hours: WorkingHours,
    progress: Progress | None = None,
    alignment: int | None = None,
    to_address: str | None = None,
    learned: str | None = None,
) -> AnswerOutcome:
    """One side answers or edits (None leaves an answer as it was; "" clears a text answer).

    When both sides have their quick answers in, the review is answered, its perception gaps
    computed, and the summary planned for both. Raises ReviewRefusal.
    """
    if alignment is not None and not is_alignment_score(alignment):
        raise ReviewRefusal("Alignment is a score from 1 to 5.")
    problems = text_problems(to_address or "", learned or "")
    if problems:
        raise ReviewRefusal(next(iter(problems.values())))
    with database.session() as session:
        review, response = _editable(session, response_id, by_user_id, now)
        if response.side is Side.MANAGER and (to_address is not None or learned is not None):
            raise ReviewRefusal(NOT_YOURS)
        if progress is not None:
            response.progress = progress
        if alignment is not None:
            response.alignment = alignment
        if to_address is not None:
            response.to_address = to_address.strip() or None
        if learned is not None:
            response.learned = learned.strip() or None
        response.updated_at = now
        if response.answered_at is None and _quick(response) is not None:
            response.answered_at = now
            response.next_nudge_at = None
        completed = _complete(session, review, now, hours)
        if review.status is ReviewStatus.ANSWERED:
            employee = next(r for r in review.responses if r.side is Side.EMPLOYEE)
            perceived = PerceptionGaps(review.progress_gap, review.alignment_gap)
            record_gaps(session, review, perceived, employee.to_address or "", now)
        return AnswerOutcome(review.id, response.side, completed)


def _editable(
    session: Session, response_id: int, by_user_id: str, now: datetime
) -> tuple[AlignmentReview, ReviewResponse]:
    """The review (locked, so both sides' answers are seen together) and the person's response."""
    review_id = session.scalar(
        select(ReviewResponse.review_id).where(ReviewResponse.id == response_id)
    )
    review = (
        None
        if review_id is None
        else session.scalars(
            select(AlignmentReview)
            .where(AlignmentReview.id == review_id)
            .with_for_update(of=AlignmentReview)
            .execution_options(populate_existing=True)
        )
        .unique()
        .one()
    )
    response = next((r for r in review.responses if r.id == response_id), None) if review else None
    if review is None or response is None or response.respondent.user_id != by_user_id:
        raise ReviewRefusal(NOT_YOURS)
    if review.status is ReviewStatus.CLOSED or local_date(now, response.respondent.tz) > (
        review.closes_on
    ):
        raise ReviewRefusal(
            f"This review closed on {review.closes_on:%-d %B %Y}; its answers can't change now."
        )
    return review, response


def _quick(response: ReviewResponse) -> QuickAnswers | None:
    if response.progress is None or response.alignment is None:
        return None
    return QuickAnswers(response.progress, response.alignment)


def _complete(
    session: Session, review: AlignmentReview, now: datetime, hours: WorkingHours
) -> bool:
    """Mark the review answered once both sides are in, and plan the summary for both."""
    employee, manager = (_quick(response) for response in review.responses)
    if review.status is not ReviewStatus.OPEN or employee is None or manager is None:
        return False
    gaps = perception_gaps(employee, manager)
    review.status = ReviewStatus.ANSWERED
    review.answered_at = now
    review.progress_gap, review.alignment_gap = gaps.progress, gaps.alignment
    review.gap_flagged_at = now if gaps.any else None
    for response in review.responses:
        person = response.respondent
        enqueue(
            session,
            team_id=review.team_id,
            purpose=SUMMARY,
            subject=f"review_response:{response.id}",
            occurrence="summary",
            target=person.user_id,
            recipient_id=person.id,
            payload={"review_id": review.id},
            not_before=next_delivery_time(now, person.tz, hours),
            now=now,
        )
    return True


def resolve_gap(
    database: Database, *, response_id: int, gap_id: int, by_user_id: str, now: datetime
) -> None:
    """Either side marks a gap of their tour resolved, from a review prompt. Raises
    ReviewRefusal."""
    with database.session() as session:
        response = session.get(ReviewResponse, response_id)
        if response is None or response.respondent.user_id != by_user_id:
            raise ReviewRefusal(NOT_YOURS)
        tour_id = response.review.tour_id
        if not resolve(
            session, gap_id=gap_id, tour_id=tour_id, person_id=response.respondent_id, now=now
        ):
            raise ReviewRefusal(NOT_YOURS)
        record_audit(
            session,
            team_id=response.team_id,
            actor=by_user_id,
            action="gap.resolved",
            subject=f"gap:{gap_id}",
            now=now,
        )


def snooze(
    database: Database, *, response_id: int, by_user_id: str, choice: SnoozeChoice, now: datetime
) -> datetime:
    """Put off the reminder; returns when the next nudge is due. Raises ReviewRefusal."""
    with database.session() as session:
        _, response = _editable(session, response_id, by_user_id, now)
        if response.answered_at is not None:
            raise ReviewRefusal("You've answered this review already; nothing to snooze.")
        snooze_response(response, choice.until(now), now)
        assert response.next_nudge_at is not None
        return response.next_nudge_at


# --- reads for rendering ----------------------------------------------------------------------


@dataclass(frozen=True)
class SideAnswers:
    response_id: int
    side: Side
    user_id: str
    name: str
    tz: str | None
    progress: Progress | None
    alignment: int | None
    to_address: str
    learned: str
    answered: bool
    snoozed_until: datetime | None
    next_nudge_at: datetime | None


@dataclass(frozen=True)
class ReviewSheet:
    """A review with both sides' answers and names: plain data for any surface."""

    review_id: int
    team_id: str
    occurrence: int
    kind: ReviewKind
    due_on: date
    closes_on: date
    status: ReviewStatus
    objective: str
    gaps: PerceptionGaps
    employee: SideAnswers
    manager: SideAnswers
    open_gaps: tuple[GapItem, ...] = ()  # raised at earlier reviews of the tour, unresolved
    learnings: tuple[str, ...] = ()  # what the employee shared lately from their network

    def side(self, side: Side) -> SideAnswers:
        return self.employee if side is Side.EMPLOYEE else self.manager


# What a review sheet is read from: plain columns, one row per side, in one statement.
_SHEET_COLUMNS = (
    AlignmentReview.id,
    AlignmentReview.tour_id,
    AlignmentReview.team_id,
    Tour.employee_id,
    AlignmentReview.occurrence,
    AlignmentReview.kind,
    AlignmentReview.due_on,
    AlignmentReview.closes_on,
    AlignmentReview.status,
    AlignmentReview.progress_gap,
    AlignmentReview.alignment_gap,
    TourVersion.objective,
    ReviewResponse.id.label("response_id"),
    ReviewResponse.side,
    ReviewResponse.progress,
    ReviewResponse.alignment,
    ReviewResponse.to_address,
    ReviewResponse.learned,
    ReviewResponse.answered_at,
    ReviewResponse.snoozed_until,
    ReviewResponse.next_nudge_at,
    Person.user_id,
    Person.real_name,
    Person.name,
    Person.tz,
)


def _answers(row: Any) -> SideAnswers:
    """One side's answers from a row of _SHEET_COLUMNS."""
    return SideAnswers(
        response_id=row.response_id,
        side=row.side,
        user_id=row.user_id,
        name=row.real_name or row.name or row.user_id,
        tz=row.tz,
        progress=row.progress,
        alignment=row.alignment,
        to_address=row.to_address or "",
        learned=row.learned or "",
        answered=row.answered_at is not None,
        snoozed_until=row.snoozed_until,
        next_nudge_at=row.next_nudge_at,
    )


def get_review(database: Database, review_id: int) -> ReviewSheet | None:
    with database.read() as session:
        return _review_sheets(session, [review_id]).get(review_id)


def review_of_response(database: Database, response_id: int) -> tuple[ReviewSheet, Side] | None:
    """The review a response belongs to, and that response's side."""
    return reviews_of_responses(database, [response_id]).get(response_id)


def reviews_of_responses(
    database: Database, response_ids: Collection[int]
) -> dict[int, tuple[ReviewSheet, Side]]:
    """Each response's review and side, by response id, in a few reads however many there are
    (a delivery pass reads ahead the prompts it is about to send); unknown ids are left out."""
    with database.read() as session:
        sides = session.execute(
            select(ReviewResponse.id, ReviewResponse.review_id, ReviewResponse.side).where(
                ReviewResponse.id.in_(response_ids)
            )
        ).all()
        sheets = _review_sheets(session, {review_id for _, review_id, _ in sides})
    return {
        response_id: (sheets[review_id], side)
        for response_id, review_id, side in sides
        if review_id in sheets
    }


def _review_sheets(session: Session, review_ids: Collection[int]) -> dict[int, ReviewSheet]:
    """Reviews and both sides' answers, read as plain rows (they are read for every prompt),
    by review id; a review without both sides is left out."""
    rows = session.execute(
        select(*_SHEET_COLUMNS)
        .join(Tour, Tour.id == AlignmentReview.tour_id)
        .outerjoin(
            TourVersion,
            (TourVersion.tour_id == Tour.id)
            & (
                TourVersion.version_no
                == func.coalesce(Tour.agreed_version_no, Tour.current_version_no)
            ),
        )
        .join(ReviewResponse, ReviewResponse.review_id == AlignmentReview.id)
        .join(Person, Person.id == ReviewResponse.respondent_id)
        .where(AlignmentReview.id.in_(review_ids))
    ).all()
    by_review: dict[int, dict[Side, Any]] = defaultdict(dict)
    for row in rows:
        by_review[row.id][row.side] = row
    whole = {review_id: sides for review_id, sides in by_review.items() if set(sides) == set(Side)}
    employees = [sides[Side.EMPLOYEE] for sides in whole.values()]
    gaps = open_gaps(session, [(row.tour_id, row.id) for row in employees])
    learnings = shared_lately(session, {row.employee_id for row in employees})
    return {
        review_id: _sheet(sides, gaps[review_id], learnings[sides[Side.EMPLOYEE].employee_id])
        for review_id, sides in whole.items()
    }


def _sheet(sides: dict[Side, Any], gaps: list[GapItem], learnings: list[str]) -> ReviewSheet:
    review = sides[Side.EMPLOYEE]
    return ReviewSheet(
        review_id=review.id,
        team_id=review.team_id,
        occurrence=review.occurrence,
        kind=review.kind,
        due_on=review.due_on,
        closes_on=review.closes_on,
        status=review.status,
        objective=review.objective or "",
        gaps=PerceptionGaps(review.progress_gap, review.alignment_gap),
        employee=_answers(sides[Side.EMPLOYEE]),
        manager=_answers(sides[Side.MANAGER]),
        open_gaps=tuple(gaps),
        learnings=tuple(learnings),
    )
