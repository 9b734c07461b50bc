"""The bot's recurring work: a small fixed set of jobs that compute what is due from our tables."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.pacing import WINDOW
from services.conversations import expire_conversations
from services.deps import Deps
from services.events import forget_old_events
from services.expense_followups import plan_followups
from services.inbox import finish, take_over_orphans
from services.leadership_digest import plan_leadership_digests
from services.metrics import count_delivering, count_delivery
from services.news import plan_digests
from services.offboarding import plan_invitations
from services.opportunities import close_due, plan_posts
from services.outbox import Sender, batch_size, deliver_due, end_orphaned_claims
from services.review_nudges import close_past_reviews, plan_due_nudges
from services.reviews import plan_due_reviews
from services.rollout import plan_rollout
from services.tour_end import plan_end_prompts, run_tour_transitions
from services.unreachable import flag_unreachable

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    id: str
    every: timedelta | Callable[[Deps], timedelta]  # fixed, or read from the settings
    run: Callable[[Deps, datetime], None]

    def interval(self, deps: Deps) -> timedelta:
        return self.every if isinstance(self.every, timedelta) else self.every(deps)


def forget_old_event_ids(deps: Deps, now: datetime) -> None:
    removed = forget_old_events(deps.database, now)
    if removed:
        logger.info("forgot %d processed event ids", removed)


def expire_idle_conversations(deps: Deps, now: datetime) -> None:
    """A DM conversation left for a week is closed; the outbox carries the note to the person."""
    expired = expire_conversations(deps.database, now)
    if expired:
        logger.info("closed %d idle conversations", len(expired))


def finish_orphaned_work(deps: Deps, _now: datetime) -> None:
    """Do the work of requests a process that is gone acknowledged and did not finish."""
    if deps.inbox is None or deps.inbox.redeliver is None:
        return
    owed = take_over_orphans(deps.database, deps.worker_id)
    for work in owed:
        if deps.stopping.is_set():  # what is left is taken over again once this process ends
            return
        try:
            deps.inbox.redeliver(work)
        finally:
            finish(deps.database, work.id)
    if owed:
        logger.info(
            "inbox: did the work of %d requests a stopped process had acknowledged", len(owed)
        )


TOOK_OVER = "outbox: took over the delivery; %d rows claimed by processes that are gone are due now"


def deliver_outbox(deps: Deps, now: datetime) -> None:
    """Send what is due from the outbox, if this process holds the delivery lease (or has
    none to hold: one driven by a test), batch after batch while full batches keep coming."""
    if deps.outbox_sender is None:
        return
    if deps.delivery_lease is None:
        count_delivering(True)
        _deliver_batches(deps, deps.outbox_sender, now)
        return
    with deps.delivery_lease.delivering() as turn:
        count_delivering(turn.holds)
        if turn.just_taken:
            if deps.pacer.rate is None:
                deps.pacer.hold(WINDOW)  # the last deliverer's sends still count at Slack
            ended = end_orphaned_claims(deps.database, now)
            logger.info(TOOK_OVER, ended)
        if turn.holds:
            _deliver_batches(deps, deps.outbox_sender, now)


def _deliver_batches(deps: Deps, sender: Sender, now: datetime) -> None:
    batch = batch_size(deps.delivery_concurrency)
    while not deps.stopping.is_set():
        report = deliver_due(
            deps.database,
            sender,
            worker=deps.worker_id,
            now=now,
            limit=batch,
            stopping=deps.stopping.is_set,
            concurrency=deps.delivery_concurrency,
            pacer=deps.pacer,
        )
        count_delivery(report)
        if report.claimed:
            logger.info("outbox: %s", report.summary())
        if report.unreachable_recipients:
            flagged = flag_unreachable(
                deps.database,
                report.unreachable_recipients,
                now=now,
                hours=deps.working_hours,
                admins=deps.admins,
            )
            logger.warning(
                "outbox: %d people cannot be reached on Slack; %d tours flagged",
                len(report.unreachable_recipients),
                flagged,
            )
        # A short batch means nothing more is due; a rate limit or a postponement means wait.
        if report.claimed < batch or report.postponed or report.retried:
            return
        now = deps.clock()


# Reminders and escalations planned per pass.
NUDGE_BATCH = 1000
# Tours planned per pass; a bigger backlog is worked off over the following passes.
REVIEW_PLANNING_BATCH = 1000


def plan_reviews(deps: Deps, now: datetime) -> None:
    """Open the reviews that have fallen due; the outbox carries the prompts in working hours."""
    opened = plan_due_reviews(
        deps.database, now=now, hours=deps.working_hours, limit=REVIEW_PLANNING_BATCH
    )
    if opened:
        logger.info("opened %d alignment reviews", opened)


def nudge_reviews(deps: Deps, now: datetime) -> None:
    """Remind whoever has not answered, and escalate what has been left for a week."""
    planned = plan_due_nudges(
        deps.database, now=now, hours=deps.working_hours, admins=deps.admins, limit=NUDGE_BATCH
    )
    if planned:
        logger.info("planned %d reminders, %d escalations", planned.reminders, planned.escalations)


def close_reviews(deps: Deps, now: datetime) -> None:
    closed = close_past_reviews(deps.database, now=now)
    if closed:
        logger.info("closed %d alignment reviews", closed)


def rollout_prompts(deps: Deps, now: datetime) -> None:
    """The running rollout's weekly DM to each manager with reports still without a tour."""
    if planned := plan_rollout(deps.database, now=now, hours=deps.working_hours):
        logger.info("rollout: planned %d prompts to managers", planned)


