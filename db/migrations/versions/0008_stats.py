"""Statistics: SOP step spans read from the audit events, their monthly histograms, an index.

Revision ID: 0008_stats
Revises: 0007_exactly_once
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

from db.models import UtcDateTime

revision = "0008_stats"
down_revision = "0007_exactly_once"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_steps",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("report_id", sa.Integer, sa.ForeignKey("reports.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("report_created_at", UtcDateTime, nullable=False),
        sa.Column("step", sa.String(16), nullable=False),
        sa.Column("agency_code", sa.String(16)),
        sa.Column("started_at", UtcDateTime, nullable=False),
        sa.Column("due_at", UtcDateTime, nullable=False),
        sa.Column("ended_at", UtcDateTime),
        sa.Column("seconds", sa.Integer),
        sa.Column("bucket", sa.Integer),
        sa.Column("within", sa.Boolean),
    )
    op.create_index("ix_report_steps_report_id", "report_steps", ["report_id"])
    op.create_index("ix_report_steps_period", "report_steps",
                    ["report_created_at", "step", "agency_code", "bucket", "within"])
    op.create_index("ix_report_steps_open", "report_steps", ["ended_at", "due_at"])
    op.create_table(
        "stats_month",
        sa.Column("month", sa.String(7), primary_key=True),
        sa.Column("step", sa.String(16), primary_key=True),
        # '' for the admin's own steps, '*' for every step of the month (city-wide reads)
        sa.Column("agency_code", sa.String(16), primary_key=True),
        sa.Column("bucket", sa.Integer, primary_key=True),
        sa.Column("n", sa.Integer, nullable=False),
    )
    op.create_table(
        "stats_month_within",
        sa.Column("month", sa.String(7), primary_key=True),
        sa.Column("step", sa.String(16), primary_key=True),
        sa.Column("agency_code", sa.String(16), primary_key=True),  # '' for the admin's steps
        sa.Column("within", sa.Boolean, primary_key=True),
        sa.Column("n", sa.Integer, nullable=False),
    )
    op.create_table(
        "stats_progress",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("last_event_id", sa.Integer, nullable=False),
    )
    op.create_index("ix_reports_period", "reports",
                    ["created_at", "status", "category_key", "agency_code", "rating"])


def downgrade() -> None:
    op.drop_index("ix_reports_period", table_name="reports")
    op.drop_table("stats_progress")
    op.drop_table("stats_month_within")
    op.drop_table("stats_month")
    op.drop_index("ix_report_steps_open", table_name="report_steps")
    op.drop_index("ix_report_steps_period", table_name="report_steps")
    op.drop_index("ix_report_steps_report_id", table_name="report_steps")
    op.drop_table("report_steps")
