"""The review reads the outbox renderers need, bound to a database so Slack code never holds one."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from db.engine import Database
from domain.tours import Side
from services.read_ahead import ReadAhead
from services.review_nudges import OverdueReview, overdue_manager_reviews
from services.reviews import ReviewSheet, get_review, reviews_of_responses


class ReviewReads:
    def __init__(self, database: Database) -> None:
        self.database = database
        self._responses: ReadAhead[int, tuple[ReviewSheet, Side]] = ReadAhead(
            partial(reviews_of_responses, database)
        )

    def expect_responses(self, response_ids: Iterable[int]) -> None:
        """The responses whose reviews are about to be asked for, in order: read them ahead."""
        self._responses.expect(response_ids)

    def review(self, review_id: int) -> ReviewSheet | None:
        return get_review(self.database, review_id)

    def of_response(self, response_id: int) -> tuple[ReviewSheet, Side] | None:
        return self._responses.get(response_id)

    def overdue(self, team_id: str) -> list[OverdueReview]:
        """Managers' reviews escalated and still unanswered, for the admins' digest."""
        return overdue_manager_reviews(self.database, team_id)
