"""Gaps to talk about: raised when a review is answered, shown at the tour's later reviews,
resolved by either side."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import AlignmentReview, Gap
from domain.reviews import GapKind, PerceptionGaps, gaps_raised

SHOWN_AT_MOST = 5  # on a prompt; the rest are counted


@dataclass(frozen=True)
class GapItem:
    gap_id: int
    kind: GapKind
    label: str | None
    raised_on: date


def record_gaps(
    session: Session,
    review: AlignmentReview,
    perceived: PerceptionGaps,
    to_address: str,
    now: datetime,
) -> None:
    """Keep what the answered review leaves to talk about (once per review and kind)."""
    existing = {
        gap.kind: gap
        for gap in session.scalars(select(Gap).where(Gap.raised_in_review_id == review.id))
    }
    raised = gaps_raised(perceived, to_address)
    named = existing.get(GapKind.NAMED)
    if named is not None and named.resolved_at is None and GapKind.NAMED not in dict(raised):
        session.delete(named)  # the employee took back what they had named
    for kind, label in raised:
        if kind in existing:
            existing[kind].label = label
            continue
        session.add(
            Gap(
                team_id=review.team_id,
                tour_id=review.tour_id,
                kind=kind,
                label=label,
                raised_in_review_id=review.id,
                raised_at=now,
                created_at=now,
            )
        )


def open_gaps(session: Session, reviews: Collection[tuple[int, int]]) -> dict[int, list[GapItem]]:
    """For each (tour, review): the tour's unresolved gaps raised at its other reviews, oldest
    first, by review id. One read for all of them."""
    reviews_of: defaultdict[int, list[int]] = defaultdict(list)
    for tour_id, review_id in reviews:
        reviews_of[tour_id].append(review_id)
    found: dict[int, list[GapItem]] = {review_id: [] for _, review_id in reviews}
    rows = session.scalars(
        select(Gap)
        .where(
            Gap.tour_id.in_(reviews_of),
            Gap.resolved_at.is_(None),
            Gap.raised_in_review_id.is_not(None),
        )
        .order_by(Gap.raised_at, Gap.id)
    )
    for gap in rows:
        for review_id in reviews_of[gap.tour_id]:
            if gap.raised_in_review_id != review_id:
                found[review_id].append(GapItem(gap.id, gap.kind, gap.label, gap.raised_at.date()))
    return found


def resolve(session: Session, *, gap_id: int, tour_id: int, person_id: int, now: datetime) -> bool:
    """Mark a gap of the tour resolved; False when there is no such open gap."""
    gap = session.get(Gap, gap_id)
    if gap is None or gap.tour_id != tour_id:
        return False
    if gap.resolved_at is None:
        gap.resolved_at = now
        gap.resolved_by_id = person_id
    return True
