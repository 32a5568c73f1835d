"""/rekap's heavy work in a process of its own: the period's figures and the chart.

SQLite runs inline on the bot's event loop, so a query over a year of reports must not run
there; in a thread of the bot's process it would still share the interpreter lock (drawing a
chart holds it for a quarter of a second, and a thread paused while holding it stalls the
loop). So one spawned process, started at the first /rekap and kept, computes the figures on
connections of its own (db/offloop.py: on SQLite a reader that never takes the write lock)
and draws the chart, at a lower CPU priority: conversations get the CPU first.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from typing import TYPE_CHECKING

from complaints.calendar import WorkingCalendar
from complaints.periods import Period
from complaints.stats import Figures
from db.offloop import StatsEngines
from presentation.stats_view import rekap_chart
from presentation.texts import Translator

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

BACKGROUND_NICENESS = 10
_worker: dict[str, object] = {}  # in the statistics process: its loop, engines and calendar


def _start(database_url: str, calendar: WorkingCalendar) -> None:
    """In the new process: lower priority, matplotlib imported, a loop and engines ready."""
    with contextlib.suppress(OSError, AttributeError):
        os.nice(BACKGROUND_NICENESS)
    import matplotlib.figure  # noqa: F401

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    _worker.update(loop=loop, calendar=calendar,
                   engines=loop.run_until_complete(_open(database_url)))


async def _open(database_url: str) -> StatsEngines:
    return StatsEngines.open(database_url)


def _rekap(period: Period, agency: str | None, language: str) -> tuple[Figures, bytes]:
    """In the statistics process: fresh figures and their chart."""
    loop: asyncio.AbstractEventLoop = _worker["loop"]  # type: ignore[assignment]
    engines: StatsEngines = _worker["engines"]  # type: ignore[assignment]
    calendar: WorkingCalendar = _worker["calendar"]  # type: ignore[assignment]
    figures = loop.run_until_complete(engines.figures(period, calendar, agency))
    return figures, rekap_chart(Translator(language, calendar.timezone), figures)


class RekapProcess:
    """The bot's /rekap source (presentation.stats_view.RekapSource)."""

    def __init__(self, database_url: str, calendar: WorkingCalendar) -> None:
        self._url, self._calendar = database_url, calendar
        self._pool: ProcessPoolExecutor | None = None

    def _executor(self) -> ProcessPoolExecutor:
        import multiprocessing  # with the process pool, only once /rekap is asked for
        from concurrent.futures import ProcessPoolExecutor

        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                1, mp_context=multiprocessing.get_context("spawn"), initializer=_start,
                initargs=(self._url, self._calendar))
        return self._pool

    async def rekap(self, period: Period, agency: str | None,
                    t: Translator) -> tuple[Figures, bytes]:
        """The figures and the chart; a statistics process that died is replaced once."""
        from concurrent.futures.process import BrokenProcessPool

        loop = asyncio.get_running_loop()
        for attempt in (1, 2):
            try:
                return await loop.run_in_executor(self._executor(), _rekap, period, agency,
                                                  t.language)
            except BrokenProcessPool:
                self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        """Stop the statistics process (if it was started)."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
