"""Staff chats that cannot be reached, the chat each outbox row went to, alert throttling.

Revision ID: 0005_delivery
Revises: 0004_privacy
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

from db.models import UtcDateTime

revision = "0005_delivery"
down_revision = "0004_privacy"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("chat_id", sa.BigInteger))
        batch.create_index("ix_outbox_chat", ["chat_id", "status"])
    op.create_table(
        "unreachable_chats",
        sa.Column("chat_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("purpose", sa.String(16), nullable=False),
        sa.Column("agency_code", sa.String(16)),
        sa.Column("since", UtcDateTime, nullable=False),
        sa.Column("error", sa.Text),
    )
    op.create_table(
        "delivery_alerts",
        sa.Column("chat_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("alerted_at", UtcDateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("delivery_alerts")
    op.drop_table("unreachable_chats")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_index("ix_outbox_chat")
        batch.drop_column("chat_id")
