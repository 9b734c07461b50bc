"""Typed SQLAlchemy models. Every row that belongs to a workspace carries its Slack team id."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy import Enum as SAEnum
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from db.privacy import Privacy, marked
from db.types import UTCDateTime
from domain.alumni import JoinMethod, OffboardingStatus, OpportunityKind, OpportunityStatus
from domain.conversations import FlowName
from domain.delivery import OutboxStatus
from domain.money import ExpenseStatus
from domain.reviews import GapKind, Progress, ReviewKind, ReviewStatus
from domain.rollout import AsideReason, CampaignEnd
from domain.tours import Side, TourStatus, TourType, VersionSource

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Person(Base):
    """A Slack user the bot has met, with the profile fields the product relies on."""

    __tablename__ = "people"
    __table_args__ = (UniqueConstraint("team_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(32), info=marked(Privacy.IDENTIFIER))
    name: Mapped[str] = mapped_column(String(255), default="", info=marked(Privacy.IDENTIFIER))
    real_name: Mapped[str] = mapped_column(String(255), default="", info=marked(Privacy.IDENTIFIER))
    tz: Mapped[str | None] = mapped_column(String(64), info=marked(Privacy.IDENTIFIER))
    is_bot: Mapped[bool] = mapped_column(default=False)
    deleted: Mapped[bool] = mapped_column(default=False)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    profile_refreshed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    forgotten_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ReportingLine(Base):
    """A person's place in the org chart (their manager, department, title, location and start
    date) from `valid_from` until `valid_to`: an import that changes any of it closes the
    current line and opens a new one, so the history stays. Kept apart from tours: a tour
    proposed by someone who is not the person's manager here is flagged to the admins."""

    __tablename__ = "reporting_lines"
    __table_args__ = (
        Index(
            "uq_reporting_lines_current",
            "team_id",
            "person_id",
            unique=True,
            sqlite_where=text("valid_to IS NULL"),
            postgresql_where=text("valid_to IS NULL"),
        ),
        Index(
            "ix_reporting_lines_current_manager",
            "team_id",
            "manager_id",
            sqlite_where=text("valid_to IS NULL"),
            postgresql_where=text("valid_to IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    email: Mapped[str | None] = mapped_column(String(320), info=marked(Privacy.IDENTIFIER))
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    department: Mapped[str] = mapped_column(String(200), default="")
    title: Mapped[str | None] = mapped_column(String(200), info=marked(Privacy.IDENTIFIER))
    location: Mapped[str | None] = mapped_column(String(200), info=marked(Privacy.IDENTIFIER))
    start_date: Mapped[date | None]
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime())
    valid_to: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ProcessedEvent(Base):
    """An Events API delivery already handled; Slack's retries of it are skipped."""

    __tablename__ = "processed_events"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    event_type: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class AuditEntry(Base):
    """Who did what to which record, and when; never holds career-conversation text."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_team_subject", "team_id", "subject"),)

    # SQLite only autoincrements an INTEGER primary key; PostgreSQL gets a 64-bit one.
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(32), info=marked(Privacy.IDENTIFIER))
    action: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(64), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(UTCDateTime())


def _choice(enum: type[StrEnum], name: str) -> SAEnum:
    """A string column limited to the enum's values by a named CHECK (no native DB enums)."""
    return SAEnum(
        enum,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


class RolloutCampaign(Base):
    """A push for every manager to agree a tour of duty with each report, over the company or
    one department: from an admin's start until full coverage or an admin's stop."""

    __tablename__ = "rollout_campaigns"
    __table_args__ = (
        Index(
            "uq_rollout_campaigns_running",
            "team_id",
            unique=True,
            sqlite_where=text("ended_at IS NULL"),
            postgresql_where=text("ended_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    department: Mapped[str | None] = mapped_column(String(200))  # None: the whole company
    started_by_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    end_reason: Mapped[CampaignEnd | None] = mapped_column(_choice(CampaignEnd, "campaign_end"))


class RolloutAside(Base):
    """A report their manager put aside in a campaign ("Not now"), and why."""

    __tablename__ = "rollout_asides"
    __table_args__ = (UniqueConstraint("campaign_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    campaign_id: Mapped[int] = mapped_column(ForeignKey("rollout_campaigns.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    reason: Mapped[AsideReason] = mapped_column(_choice(AsideReason, "aside_reason"))
    set_by_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Workspace(Base):
    """One Slack team: its company values and aspirations, and per-team settings."""

    __tablename__ = "workspaces"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    enterprise_id: Mapped[str | None] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(255), default="")
    company_values: Mapped[list[str]] = mapped_column(JSON, default=list)
    company_aspirations: Mapped[list[str]] = mapped_column(JSON, default=list)
    company_values_updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    company_values_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Tour(Base):
    """One alliance between an employee and a manager, from proposal to end."""

    __tablename__ = "tours"
    __table_args__ = (
        Index(
            "uq_tours_one_active",
            "team_id",
            "employee_id",
            unique=True,
            sqlite_where=text("status = 'active'"),
            postgresql_where=text("status = 'active'"),
        ),
        Index(
            "uq_tours_one_open",
            "team_id",
            "employee_id",
            unique=True,
            sqlite_where=text("status IN ('proposed', 'agreed')"),
            postgresql_where=text("status IN ('proposed', 'agreed')"),
        ),
        Index("ix_tours_employee", "team_id", "employee_id", "status"),
        Index("ix_tours_manager", "team_id", "manager_id", "status"),
        Index("ix_tours_due_review", "status", "next_review_on"),
        Index("ix_tours_due_end", "status", "next_end_prompt_on"),
        Index("ix_tours_status_start", "status", "start_date"),
        Index("ix_tours_status_end", "status", "end_date"),
        Index("ix_tours_team_end", "team_id", "end_date"),  # the chart's tours ending near
        CheckConstraint("cadence_weeks IN (2, 4, 6, 12)", name="cadence_weeks"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    employee_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    manager_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    status: Mapped[TourStatus] = mapped_column(_choice(TourStatus, "tour_status"))
    awaiting: Mapped[Side | None] = mapped_column(_choice(Side, "tour_awaiting"))
    current_version_no: Mapped[int] = mapped_column(default=1)
    agreed_version_no: Mapped[int | None]
    tour_type: Mapped[TourType] = mapped_column(_choice(TourType, "tour_type"))
    start_date: Mapped[date]
    end_date: Mapped[date]
    cadence_weeks: Mapped[int]
    previous_tour_id: Mapped[int | None] = mapped_column(ForeignKey("tours.id"))
    agreed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    end_reason: Mapped[str | None] = mapped_column(String(32))
    next_review_on: Mapped[date | None]
    next_end_prompt_on: Mapped[date | None]
    end_decision: Mapped[str | None] = mapped_column(String(32))
    end_decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    end_decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    end_overdue_flagged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    inactive_flagged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    employee: Mapped[Person] = relationship(foreign_keys=[employee_id], lazy="joined")
    manager: Mapped[Person] = relationship(foreign_keys=[manager_id], lazy="joined")
    versions: Mapped[list[TourVersion]] = relationship(
        back_populates="tour", order_by="TourVersion.version_no", lazy="selectin"
    )

    @property
    def current_version(self) -> TourVersion:
        return self.versions[self.current_version_no - 1]


class TourVersion(Base):
    """One proposed version of a statement; kept for good, only acceptances are stamped on it."""

    __tablename__ = "tour_versions"
    __table_args__ = (
        UniqueConstraint("tour_id", "version_no"),
        CheckConstraint("cadence_weeks IN (2, 4, 6, 12)", name="cadence_weeks"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    tour_id: Mapped[int] = mapped_column(ForeignKey("tours.id", ondelete="CASCADE"))
    version_no: Mapped[int]
    proposed_by_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    source: Mapped[VersionSource] = mapped_column(_choice(VersionSource, "version_source"))
    tour_type: Mapped[TourType] = mapped_column(_choice(TourType, "version_tour_type"))
    start_date: Mapped[date]
    end_date: Mapped[date]
    cadence_weeks: Mapped[int]
    objective: Mapped[str | None] = mapped_column(Text, info=marked(Privacy.TEXT))
    success_company: Mapped[str | None] = mapped_column(Text, info=marked(Privacy.TEXT))
    success_employee: Mapped[str | None] = mapped_column(Text, info=marked(Privacy.TEXT))
    employee_success: Mapped[dict[str, Any] | None] = mapped_column(JSON, info=marked(Privacy.TEXT))
    employee_accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    manager_accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    tour: Mapped[Tour] = relationship(back_populates="versions")


class ValueStatement(Base):
    """One person's aspirations and values; private to them until they share it."""

    __tablename__ = "value_statements"
    __table_args__ = (UniqueConstraint("team_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    aspirations: Mapped[list[str] | None] = mapped_column(JSON, info=marked(Privacy.TEXT))
    core_values: Mapped[list[str] | None] = mapped_column(JSON, info=marked(Privacy.TEXT))
    note_for_manager: Mapped[str | None] = mapped_column(Text, info=marked(Privacy.TEXT))
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ValueShare(Base):
    """Who may read a person's value statement besides them."""

    __tablename__ = "value_shares"
    __table_args__ = (
        UniqueConstraint("owner_id", "viewer_id"),
        Index("ix_value_shares_viewer", "team_id", "viewer_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    owner_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    viewer_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    shared_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Conversation(Base):
    """A persisted DM conversation: one row per person and flow, so a restart loses nothing."""

    __tablename__ = "conversations"
    __table_args__ = (
        UniqueConstraint("team_id", "person_id", "flow"),
        Index(
            "uq_conversations_one_live",
            "team_id",
            "person_id",
            unique=True,
            sqlite_where=text("expires_at IS NOT NULL"),
            postgresql_where=text("expires_at IS NOT NULL"),
        ),
        Index("ix_conversations_expires_at", "expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    flow: Mapped[FlowName] = mapped_column(_choice(FlowName, "conversation_flow"))
    state: Mapped[str] = mapped_column(String(32))
    step_index: Mapped[int] = mapped_column(default=0)
    answers: Mapped[dict[str, Any] | None] = mapped_column(JSON, info=marked(Privacy.TEXT))
    context: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    channel_id: Mapped[str | None] = mapped_column(String(32))
    revision: Mapped[int] = mapped_column(default=0)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Inbox(Base):
    """A request Slack was told is handled (acked) whose work after the ack is not done yet.

    Recorded before the ack by the process that received it (`claimed_by`), deleted when the
    work ends; a row whose process died is done again, once, by another (services/inbox.py).
    """

    __tablename__ = "inbox"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(32), info=marked(Privacy.IDENTIFIER))
    kind: Mapped[str] = mapped_column(String(64))
    body: Mapped[dict[str, Any]] = mapped_column(JSON, info=marked(Privacy.TEXT))
    claimed_by: Mapped[str] = mapped_column(String(64), index=True)
    attempts: Mapped[int] = mapped_column(default=1)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Outbox(Base):
    """A message the bot sends on its own initiative, delivered exactly once however it fails.

    Planning inserts one row per (purpose, subject, occurrence), so planning twice is harmless;
    delivery claims rows, sends, and records where the message landed.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("team_id", "purpose", "subject", "occurrence", name="uq_outbox_key"),
        Index("ix_outbox_next_attempt_at", "next_attempt_at"),
        Index("ix_outbox_recipient_status", "recipient_id", "status"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    purpose: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(64))
    occurrence: Mapped[str] = mapped_column(String(32))
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    target: Mapped[str] = mapped_column(String(32), info=marked(Privacy.IDENTIFIER))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[OutboxStatus] = mapped_column(_choice(OutboxStatus, "outbox_status"))
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    slack_channel: Mapped[str | None] = mapped_column(String(32))
    slack_ts: Mapped[str | None] = mapped_column(String(32))
    last_error: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AlignmentReview(Base):
    """One review of one tour: both sides answer, then both get the summary."""

    __tablename__ = "alignment_reviews"
    __table_args__ = (
        UniqueConstraint("tour_id", "occurrence"),
        Index("ix_alignment_reviews_status_closes_on", "status", "closes_on"),
        Index("ix_alignment_reviews_team_due_on", "team_id", "due_on"),
        # The leadership digest's reads: answered in its week, still open, closed in each of
        # the chart's weeks (with what is counted of them, so that the table is not read).
        Index("ix_alignment_reviews_team_answered_at", "team_id", "answered_at"),
        Index(
            "ix_alignment_reviews_team_closed_at", "team_id", "closed_at", "tour_id", "answered_at"
        ),
        Index("ix_alignment_reviews_team_status", "team_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    tour_id: Mapped[int] = mapped_column(ForeignKey("tours.id"))
    occurrence: Mapped[int]
    kind: Mapped[ReviewKind] = mapped_column(_choice(ReviewKind, "review_kind"))
    due_on: Mapped[date]
    closes_on: Mapped[date]
    status: Mapped[ReviewStatus] = mapped_column(_choice(ReviewStatus, "review_status"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    progress_gap: Mapped[bool] = mapped_column(default=False)
    alignment_gap: Mapped[bool] = mapped_column(default=False)
    gap_flagged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    tour: Mapped[Tour] = relationship(lazy="joined")
    responses: Mapped[list[ReviewResponse]] = relationship(
        back_populates="review", order_by="ReviewResponse.side", lazy="selectin"
    )


class ReviewResponse(Base):
    """One side's answers to a review; reminders and snooze are tracked per side."""

    __tablename__ = "review_responses"
    __table_args__ = (
        UniqueConstraint("review_id", "side"),
        Index("ix_review_responses_next_nudge_at", "next_nudge_at"),
        Index("ix_review_responses_respondent_answered", "respondent_id", "answered_at"),
        # Whether a side of a review was escalated (the leadership digest), from the few that were.
        Index(
            "ix_review_responses_escalated",
            "review_id",
            sqlite_where=text("escalated_at IS NOT NULL"),
            postgresql_where=text("escalated_at IS NOT NULL"),
        ),
        CheckConstraint("alignment BETWEEN 1 AND 5", name="alignment"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    review_id: Mapped[int] = mapped_column(ForeignKey("alignment_reviews.id", ondelete="CASCADE"))
    side: Mapped[Side] = mapped_column(_choice(Side, "review_side"))
    respondent_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    progress: Mapped[Progress | None] = mapped_column(_choice(Progress, "review_progress"))
    alignment: Mapped[int | None]
    to_address: Mapped[str | None] = mapped_column(Text, info=marked(Privacy.TEXT))
    learned: Mapped[str | None] = mapped_column(Text, info=marked(Privacy.TEXT))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    prompted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    snoozed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    next_nudge_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    review: Mapped[AlignmentReview] = relationship(back_populates="responses")
    respondent: Mapped[Person] = relationship(lazy="joined")


class AwayPeriod(Base):
    """A person is away: no prompts reach them, and their schedule shifts past the period."""

    __tablename__ = "away_periods"
    __table_args__ = (
        Index("ix_away_periods_person_ends_on", "person_id", "ends_on"),
        CheckConstraint("ends_on >= starts_on", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    starts_on: Mapped[date]
    ends_on: Mapped[date]  # inclusive: the person is back the day after
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Gap(Base):
    """A topic to talk about, shown at each review of its tour until one side resolves it."""

    __tablename__ = "gaps"
    __table_args__ = (
        UniqueConstraint("raised_in_review_id", "kind"),
        Index("ix_gaps_tour_resolved", "tour_id", "resolved_at"),
        Index("ix_gaps_team_kind_resolved", "team_id", "kind", "resolved_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    tour_id: Mapped[int] = mapped_column(ForeignKey("tours.id"))
    kind: Mapped[GapKind] = mapped_column(_choice(GapKind, "gap_kind"))
    label: Mapped[str | None] = mapped_column(Text, info=marked(Privacy.TEXT))
    raised_in_review_id: Mapped[int | None] = mapped_column(ForeignKey("alignment_reviews.id"))
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Offboarding(Base):
    """A person's departure, and the alumni invitation that goes with leaving in good standing."""

    __tablename__ = "offboardings"
    __table_args__ = (
        Index(
            "uq_offboardings_one_open",
            "team_id",
            "person_id",
            unique=True,
            sqlite_where=text("status IN ('scheduled', 'invited')"),
            postgresql_where=text("status IN ('scheduled', 'invited')"),
        ),
        Index("ix_offboardings_status_last_day", "status", "last_day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    tour_id: Mapped[int | None] = mapped_column(ForeignKey("tours.id"))
    last_day: Mapped[date]
    good_standing: Mapped[bool]
    personal_email: Mapped[str | None] = mapped_column(String(254), info=marked(Privacy.IDENTIFIER))
    directory_line: Mapped[str | None] = mapped_column(Text, info=marked(Privacy.TEXT))
    status: Mapped[OffboardingStatus] = mapped_column(
        _choice(OffboardingStatus, "offboarding_status")
    )
    invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    join_method: Mapped[JoinMethod | None] = mapped_column(_choice(JoinMethod, "join_method"))
    join_error: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    person: Mapped[Person] = relationship(foreign_keys=[person_id], lazy="joined")


class AlumniProfile(Base):
    """An alumni directory entry: each field shows only when filled in and `listed`."""

    __tablename__ = "alumni_profiles"
    __table_args__ = (
        UniqueConstraint("team_id", "person_id"),
        Index("ix_alumni_profiles_team_listed", "team_id", "listed"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    offboarding_id: Mapped[int | None] = mapped_column(ForeignKey("offboardings.id"))
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime())
    listed: Mapped[bool] = mapped_column(default=False)
    current_role: Mapped[str | None] = mapped_column(Text, info=marked(Privacy.TEXT))
    expertise: Mapped[str | None] = mapped_column(Text, info=marked(Privacy.TEXT))
    directory_line: Mapped[str | None] = mapped_column(Text, info=marked(Privacy.TEXT))
    open_to_consulting: Mapped[bool | None]
    open_to_returning: Mapped[bool | None]
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Opportunity(Base):
    """A consulting project, position, event or request offered to the alumni."""

    __tablename__ = "opportunities"
    __table_args__ = (
        Index("ix_opportunities_status_closes_on", "status", "closes_on"),
        Index("ix_opportunities_team_poster", "team_id", "posted_by_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    posted_by_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    kind: Mapped[OpportunityKind] = mapped_column(_choice(OpportunityKind, "opportunity_kind"))
    title: Mapped[str | None] = mapped_column(String(150), info=marked(Privacy.TEXT))
    description: Mapped[str | None] = mapped_column(Text, info=marked(Privacy.TEXT))
    link: Mapped[str | None] = mapped_column(String(2048), info=marked(Privacy.TEXT))
    contact: Mapped[str | None] = mapped_column(String(255), info=marked(Privacy.IDENTIFIER))
    closes_on: Mapped[date | None]
    status: Mapped[OpportunityStatus] = mapped_column(
        _choice(OpportunityStatus, "opportunity_status")
    )
    slack_channel: Mapped[str | None] = mapped_column(String(32))
    slack_ts: Mapped[str | None] = mapped_column(String(32), info=marked(Privacy.IDENTIFIER))
    posted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    poster: Mapped[Person] = relationship(lazy="joined")


class OpportunityInterest(Base):
    """One "I'm interested" per person per opportunity: a second click inserts nothing."""

    __tablename__ = "opportunity_interests"
    __table_args__ = (UniqueConstraint("opportunity_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    opportunity_id: Mapped[int] = mapped_column(ForeignKey("opportunities.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class NewsItem(Base):
    """Company news queued for the alumni digest; sent once, with its month's digest."""

    __tablename__ = "news_items"
    __table_args__ = (Index("ix_news_items_team_included", "team_id", "included_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    author_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    text: Mapped[str | None] = mapped_column(Text, info=marked(Privacy.TEXT))
    digest_period: Mapped[str | None] = mapped_column(String(16))
    included_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AlumniAsk(Base):
    """An employee's question posted to the alumni channel; replies in its thread are relayed."""

    __tablename__ = "alumni_asks"
    __table_args__ = (UniqueConstraint("team_id", "slack_channel", "slack_ts"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    asker_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    question: Mapped[str | None] = mapped_column(Text, info=marked(Privacy.TEXT))
    slack_channel: Mapped[str | None] = mapped_column(String(32))
    slack_ts: Mapped[str | None] = mapped_column(String(32), info=marked(Privacy.IDENTIFIER))
    posted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    asker: Mapped[Person] = relationship(lazy="joined")


class AlumniAskAnswer(Base):
    """A reply in an ask's thread, kept to relay to the asker by DM."""

    __tablename__ = "alumni_ask_answers"
    __table_args__ = (UniqueConstraint("ask_id", "slack_ts"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    ask_id: Mapped[int] = mapped_column(ForeignKey("alumni_asks.id", ondelete="CASCADE"))
    answerer_slack_id: Mapped[str] = mapped_column(String(32), info=marked(Privacy.IDENTIFIER))
    answerer_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    text: Mapped[str | None] = mapped_column(Text, info=marked(Privacy.TEXT))
    slack_ts: Mapped[str] = mapped_column(String(32), info=marked(Privacy.IDENTIFIER))
    relayed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Learning(Base):
    """What someone learned from their network, shared in the learning channel."""

    __tablename__ = "learnings"
    __table_args__ = (Index("ix_learnings_person_created", "team_id", "person_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    text: Mapped[str | None] = mapped_column(Text, info=marked(Privacy.TEXT))
    source: Mapped[str | None] = mapped_column(Text, info=marked(Privacy.TEXT))
    link: Mapped[str | None] = mapped_column(String(2048), info=marked(Privacy.TEXT))
    expense_id: Mapped[int | None] = mapped_column(ForeignKey("expenses.id"))
    slack_channel: Mapped[str | None] = mapped_column(String(32))
    slack_ts: Mapped[str | None] = mapped_column(String(32), info=marked(Privacy.IDENTIFIER))
    posted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class GuidelineAck(Base):
    """A person confirmed the guideline on nonpublic information (this text of it)."""

    __tablename__ = "guideline_acks"
    __table_args__ = (UniqueConstraint("person_id", "guideline_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    guideline_hash: Mapped[str] = mapped_column(String(64))
    acknowledged_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class NetworkingBudget(Base):
    """A person's networking budget for one calendar year, copied from the settings when first
    needed, so a later change of settings does not rewrite past years."""

    __tablename__ = "networking_budgets"
    __table_args__ = (
        UniqueConstraint("person_id", "year"),
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        CheckConstraint("self_approval_limit_minor >= 0", name="limit_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    year: Mapped[int]
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    self_approval_limit_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Expense(Base):
    """One networking expense request against a year's budget."""

    __tablename__ = "expenses"
    __table_args__ = (
        Index("ix_expenses_budget_status", "budget_id", "status"),
        Index("ix_expenses_team_approver_status", "team_id", "approver_id", "status"),
        Index("ix_expenses_followup_due_on", "followup_due_on"),
        CheckConstraint("amount_minor > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    budget_id: Mapped[int] = mapped_column(ForeignKey("networking_budgets.id"))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    description: Mapped[str | None] = mapped_column(Text, info=marked(Privacy.TEXT))
    event_date: Mapped[date | None]
    status: Mapped[ExpenseStatus] = mapped_column(_choice(ExpenseStatus, "expense_status"))
    approver_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decline_reason: Mapped[str | None] = mapped_column(Text, info=marked(Privacy.TEXT))
    followup_due_on: Mapped[date | None]
    followup_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    person: Mapped[Person] = relationship(foreign_keys=[person_id], lazy="joined")


class LeadershipDigest(Base):
    """The figures of one scheduled leadership digest, counts only, kept so that the next
    digest can show each figure's change since this one."""

    __tablename__ = "leadership_digests"
    __table_args__ = (
        UniqueConstraint("team_id", "period_key"),
        Index("ix_leadership_digests_team_period_end", "team_id", "period_end"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    period_key: Mapped[str] = mapped_column(String(16))
    period_start: Mapped[date]
    period_end: Mapped[date]
    figures: Mapped[dict[str, Any]] = mapped_column(JSON)
    min_group_size: Mapped[int]
    generated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
