"""Apply Alembic migrations from code: on bot start, from `lapor-bot migrate`, and in tests.

Alembic (with Mako) is about 11 MiB a process keeps once imported, so it is imported only when
there is something to apply: a database already at the newest revision, which is what every
restart finds (and what `lapor-bot migrate` before the start leaves), is recognised by reading
the revision ids from the migration files and `alembic_version`.
"""

from __future__ import annotations

import ast
import asyncio
import re
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from db.engine import create_engine

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
_REVISION_LINE = re.compile(r"^(revision|down_revision)\s*(?::[^=]+)?=\s*(.+?)\s*$", re.MULTILINE)


def alembic_config(database_url: str) -> Config:
    """Alembic settings without an ini file: the URL comes from the bot's settings."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Bring the schema to `revision` (synchronous; Alembic runs its own event loop)."""
    from alembic import command

    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str) -> None:
    """Take the schema back to `revision`."""
    from alembic import command

    command.downgrade(alembic_config(database_url), revision)


def head_revisions() -> set[str]:
    """The newest revision id(s), read from the migration files without importing Alembic."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        for name, value in _REVISION_LINE.findall(path.read_text(encoding="utf-8")):
            parsed = ast.literal_eval(value)
            if name == "revision":
                revisions.add(parsed)
            elif parsed:
                parents.update([parsed] if isinstance(parsed, str) else parsed)
    return revisions - parents


async def is_current(database_url: str) -> bool:
    """Whether the database is already at the newest revision (False when unsure)."""
    heads = head_revisions()
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(text("SELECT version_num FROM alembic_version"))
            current = {str(row[0]) for row in rows}
    except (DBAPIError, OSError):
        return False  # no database or no alembic_version yet: let Alembic find out
    finally:
        await engine.dispose()
    return bool(heads) and current == heads


async def upgrade_async(database_url: str) -> None:
    """Upgrade if needed; Alembic runs in a worker thread, since its env starts its own loop."""
    if await is_current(database_url):
        return
    await asyncio.to_thread(upgrade, database_url)
