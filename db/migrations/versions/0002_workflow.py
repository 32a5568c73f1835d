"""Staff workflow: agencies (seeded), staff, chat bindings, link codes, outbox, cards, inputs.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

from db.models import UtcDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Kota Tarakan agencies the issue starts with; editable with `lapor-admin agency`.
AGENCIES = [
    ("PUPR", "Dinas Pekerjaan Umum dan Penataan Ruang"),
    ("DLH", "Dinas Lingkungan Hidup"),
    ("DISHUB", "Dinas Perhubungan"),
    ("DINKES", "Dinas Kesehatan"),
    ("DISDIK", "Dinas Pendidikan"),
    ("SATPOLPP", "Satuan Polisi Pamong Praja"),
    ("DISDUKCAPIL", "Dinas Kependudukan dan Pencatatan Sipil"),
    ("BPBD", "Badan Penanggulangan Bencana Daerah"),
    ("DISPERKIM", "Dinas Perumahan dan Kawasan Permukiman"),
    ("PDAM", "Perumda Air Minum Tirta Alam"),
    ("DKISP", "Dinas Komunikasi, Informatika, Statistik dan Persandian"),
]
# category -> suggested agency (editable with `lapor-admin category suggest`)
SUGGESTED = {
    "roads": "PUPR", "drainage": "PUPR", "waste": "DLH", "lighting": "DISPERKIM",
    "water": "PDAM", "health": "DINKES", "education": "DISDIK", "order": "SATPOLPP",
    "population": "DISDUKCAPIL", "transport": "DISHUB", "disaster": "BPBD", "other": None,
}


def upgrade() -> None:
    agencies = op.create_table(
        "agencies",
        sa.Column("code", sa.String(16), primary_key=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    )
    op.bulk_insert(agencies, [{"code": c, "name": n, "active": True} for c, n in AGENCIES])
    with op.batch_alter_table("categories") as batch:
        batch.add_column(sa.Column("suggested_agency", sa.String(16)))
        batch.create_foreign_key("fk_categories_agency", "agencies", ["suggested_agency"],
                                 ["code"])
    categories = sa.table("categories", sa.column("key", sa.String),
                          sa.column("suggested_agency", sa.String))
    for key, agency in SUGGESTED.items():
        op.execute(categories.update().where(categories.c.key == key)
                   .values(suggested_agency=agency))
    with op.batch_alter_table("reports") as batch:
        batch.add_column(sa.Column("agency_code", sa.String(16)))
        batch.add_column(sa.Column("finish_due", UtcDateTime))
        batch.add_column(sa.Column("resolution_note", sa.Text))
        batch.add_column(sa.Column("rating", sa.Integer))
        batch.add_column(sa.Column("rating_comment", sa.Text))
        batch.add_column(sa.Column("closed_at", UtcDateTime))
        batch.create_foreign_key("fk_reports_agency", "agencies", ["agency_code"], ["code"])
        batch.create_index("ix_reports_agency_code", ["agency_code"])
    with op.batch_alter_table("report_photos") as batch:
        batch.add_column(sa.Column("purpose", sa.String(16), nullable=False,
                                   server_default="evidence"))
    op.create_table(
        "staff",
        sa.Column("telegram_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("agency_code", sa.String(16), sa.ForeignKey("agencies.code")),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("created_at", UtcDateTime, nullable=False),
    )
    op.create_table(
        "chat_bindings",
        sa.Column("chat_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("purpose", sa.String(16), nullable=False),
        sa.Column("agency_code", sa.String(16), sa.ForeignKey("agencies.code")),
        sa.Column("title", sa.String(255)),
        sa.Column("bound_at", UtcDateTime, nullable=False),
    )
    op.create_table(
        "link_codes",
        sa.Column("code", sa.String(16), primary_key=True),
        sa.Column("purpose", sa.String(16), nullable=False),
        sa.Column("agency_code", sa.String(16), sa.ForeignKey("agencies.code")),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("expires_at", UtcDateTime, nullable=False),
        sa.Column("used_at", UtcDateTime),
        sa.Column("used_by", sa.BigInteger),
        sa.Column("chat_id", sa.BigInteger),
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("target", sa.String(16), nullable=False),
        sa.Column("target_ref", sa.String(32)),
        sa.Column("report_id", sa.Integer, sa.ForeignKey("reports.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("params", sa.JSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="pending"),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_attempt_at", UtcDateTime, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("sent_at", UtcDateTime),
        sa.Column("last_error", sa.Text),
    )
    op.create_index("ix_outbox_due", "outbox", ["status", "next_attempt_at"])
    op.create_table(
        "report_cards",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("report_id", sa.Integer, sa.ForeignKey("reports.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("chat_id", sa.BigInteger, nullable=False),
        sa.Column("message_id", sa.BigInteger, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("has_photo", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.create_table(
        "pending_inputs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("chat_id", sa.BigInteger, nullable=False),
        sa.Column("prompt_message_id", sa.BigInteger),
        sa.Column("user_id", sa.BigInteger, nullable=False),
        sa.Column("report_id", sa.Integer, sa.ForeignKey("reports.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
    )


def downgrade() -> None:
    for table in ("pending_inputs", "report_cards", "outbox", "link_codes", "chat_bindings",
                  "staff"):
        op.drop_table(table)
    with op.batch_alter_table("report_photos") as batch:
        batch.drop_column("purpose")
    with op.batch_alter_table("reports") as batch:
        batch.drop_index("ix_reports_agency_code")
        batch.drop_constraint("fk_reports_agency", type_="foreignkey")
        for column in ("closed_at", "rating_comment", "rating", "resolution_note", "finish_due",
                       "agency_code"):
            batch.drop_column(column)
    with op.batch_alter_table("categories") as batch:
        batch.drop_constraint("fk_categories_agency", type_="foreignkey")
        batch.drop_column("suggested_agency")
    op.drop_table("agencies")
