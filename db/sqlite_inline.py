"""SQLite for SQLAlchemy's asyncio engine, run inline on the event loop instead of in a thread.

aiosqlite gives every connection a thread and sends each DBAPI call there and back: SQLAlchemy
makes about sixteen such calls for a one-query transaction (cursor, execute, fetch, close,
BEGIN, COMMIT), each a thread wake-up, a self-pipe write and a loop iteration: about 40 µs of
CPU a hop, 0.7 ms a transaction. The SQLite calls themselves take microseconds on a local file,
so this dialect makes them directly inside SQLAlchemy's greenlet: a transaction costs less than
half (0.3 ms).

What must never happen on the loop is waiting for a lock. Every transaction starts with
BEGIN IMMEDIATE (the one write lock, taken up front), attempted without SQLite's busy wait;
while another connection or process holds the lock the attempt yields to the loop
(`asyncio.sleep`) and retries with a growing pause, until `busy_timeout` seconds have passed.
Inside a transaction the lock is already held, so a statement waits at most
`INNER_BUSY_TIMEOUT_MS` (a WAL checkpoint, a reader opening the file).
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from typing import Any

from sqlalchemy import pool
from sqlalchemy.dialects import registry
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
from sqlalchemy.engine import URL
from sqlalchemy.util import await_

DRIVER = "inline"
INNER_BUSY_TIMEOUT_MS = 200
FIRST_PAUSE, LONGEST_PAUSE = 0.001, 0.05  # seconds between BEGIN IMMEDIATE attempts


class SQLiteDialectInline(SQLiteDialect_pysqlite):
    """The standard sqlite3 driver, declared asyncio-ready for `create_async_engine`."""

    driver = DRIVER
    is_async = True
    supports_statement_cache = True

    def __init__(self, busy_timeout: float = 30.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.busy_timeout = busy_timeout

    @classmethod
    def get_pool_class(cls, url: URL) -> type[pool.Pool]:
        """An asyncio-aware pool (checkout waits yield to the loop); one connection in memory."""
        return pool.AsyncAdaptedQueuePool if cls._is_url_file_db(url) else pool.StaticPool

    def do_begin(self, dbapi_connection: Any) -> None:
        """BEGIN IMMEDIATE, waiting for the write lock without blocking the loop."""
        begin_immediate(dbapi_connection, self.busy_timeout)

    def do_execute(self, cursor: Any, statement: str, parameters: Any,
                   context: Any = None) -> None:
        _async_step()
        super().do_execute(cursor, statement, parameters, context)

    def do_execute_no_params(self, cursor: Any, statement: str, context: Any = None) -> None:
        _async_step()
        super().do_execute_no_params(cursor, statement, context)

    def do_executemany(self, cursor: Any, statement: str, parameters: Any,
                       context: Any = None) -> None:
        _async_step()
        super().do_executemany(cursor, statement, parameters, context)


registry.register(f"sqlite.{DRIVER}", __name__, "SQLiteDialectInline")


class InlineCursor(sqlite3.Cursor):
    """A sqlite3 cursor with the one coroutine SQLAlchemy's asyncio results call on it."""

    async def _async_soft_close(self) -> None:
        """Rows stay on the cursor: fetching them later is as cheap as buffering now."""


class InlineConnection(sqlite3.Connection):
    """A sqlite3 connection whose cursors are `InlineCursor`s."""

    def cursor(self, factory: Any = InlineCursor) -> sqlite3.Cursor:  # type: ignore[override]
        return super().cursor(factory)


# Connections are used on the loop's thread only; the pool may still close one elsewhere
# (garbage collection at shutdown), which sqlite3 would refuse by default. Opening a
# connection waits for a lock no longer than a statement does (sqlite3's default is 5 s).
CONNECT_ARGS = {"factory": InlineConnection, "check_same_thread": False,
                "timeout": INNER_BUSY_TIMEOUT_MS / 1000}


async def _proceed() -> None:
    """An awaitable that completes at once: lets the greenlet report a (free) async step."""


def _is_busy(error: sqlite3.OperationalError) -> bool:
    return error.sqlite_errorname in ("SQLITE_BUSY", "SQLITE_LOCKED")


def begin_immediate(dbapi_connection: sqlite3.Connection, busy_timeout: float) -> None:
    """Take the write lock, yielding to the event loop while someone else holds it."""
    deadline = time.monotonic() + busy_timeout
    pause = FIRST_PAUSE
    dbapi_connection.execute("PRAGMA busy_timeout=0")
    try:
        while True:
            try:
                dbapi_connection.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                if not _is_busy(error) or time.monotonic() + pause > deadline:
                    raise
            await_(asyncio.sleep(pause))
            pause = min(pause * 2, LONGEST_PAUSE)
    finally:
        dbapi_connection.execute(f"PRAGMA busy_timeout={INNER_BUSY_TIMEOUT_MS}")


def _async_step() -> None:
    """AsyncConnection.execute insists that the driver awaited something: two greenlet switches,
    no loop iteration."""
    await_(_proceed())
