"""Connections of their own for statistics, used away from the bot's event loop.

SQLite runs inline on the bot's loop (db/sqlite_inline.py), so a query over a year of reports
must not run there: /rekap runs these engines in a process of its own (bot/statistics.py),
the admin command line in its own process anyway. On SQLite reads use deferred transactions
(WAL: they never block the bot's writer); the step refresh writes in short BEGIN IMMEDIATE
chunks and takes no lock at all when no event is new.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from complaints.calendar import WorkingCalendar
from complaints.periods import Period
from complaints.stats import Figures
from db.engine import SQLITE_BUSY_TIMEOUT_MS, create_engine, is_sqlite
from db.stats import events_pending, period_figures, refresh_steps


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
