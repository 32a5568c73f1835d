"""Deadlines: the SOP clock of each report's current step, notices sent once, daily digests.

Existing open reports get their clocks here, computed by the domain's rules (complaints/sla.py)
with the SOP's default standards and the TIMEZONE, CALENDAR_DAYS and EXTRA_HOLIDAYS of the
environment: verify from the stored verify_due, the agency's start from its last forwarding,
its finish from the stored finish_due, documentation from the proof, and a RETURNED report's
time left paused.

Revision ID: 0006_deadlines
Revises: 0005_delivery
Create Date: 2026-12-01
"""

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

from complaints.calendar import WorkingCalendar, parse_days
from complaints.sla import SlaPolicy, Step
from db.models import UtcDateTime

revision = "0006_deadlines"
down_revision = "0005_delivery"
branch_labels = None
depends_on = None

CLOCK_COLUMNS = ("sla_step", "sla_due_at", "sla_remind_at", "sla_escalate_at",
                 "sla_paused_seconds", "sla_round")


def _calendar() -> WorkingCalendar:
    """The bot's calendar as its environment configures it (db/ cannot read its settings)."""
    extra = os.environ.get("EXTRA_HOLIDAYS", "").strip()
    if extra and Path(extra).is_file():
        extra = Path(extra).read_text(encoding="utf-8")
    return WorkingCalendar(ZoneInfo(os.environ.get("TIMEZONE", "Asia/Makassar")),
                           calendar_days=os.environ.get("CALENDAR_DAYS", "").lower()
                           in ("1", "true", "yes", "on"),
                           extra_holidays=parse_days(extra))


def _aware(value: datetime | None) -> datetime | None:
    """MAX() over a column loses its type on SQLite: make it aware again."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def upgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        batch.add_column(sa.Column("sla_step", sa.String(16)))
        batch.add_column(sa.Column("sla_due_at", UtcDateTime))
        batch.add_column(sa.Column("sla_remind_at", UtcDateTime))
        batch.add_column(sa.Column("sla_escalate_at", UtcDateTime))
        batch.add_column(sa.Column("sla_paused_seconds", sa.Integer))
        batch.add_column(sa.Column("sla_round", sa.Integer, nullable=False, server_default="0"))
        for column in ("sla_due_at", "sla_remind_at", "sla_escalate_at"):
            batch.create_index(f"ix_reports_{column}", [column])
    with op.batch_alter_table("outbox") as batch:
        batch.alter_column("report_id", existing_type=sa.Integer, nullable=True)
    op.create_table(
        "sla_notices",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("report_id", sa.Integer, sa.ForeignKey("reports.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("step", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("round", sa.Integer, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.UniqueConstraint("report_id", "step", "kind", "round", name="uq_sla_notices_once"),
    )
    op.create_table(
        "sla_digests",
        sa.Column("day", sa.String(10), primary_key=True),
        sa.Column("created_at", UtcDateTime, nullable=False),
    )
    _backfill()


REPORTS = sa.table(
    "reports", sa.column("id", sa.Integer), sa.column("status", sa.String),
    sa.column("updated_at", UtcDateTime), sa.column("verify_due", UtcDateTime),
    sa.column("finish_due", UtcDateTime), sa.column("sla_step", sa.String),
    sa.column("sla_due_at", UtcDateTime), sa.column("sla_remind_at", UtcDateTime),
    sa.column("sla_escalate_at", UtcDateTime), sa.column("sla_paused_seconds", sa.Integer),
    sa.column("sla_round", sa.Integer))
EVENTS = sa.table("report_events", sa.column("report_id", sa.Integer),
                  sa.column("action", sa.String), sa.column("at", UtcDateTime))
WAITING = ("submitted", "returned", "forwarded", "in_progress", "resolved")


def _backfill() -> None:
    """Clocks for the reports that wait in a step when this migration runs (typed columns, so
    SQLite stores the times as SQLAlchemy does everywhere else)."""
    bind = op.get_bind()
    calendar, policy = _calendar(), SlaPolicy()
    forwarded_at: dict[int, datetime] = dict(bind.execute(  # type: ignore[arg-type]
        sa.select(EVENTS.c.report_id, sa.func.max(EVENTS.c.at))
        .where(EVENTS.c.action.in_(("forward", "reassign")))
        .group_by(EVENTS.c.report_id)).all())
    rows = bind.execute(sa.select(REPORTS.c.id, REPORTS.c.status, REPORTS.c.updated_at,
                                  REPORTS.c.verify_due, REPORTS.c.finish_due)
                        .where(REPORTS.c.status.in_(WAITING))).all()
    for report_id, status, updated, verify, finish in rows:
        step, due, paused = Step.VERIFY, verify, None
        if status == "returned":
            left = calendar.working_time(updated, verify) if verify else timedelta(0)
            due, paused = None, int(left.total_seconds())
        elif status == "forwarded":
            start = _aware(forwarded_at.get(report_id)) or updated
            step, due = Step.AGENCY_START, policy.due(Step.AGENCY_START, start, calendar)
        elif status == "in_progress":
            step, due = Step.AGENCY_FINISH, finish
        elif status == "resolved":
            step, due = Step.DOCUMENT, policy.due(Step.DOCUMENT, updated, calendar)
        bind.execute(REPORTS.update().where(REPORTS.c.id == report_id).values(
            sla_step=step.value, sla_due_at=due, sla_paused_seconds=paused, sla_round=1,
            sla_remind_at=policy.remind_at(step, due, calendar) if due else None,
            sla_escalate_at=policy.escalate_at(due, calendar) if due else None))


def downgrade() -> None:
    op.drop_table("sla_digests")
    op.drop_table("sla_notices")
    op.execute("DELETE FROM outbox WHERE report_id IS NULL")
    with op.batch_alter_table("outbox") as batch:
        batch.alter_column("report_id", existing_type=sa.Integer, nullable=False)
    with op.batch_alter_table("reports") as batch:
        for column in ("sla_due_at", "sla_remind_at", "sla_escalate_at"):
            batch.drop_index(f"ix_reports_{column}")
        for column in reversed(CLOCK_COLUMNS):
            batch.drop_column(column)
