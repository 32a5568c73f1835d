"""What handlers need besides the update: services' unit of work, settings, clock."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.config import Settings
from complaints.ports import UnitOfWork
from db.outbox import OutboxStore
from db.pending import PendingInputs


def utc_now() -> datetime:
    """The one clock of the application (timezone-aware)."""
    return datetime.now(UTC)


@dataclass
class AppContext:
    """Passed to every handler as `app`."""

    settings: Settings
    uow: Callable[[], UnitOfWork]
    pending: PendingInputs
    cards: OutboxStore
    clock: Callable[[], datetime] = utc_now
    address_wakeup: asyncio.Event = field(default_factory=asyncio.Event)
    outbox_wakeup: asyncio.Event = field(default_factory=asyncio.Event)
