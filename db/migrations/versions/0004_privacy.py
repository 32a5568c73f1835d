"""Privacy and abuse controls: consent version, blocking, flood counter, anonymised reports.

Revision ID: 0004_privacy
Revises: 0003_trust
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

from db.models import UtcDateTime

revision = "0004_privacy"
down_revision = "0003_trust"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("citizens") as batch:
        batch.add_column(sa.Column("consent_version", sa.String(16)))
        batch.add_column(sa.Column("blocked_at", UtcDateTime))
        batch.add_column(sa.Column("blocked_reason", sa.String(200)))
        batch.add_column(sa.Column("flood_window", UtcDateTime))
        batch.add_column(sa.Column("flood_count", sa.Integer, nullable=False,
                                   server_default="0"))
    citizens = sa.table("citizens", sa.column("consent_at", UtcDateTime),
                        sa.column("consent_version", sa.String))
    # consents given before versions were recorded were given to the first text
    op.execute(citizens.update().where(citizens.c.consent_at.is_not(None))
               .values(consent_version="1"))
    with op.batch_alter_table("reports") as batch:
        batch.add_column(sa.Column("anonymised_at", UtcDateTime))


def downgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        batch.drop_column("anonymised_at")
    with op.batch_alter_table("citizens") as batch:
        for column in ("flood_count", "flood_window", "blocked_reason", "blocked_at",
                       "consent_version"):
            batch.drop_column(column)