def tour_ends(deps: Deps, now: datetime) -> None:
    """Begin and end tours on their dates, flag the undecided, and prompt the tour-end talk."""
    changed = run_tour_transitions(
        deps.database, now=now, hours=deps.working_hours, admins=deps.admins
    )
    if changed.ended or changed.flagged or changed.activated:
        logger.info(
            "tours: %d ended, %d flagged undecided, %d begun",
            changed.ended,
            changed.flagged,
            changed.activated,
        )
    prompted = plan_end_prompts(
        deps.database, now=now, hours=deps.working_hours, lead_days=deps.tour_end_lead_days
    )
    if prompted:
        logger.info("planned the tour-end conversation for %d tours", prompted)


def alumni_invitations(deps: Deps, now: datetime) -> None:
    """On each leaver's last day, the thank-you and the alumni invitation."""
    invited = plan_invitations(deps.database, now=now, hours=deps.working_hours)
    if invited:
        logger.info("planned %d alumni invitations", invited)


def alumni_opportunities(deps: Deps, now: datetime) -> None:
    """Post the queued opportunities in working hours, and close those whose day is over."""
    if deps.alumni_channel is None:
        return
    posted = plan_posts(
        deps.database, channel=deps.alumni_channel, now=now, hours=deps.working_hours
    )
    closed = close_due(deps.database, now=now, hours=deps.working_hours)
    if posted or closed:
        logger.info("opportunities: %d to post, %d closed", posted, closed)


def alumni_news(deps: Deps, now: datetime) -> None:
    """The monthly news digest to the alumni channel, when there is news."""
    if deps.alumni_channel is None:
        return
    planned = plan_digests(
        deps.database,
        channel=deps.alumni_channel,
        now=now,
        hours=deps.working_hours,
        day_of_month=deps.news_digest_day,
    )
    if planned:
        logger.info("planned %d alumni news digests", planned)


def expense_followups(deps: Deps, now: datetime) -> None:
    """After each approved expense's event, ask what the person learned there."""
    planned = plan_followups(deps.database, now=now, hours=deps.working_hours)
    if planned:
        logger.info("planned %d expense follow-ups", planned)


def leadership_digest(deps: Deps, now: datetime) -> None:
    """The weekly leadership digest, at its scheduled time, to the channel or the admins."""
    if deps.digest_schedule is None:
        return
    planned = plan_leadership_digests(
        deps.database,
        now=now,
        schedule=deps.digest_schedule,
        channel=deps.leadership_channel,
        admins=deps.admins,
        min_group_size=deps.min_group_size,
    )
    if planned:
        logger.info("planned %d leadership digests", planned)


JOBS: tuple[Job, ...] = (
    Job(id="forget-old-event-ids", every=timedelta(hours=1), run=forget_old_event_ids),
    Job(id="expire-idle-conversations", every=timedelta(minutes=15), run=expire_idle_conversations),
    Job(id="plan-reviews", every=timedelta(minutes=5), run=plan_reviews),
    Job(id="nudge-reviews", every=timedelta(minutes=15), run=nudge_reviews),
    Job(id="close-reviews", every=timedelta(hours=1), run=close_reviews),
    Job(id="tour-ends", every=timedelta(minutes=15), run=tour_ends),
    Job(id="rollout-prompts", every=timedelta(minutes=15), run=rollout_prompts),
    Job(id="alumni-invitations", every=timedelta(minutes=15), run=alumni_invitations),
    Job(id="alumni-opportunities", every=timedelta(minutes=5), run=alumni_opportunities),
    Job(id="alumni-news", every=timedelta(minutes=30), run=alumni_news),
    Job(id="expense-followups", every=timedelta(minutes=30), run=expense_followups),
    Job(id="leadership-digest", every=timedelta(minutes=5), run=leadership_digest),
    Job(id="finish-orphaned-work", every=timedelta(seconds=5), run=finish_orphaned_work),
    Job(id="deliver-outbox", every=lambda deps: deps.delivery_interval, run=deliver_outbox),
)


def run_due_work(deps: Deps) -> None:
    """One pass of every job, as `alliance scheduler tick` does."""
    now = deps.clock()
    for job in JOBS:
        job.run(deps, now)
