"""The deadline scheduler inside the bot: every SLA_CHECK_INTERVAL seconds it causes the due
reminders, overdue notices and escalations, and the daily digest, through the outbox.

Everything it knows is in the database (the clocks on the reports, the notices and digests
already caused), so a restart loses nothing and several processes cause each notice once.
Time comes from AppContext.clock, so tests move it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from complaints import deadlines
from presentation.context import AppContext

log = logging.getLogger(__name__)


class DeadlineScheduler:
    """Runs rounds until stopped."""

    def __init__(self, app: AppContext) -> None:
        self.app = app
        self._stop = asyncio.Event()

    def stop(self) -> None:
        """Finish the round in progress, then return."""
        self._stop.set()

    async def run(self) -> None:
        while not self._stop.is_set():
            try:
                await self.run_once()
            except Exception:
                log.exception("deadline round failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(),
                                       timeout=self.app.settings.sla_check_interval)

    async def run_once(self) -> int:
        """One round: notices due now, and the digest if its hour has come."""
        now, settings = self.app.clock(), self.app.settings
        caused = await deadlines.run_round(self.app.uow(), now=now)  # type: ignore[arg-type]
        if await deadlines.daily_digest(self.app.uow(), now=now,  # type: ignore[arg-type]
                                        zone=settings.zone, hour=settings.digest_hour):
            caused += 1
        return caused
