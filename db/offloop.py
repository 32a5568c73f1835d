"""Heavy reads away from the bot's event loop: their own connections, in a thread of their own.

SQLite runs inline on the bot's loop (db/sqlite_inline.py), so a query over a year of reports
would stop every conversation while it runs. Statistics run here instead: one worker thread
with its own event loop and its own engines. On SQLite reads use deferred transactions (WAL:
they never block the bot's writer) and SQLite releases the GIL while it steps, so the bot's
loop keeps the other core; the step refresh writes in short BEGIN IMMEDIATE chunks.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from complaints.calendar import WorkingCalendar
from complaints.periods import Period
from complaints.stats import Figures
from db.engine import SQLITE_BUSY_TIMEOUT_MS, create_engine, is_sqlite
from db.stats import events_pending, period_figures, refresh_steps

T = TypeVar("T")
BACKGROUND_NICENESS = 10  # on Linux the worker thread yields the CPU to the bot's loop


@dataclass
class StatsEngines:
    """A reader that never takes the write lock and a writer for the step refresh."""

    reader: AsyncEngine
    writer: AsyncEngine

    @classmethod
    def open(cls, database_url: str) -> StatsEngines:
        """Engines for the running loop; on SQLite through aiosqlite's thread, deferred reads."""
        if not is_sqlite(database_url):
            engine = create_engine(database_url, pool_size=2, max_overflow=2)
            return cls(engine, engine)
        url = make_url(database_url).set(drivername="sqlite+aiosqlite")
        timeout = {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
        reader = create_async_engine(url, connect_args=timeout, pool_size=2)
        writer = create_async_engine(url, connect_args=timeout, pool_size=1)

        @event.listens_for(reader.sync_engine, "connect")
        @event.listens_for(writer.sync_engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None  # we say BEGIN ourselves (writer only)
            dbapi_connection.execute("PRAGMA synchronous=NORMAL")  # as the bot's (WAL)

        @event.listens_for(writer.sync_engine, "begin")
        def _begin(connection: Any) -> None:
            connection.exec_driver_sql("BEGIN IMMEDIATE")

        return cls(reader, writer)

    async def refresh(self, calendar: WorkingCalendar) -> int:
        """Bring the step spans up to the newest event, one short transaction per chunk.

        Nothing new (read without a lock) takes no write lock: the bot's writers never wait.
        """
        async with self.reader.connect() as conn:
            if not await events_pending(conn):
                return 0
        total = 0
        while True:
            async with self.writer.begin() as conn:
                done = await refresh_steps(conn, calendar)
            total += done
            if not done:
                return total

    async def figures(self, period: Period, calendar: WorkingCalendar,
                      agency: str | None) -> Figures:
        """Fresh figures for a period (one agency's, if given)."""
        await self.refresh(calendar)
        async with self.reader.connect() as conn:
            return await period_figures(conn, period, calendar.timezone, agency)

    async def dispose(self) -> None:
        await self.reader.dispose()
        if self.writer is not self.reader:
            await self.writer.dispose()


class OffLoopStatistics:
    """The bot's statistics source: every call runs in the worker thread, awaited from here."""

    def __init__(self, database_url: str, calendar: WorkingCalendar) -> None:
        self._url, self._calendar = database_url, calendar
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._engines: StatsEngines | None = None

    def _start(self) -> asyncio.AbstractEventLoop:
        if self._loop is None:
            loop = asyncio.new_event_loop()
            ready = threading.Event()

            def serve() -> None:
                with contextlib.suppress(OSError, AttributeError):  # Linux: per thread
                    os.setpriority(os.PRIO_PROCESS, threading.get_native_id(),
                                   BACKGROUND_NICENESS)
                asyncio.set_event_loop(loop)
                loop.call_soon(ready.set)
                loop.run_forever()

            self._thread = threading.Thread(target=serve, name="statistics", daemon=True)
            self._thread.start()
            ready.wait()
            self._loop = loop
        return self._loop

    async def _call(self, work: Callable[[StatsEngines], Awaitable[T]]) -> T:
        loop = self._start()

        async def run() -> T:
            if self._engines is None:
                self._engines = StatsEngines.open(self._url)
            return await work(self._engines)

        future: Future[T] = asyncio.run_coroutine_threadsafe(run(), loop)
        return await asyncio.wrap_future(future)

    async def figures(self, period: Period, agency: str | None) -> Figures:
        """The period's figures, computed off the caller's loop."""
        return await self._call(lambda engines: engines.figures(period, self._calendar, agency))

    async def close(self) -> None:
        """Dispose of the engines and stop the thread."""
        if self._loop is None:
            return
        if self._engines is not None:
            await self._call(lambda engines: engines.dispose())
        self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            await asyncio.to_thread(self._thread.join, 5)
        self._loop.close()
        self._loop = self._thread = self._engines = None
