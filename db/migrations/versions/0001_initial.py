"""Citizens, categories (seeded), reports with photos and events, FSM state, update inbox.

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

from db.models import UtcDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# The starting list from the issue; editable later (admin CLI), order is display order.
CATEGORIES = [
    ("roads", "Jalan dan jembatan", "Roads and bridges"),
    ("drainage", "Drainase dan banjir", "Drainage and flooding"),
    ("waste", "Sampah", "Waste"),
    ("lighting", "Penerangan jalan", "Street lighting"),
    ("water", "Air bersih", "Clean water"),
    ("health", "Kesehatan", "Health"),
    ("education", "Pendidikan", "Education"),
    ("order", "Ketertiban umum", "Public order"),
    ("population", "Administrasi kependudukan", "Population administration"),
    ("transport", "Perhubungan", "Transport"),
    ("disaster", "Bencana", "Disaster"),
    ("other", "Lainnya", "Other"),
]


def upgrade() -> None:
    op.create_table(
        "citizens",
        sa.Column("telegram_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("name", sa.String(100)),
        sa.Column("phone", sa.String(20)),
        sa.Column("consent_at", UtcDateTime),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
    )
    categories = op.create_table(
        "categories",
        sa.Column("key", sa.String(32), primary_key=True),
        sa.Column("name_id", sa.String(64), nullable=False),
        sa.Column("name_en", sa.String(64), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    )
    op.bulk_insert(categories, [
        {"key": k, "name_id": i, "name_en": e, "position": n, "active": True}
        for n, (k, i, e) in enumerate(CATEGORIES)
    ])
    op.create_table(
        "reports",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("code", sa.String(16), nullable=False, unique=True),
        sa.Column("citizen_id", sa.BigInteger, sa.ForeignKey("citizens.telegram_id"),
                  nullable=False, index=True),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("category_key", sa.String(32), sa.ForeignKey("categories.key"), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("latitude", sa.Float, nullable=False),
        sa.Column("longitude", sa.Float, nullable=False),
        sa.Column("landmark", sa.String(200)),
        sa.Column("address", sa.Text),
        sa.Column("address_checked", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
        sa.Column("verify_due", UtcDateTime, nullable=False),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.Column("revision", sa.Integer, nullable=False, server_default="1"),
    )
    op.create_table(
        "report_photos",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("report_id", sa.Integer, sa.ForeignKey("reports.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("file_id", sa.String(255), nullable=False),
        sa.Column("file_unique_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
    )
    op.create_table(
        "report_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("report_id", sa.Integer, sa.ForeignKey("reports.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("at", UtcDateTime, nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("from_status", sa.String(16)),
        sa.Column("to_status", sa.String(16), nullable=False),
        sa.Column("actor_id", sa.BigInteger),
        sa.Column("actor_role", sa.String(16), nullable=False),
        sa.Column("note", sa.Text),
    )
    op.create_table(
        "fsm_states",
        sa.Column("key", sa.String(255), primary_key=True),
        sa.Column("state", sa.String(255)),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
    )
    op.create_table(
        "inbox_updates",
        sa.Column("update_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("chat_key", sa.String(64), nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("received_at", UtcDateTime, nullable=False),
        sa.Column("handled_at", UtcDateTime),
    )
    op.create_index("ix_inbox_pending", "inbox_updates", ["handled_at", "update_id"])
    op.create_table(
        "geocode_cache",
        sa.Column("key", sa.String(32), primary_key=True),
        sa.Column("address", sa.Text),
        sa.Column("created_at", UtcDateTime, nullable=False),
    )


def downgrade() -> None:
    for table in ("geocode_cache", "inbox_updates", "fsm_states", "report_events",
                  "report_photos", "reports", "categories", "citizens"):
        op.drop_table(table)
