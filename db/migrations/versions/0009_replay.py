"""Replays do things once: a journal of what an unmarked update sent, and the update a
conversation's stored state came from.

Revision ID: 0009_replay
Revises: 0008_stats
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

from db.models import UtcDateTime

revision = "0009_replay"
down_revision = "0008_stats"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "update_sends",
        sa.Column("update_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("method", sa.String(64), nullable=False),
        sa.Column("chat", sa.String(64), nullable=False),
        sa.Column("fingerprint", sa.String(40), nullable=False),
        sa.Column("accepted", sa.Boolean, nullable=False),
        sa.Column("result", sa.JSON),
        sa.Column("sent_at", UtcDateTime, nullable=False),
    )
    op.add_column("fsm_states", sa.Column("applied_update_id", sa.BigInteger))


def downgrade() -> None:
    with op.batch_alter_table("fsm_states") as batch:
        batch.drop_column("applied_update_id")
    op.drop_table("update_sends")
