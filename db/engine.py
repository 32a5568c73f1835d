"""Async engine and session factory; SQLite gets WAL, a busy timeout, FKs and BEGIN IMMEDIATE."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from db import sqlite_inline

SQLITE_BUSY_TIMEOUT_MS = 30_000


def is_sqlite(url: str) -> bool:
    """True for the embedded default backend."""
    return make_url(url).get_backend_name() == "sqlite"


def create_engine(url: str, *, sqlite_busy_timeout: float = SQLITE_BUSY_TIMEOUT_MS / 1000,
                  **kwargs: Any) -> AsyncEngine:
    """An engine ready for concurrent handlers on either backend.

    `sqlite+inline://` (the default) runs SQLite on the event loop (db/sqlite_inline.py);
    `sqlite+aiosqlite://` gives each connection aiosqlite's thread. `sqlite_busy_timeout` is
    how many seconds a transaction waits for another writer's lock before it fails.
    """
    if not is_sqlite(url):
        kwargs.setdefault("pool_size", 10)
        kwargs.setdefault("max_overflow", 20)
        kwargs.setdefault("pool_pre_ping", True)
        return create_async_engine(url, **kwargs)
    parsed = make_url(url)
    database = parsed.database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    # Sessions always end their transaction themselves: no extra rollback on pool return.
    kwargs.setdefault("pool_reset_on_return", None)
    if parsed.get_driver_name() == "aiosqlite":
        engine = create_async_engine(url, connect_args={"timeout": sqlite_busy_timeout},
                                     **kwargs)
        event.listen(engine.sync_engine, "begin",
                     lambda connection: connection.exec_driver_sql("BEGIN IMMEDIATE"))
    else:
        engine = create_async_engine(
            parsed.set(drivername=f"sqlite+{sqlite_inline.DRIVER}"),
            connect_args=dict(sqlite_inline.CONNECT_ARGS), busy_timeout=sqlite_busy_timeout,
            **kwargs)
    _tune_sqlite(engine)
    return engine


def _tune_sqlite(engine: AsyncEngine) -> None:
    """WAL so readers never block the writer; foreign keys on.

    The busy timeout comes from the driver's `timeout` connect argument.
    """

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take over transaction control from the driver so we can say BEGIN IMMEDIATE ourselves.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded values after commit (handlers read them afterwards)."""
    return async_sessionmaker(engine, expire_on_commit=False)
