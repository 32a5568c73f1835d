"""SQLAlchemy tables; only db/ sees these rows, the rest of the code gets domain values."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class UtcDateTime(TypeDecorator[datetime]):
    """Stores UTC and always hands back timezone-aware datetimes, on SQLite too."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: timezone-aware datetimes only")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base shared by every table."""


class CitizenRow(Base):
    __tablename__ = "citizens"

    telegram_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    language: Mapped[str] = mapped_column(String(8))
    name: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(20))
    consent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    consent_version: Mapped[str | None] = mapped_column(String(16))  # the consent text agreed to
    blocked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    blocked_reason: Mapped[str | None] = mapped_column(String(200))
    # messages in the current flood window, counted in the database (restarts, processes)
    flood_window: Mapped[datetime | None] = mapped_column(UtcDateTime)
    flood_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class CategoryRow(Base):
    __tablename__ = "categories"

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_id: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    suggested_agency: Mapped[str | None] = mapped_column(ForeignKey("agencies.code"))


class ReportRow(Base):
    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    citizen_id: Mapped[int] = mapped_column(ForeignKey("citizens.telegram_id"), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    category_key: Mapped[str] = mapped_column(ForeignKey("categories.key"))
    description: Mapped[str] = mapped_column(Text)
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    landmark: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(Text)
    address_checked: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    verify_due: Mapped[datetime] = mapped_column(UtcDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    agency_code: Mapped[str | None] = mapped_column(ForeignKey("agencies.code"), index=True)
    finish_due: Mapped[datetime | None] = mapped_column(UtcDateTime)
    resolution_note: Mapped[str | None] = mapped_column(Text)
    rating: Mapped[int | None] = mapped_column(Integer)
    rating_comment: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)  # identity hidden
    confidential: Mapped[bool] = mapped_column(Boolean, default=False)  # report hidden
    duplicate_of: Mapped[int | None] = mapped_column(ForeignKey("reports.id"))
    anonymised_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # erasure or retention
    # the SOP clock of the step the report waits in (complaints/sla.py); NULL when none runs
    sla_step: Mapped[str | None] = mapped_column(String(16))
    sla_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    sla_remind_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    sla_escalate_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    sla_paused_seconds: Mapped[int | None] = mapped_column(Integer)  # left while RETURNED
    sla_round: Mapped[int] = mapped_column(Integer, default=0)
    # "<citizen id>:<draft id>": a replayed Send finds the report it already filed
    submission_key: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (Index("ix_reports_nearby", "category_key", "created_at"),)

    photos: Mapped[list[PhotoRow]] = relationship(
        order_by="PhotoRow.position", cascade="all, delete-orphan", lazy="selectin"
    )


class SubscriptionRow(Base):
    """A citizen following someone else's report ("me too"): they hear its notices."""

    __tablename__ = "report_subscriptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))
    citizen_id: Mapped[int] = mapped_column(ForeignKey("citizens.telegram_id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (UniqueConstraint("report_id", "citizen_id", name="uq_subscription"),
                      Index("ix_subscriptions_citizen", "citizen_id"))
Index("ux_reports_submission_key", ReportRow.submission_key, unique=True)


class PhotoRow(Base):
    __tablename__ = "report_photos"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    file_id: Mapped[str] = mapped_column(String(255))
    file_unique_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    purpose: Mapped[str] = mapped_column(String(16), default="evidence")  # or "proof"


class EventRow(Base):
    __tablename__ = "report_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(BigInteger)
    actor_role: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)


class FsmStateRow(Base):
    """aiogram conversation state, so a restart mid-wizard loses nothing."""

    __tablename__ = "fsm_states"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    state: Mapped[str | None] = mapped_column(String(255))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # the update whose handling wrote this state: a replay of it (or of an older one) is done
    applied_update_id: Mapped[int | None] = mapped_column(BigInteger)


class InboxRow(Base):
    """Every update received, recorded before Telegram is told it arrived."""

    __tablename__ = "inbox_updates"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    chat_key: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    handled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    __table_args__ = (Index("ix_inbox_pending", "handled_at", "update_id"),)


class SentInUpdateRow(Base):
    """A call an unmarked update's handlers made and Telegram accepted (db/replay.py)."""

    __tablename__ = "update_sends"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    method: Mapped[str] = mapped_column(String(64))
    chat: Mapped[str] = mapped_column(String(64))
    fingerprint: Mapped[str] = mapped_column(String(40))  # a digest of what the call said
    accepted: Mapped[bool] = mapped_column(Boolean)  # False: in flight, outcome unknown
    result: Mapped[Any] = mapped_column(JSON)
    sent_at: Mapped[datetime] = mapped_column(UtcDateTime)


