"""The retention job: anonymises finished reports past RETENTION_DAYS (off unless set)."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from complaints import privacy
from presentation.context import AppContext

log = logging.getLogger(__name__)


async def retention_worker(app: AppContext, days: int, every: float) -> None:
    """Purge once at start, then every `every` seconds, until cancelled; failures retry."""
    while True:
        try:
            while await privacy.purge_finished(app.uow(), older_than=timedelta(days=days),
                                               now=app.clock()):
                pass  # batches of 500 until nothing is left
        except Exception:
            log.exception("retention purge failed; trying again later")
        await asyncio.sleep(every)
