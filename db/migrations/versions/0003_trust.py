"""Anonymous and confidential reports, duplicates and "me too" subscriptions (issue 10).

Revision ID: 0003_trust
Revises: 0002
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

from db.models import UtcDateTime

revision = "0003_trust"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        batch.add_column(sa.Column("anonymous", sa.Boolean, nullable=False,
                                   server_default=sa.false()))
        batch.add_column(sa.Column("confidential", sa.Boolean, nullable=False,
                                   server_default=sa.false()))
        batch.add_column(sa.Column("duplicate_of", sa.Integer))
        batch.create_foreign_key("fk_reports_duplicate_of", "reports", ["duplicate_of"], ["id"])
        batch.create_index("ix_reports_nearby", ["category_key", "created_at"])
    op.create_table(
        "report_subscriptions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("report_id", sa.Integer, sa.ForeignKey("reports.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("citizen_id", sa.BigInteger, sa.ForeignKey("citizens.telegram_id"),
                  nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.UniqueConstraint("report_id", "citizen_id", name="uq_subscription"),
    )
    op.create_index("ix_subscriptions_citizen", "report_subscriptions", ["citizen_id"])


def downgrade() -> None:
    op.drop_index("ix_subscriptions_citizen", table_name="report_subscriptions")
    op.drop_table("report_subscriptions")
    with op.batch_alter_table("reports") as batch:
        batch.drop_index("ix_reports_nearby")
        batch.drop_constraint("fk_reports_duplicate_of", type_="foreignkey")
        for column in ("duplicate_of", "confidential", "anonymous"):
            batch.drop_column(column)
