"""The review reads the outbox renderers need, bound to a database so Slack code never holds one."""

from __future__ import annotations

from dataclasses import dataclass

from db.engine import Database
from domain.tours import Side
from services.review_nudges import OverdueReview, overdue_manager_reviews
from services.reviews import ReviewSheet, get_review, review_of_response


@dataclass(frozen=True)
class ReviewReads:
    database: Database

    def review(self, review_id: int) -> ReviewSheet | None:
        return get_review(self.database, review_id)

    def of_response(self, response_id: int) -> tuple[ReviewSheet, Side] | None:
        return review_of_response(self.database, response_id)

    def overdue(self, team_id: str) -> list[OverdueReview]:
        """Managers' reviews escalated and still unanswered, for the admins' digest."""
        return overdue_manager_reviews(self.database, team_id)
