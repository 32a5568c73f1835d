"""SQLite backups with SQLite's online backup API, and the lock that says a bot uses the file.

The backup API copies a consistent snapshot page by page while the bot goes on writing, which a
file copy of a WAL database does not. A restore overwrites the live file, so it needs the bot
stopped: the bot holds an advisory lock on `<database>.lock` while it runs, and restore takes it.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from sqlalchemy.engine import make_url


class DatabaseInUse(Exception):
    """A bot process holds the database's lock."""


class NotABackup(Exception):
    """The file is not a SQLite database of this bot."""


def sqlite_path(url: str) -> Path | None:
    """The database file of a SQLite URL; None for any other backend or an in-memory one."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def _lock_path(database: Path) -> Path:
    return database.with_name(database.name + ".lock")


@contextlib.contextmanager
def database_lock(database: Path) -> Iterator[None]:
    """Hold the database's lock (the bot while it runs, restore while it writes)."""
    handle: IO[str] = _lock_path(database).open("a+")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise DatabaseInUse(holder) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        yield
    finally:
        handle.close()  # closing releases the lock


def backup(database: Path, destination: Path, pages_per_step: int = 1024) -> int:
    """Copy a consistent snapshot of the live database to `destination`; returns its size.

    Written to a temporary file first, so a failed backup never leaves half a file behind.
    """
    if not database.exists():
        raise FileNotFoundError(f"no database at {database}")
    partial = destination.with_name(destination.name + ".partial")
    partial.unlink(missing_ok=True)
    source = sqlite3.connect(database, timeout=30)
    try:
        target = sqlite3.connect(partial)
        try:
            source.backup(target, pages=pages_per_step)
            target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        finally:
            target.close()
    finally:
        source.close()
    check_backup(partial)
    partial.replace(destination)
    return destination.stat().st_size


def check_backup(path: Path) -> str:
    """The schema revision of a backup file; NotABackup when it is no database of ours."""
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            [(verdict,)] = connection.execute("PRAGMA quick_check").fetchall()
            [(revision,)] = connection.execute("SELECT version_num FROM alembic_version")
        finally:
            connection.close()
    except (sqlite3.Error, ValueError) as exc:
        raise NotABackup(str(exc)) from None
    if verdict != "ok":
        raise NotABackup(verdict)
    return str(revision)


def restore(source: Path, database: Path) -> str:
    """Replace the database's content with the backup's; the bot must be stopped.

    Copied with the backup API into the live file (its WAL is taken along), under the lock the
    running bot holds, so a running bot makes this fail with DatabaseInUse.
    """
    revision = check_backup(source)
    database.parent.mkdir(parents=True, exist_ok=True)
    with database_lock(database):
        backup_connection = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            target = sqlite3.connect(database, timeout=30)
            try:
                backup_connection.backup(target)
                target.execute("PRAGMA journal_mode=WAL")
            finally:
                target.close()
        finally:
            backup_connection.close()
    return revision