class GeocodeCacheRow(Base):
    """Reverse-geocoded addresses by rounded coordinates (Nominatim asks for caching)."""

    __tablename__ = "geocode_cache"

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    address: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class AgencyRow(Base):
    __tablename__ = "agencies"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class StaffRow(Base):
    __tablename__ = "staff"

    telegram_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(16))
    agency_code: Mapped[str | None] = mapped_column(ForeignKey("agencies.code"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ChatBindingRow(Base):
    __tablename__ = "chat_bindings"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    purpose: Mapped[str] = mapped_column(String(16))
    agency_code: Mapped[str | None] = mapped_column(ForeignKey("agencies.code"))
    title: Mapped[str | None] = mapped_column(String(255))
    bound_at: Mapped[datetime] = mapped_column(UtcDateTime)


class LinkCodeRow(Base):
    __tablename__ = "link_codes"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    purpose: Mapped[str] = mapped_column(String(16))
    agency_code: Mapped[str | None] = mapped_column(ForeignKey("agencies.code"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    used_by: Mapped[int | None] = mapped_column(BigInteger)
    chat_id: Mapped[int | None] = mapped_column(BigInteger)


class OutboxRow(Base):
    """A message a transition caused, written in the same transaction, sent by the worker."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(32))
    target: Mapped[str] = mapped_column(String(16))
    target_ref: Mapped[str | None] = mapped_column(String(32))
    # NULL for notices about no one report (the escalation list, the daily digest)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    chat_id: Mapped[int | None] = mapped_column(BigInteger)  # where it went, once resolved

    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),
                      Index("ix_outbox_chat", "chat_id", "status"))


class UnreachableChatRow(Base):
    """A bound staff chat the bot cannot send to (removed, chat deleted, rights lost)."""

    __tablename__ = "unreachable_chats"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    purpose: Mapped[str] = mapped_column(String(16))
    agency_code: Mapped[str | None] = mapped_column(String(16))
    since: Mapped[datetime] = mapped_column(UtcDateTime)
    error: Mapped[str | None] = mapped_column(Text)


class DeliveryAlertRow(Base):
    """When the superadmins last heard about failed rows of a chat (at most hourly)."""

    __tablename__ = "delivery_alerts"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    alerted_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ReportCardRow(Base):
    """Where a report's card was posted, so it can be edited in place later."""

    __tablename__ = "report_cards"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"),
                                           index=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(32))
    has_photo: Mapped[bool] = mapped_column(Boolean, default=False)


class PendingInputRow(Base):
    """A ForceReply question to one staff member (a reason, a proof photo) awaiting the reply."""

    __tablename__ = "pending_inputs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    prompt_message_id: Mapped[int | None] = mapped_column(BigInteger)
    user_id: Mapped[int] = mapped_column(BigInteger)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class SlaNoticeRow(Base):
    """A deadline notice already caused: at most one per report, step, kind and round, written
    in the transaction that writes its outbox row, so several processes never send it twice."""

    __tablename__ = "sla_notices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))
    step: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))
    round: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (UniqueConstraint("report_id", "step", "kind", "round",
                                       name="uq_sla_notices_once"),)


class DigestRow(Base):
    """A daily digest already caused, by its local day: one per day whatever runs."""

    __tablename__ = "sla_digests"

    day: Mapped[str] = mapped_column(String(10), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
class ReportStepRow(Base):
    """One SOP wait of a report (complaints/stats.py), read from the audit events."""

    __tablename__ = "report_steps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"),
                                           index=True)
    report_created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    step: Mapped[str] = mapped_column(String(16))
    agency_code: Mapped[str | None] = mapped_column(String(16))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    seconds: Mapped[int | None] = mapped_column(Integer)
    bucket: Mapped[int | None] = mapped_column(Integer)
    within: Mapped[bool | None] = mapped_column(Boolean)

    __table_args__ = (
        Index("ix_report_steps_period", "report_created_at", "step", "agency_code", "bucket",
              "within"),
        Index("ix_report_steps_open", "ended_at", "due_at"),
    )


class StatsMonthRow(Base):
    """Ended steps' durations by the local month their report came in: a year reads 12 months."""

    __tablename__ = "stats_month"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    step: Mapped[str] = mapped_column(String(16), primary_key=True)
    # '' for the admin's own steps, '*' for every step of the month (city-wide reads)
    agency_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    bucket: Mapped[int] = mapped_column(Integer, primary_key=True)
    n: Mapped[int] = mapped_column(Integer)


class StatsMonthWithinRow(Base):
    """Ended steps kept within their standard or not, by month, step and agency."""

    __tablename__ = "stats_month_within"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    step: Mapped[str] = mapped_column(String(16), primary_key=True)
    agency_code: Mapped[str] = mapped_column(String(16), primary_key=True)  # '' for the admin
    within: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    n: Mapped[int] = mapped_column(Integer)


class StatsProgressRow(Base):
    """How far the step spans have read the audit events."""

    __tablename__ = "stats_progress"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    last_event_id: Mapped[int] = mapped_column(Integer)


# /rekap's counts read a period's reports from this index alone (migration 0008_stats)
Index("ix_reports_period", ReportRow.created_at, ReportRow.status, ReportRow.category_key,
      ReportRow.agency_code, ReportRow.rating)
