"""INSERT … ON CONFLICT for the dialect in use; PostgreSQL's is imported only when it runs.

SQLAlchemy's PostgreSQL dialect costs about 2 MiB for the whole run, so the single-process
SQLite default never loads it.
"""

from __future__ import annotations

from typing import Any


def dialect_insert(dialect: str, table: Any) -> Any:
    """`insert(table)` with `on_conflict_do_*` for "postgresql" or "sqlite"."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table)
