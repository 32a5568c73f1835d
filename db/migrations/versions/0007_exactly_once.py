"""Exactly-once submission: a report remembers the draft it was filed from.

Revision ID: 0007_exactly_once
Revises: 0006_deadlines
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_exactly_once"
down_revision = "0006_deadlines"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable: reports filed before this revision (or from the CLI) have no draft key.
    op.add_column("reports", sa.Column("submission_key", sa.String(64)))
    op.create_index("ux_reports_submission_key", "reports", ["submission_key"], unique=True)


def downgrade() -> None:
    op.drop_index("ux_reports_submission_key", table_name="reports")
    with op.batch_alter_table("reports") as batch:
        batch.drop_column("submission_key")
