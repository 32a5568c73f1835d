"""What handlers need besides the update: services, settings, the clock, and name caches."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from complaints import admin, services
from complaints.clock import Clock, utc_now
from complaints.lru import LruDict
from complaints.model import Agency, Category, Citizen
from complaints.ports import UnitOfWork
from complaints.questions import PendingInputs
from configuration.settings import Settings
from presentation.stats_view import RekapSource
from presentation.texts import Translator

NAMES_TTL = 60.0  # seconds an edit by `lapor-admin` takes to show in the bot
CACHED_CITIZENS = 10_000  # the recently active citizens kept in memory; others are read back


@dataclass
class Names:
    """Category and agency names for rendering."""

    categories: dict[str, Category]
    agencies: dict[str, Agency]

    def category(self, t: Translator, key: str) -> str:
        found = self.categories.get(key)
        return found.name(t.language) if found else key

    def agency(self, code: str | None) -> str:
        if code is None:
            return "-"
        found = self.agencies.get(code)
        return found.name if found else code


@dataclass
class AppContext:
    """Passed to every handler as `app`."""

    settings: Settings
    uow: Callable[[], UnitOfWork]
    pending: PendingInputs
    clock: Clock = utc_now
    # sends one held outbox row at once (the outbox worker's delivery); set by the runner
    deliver_now: Callable[[int], Awaitable[None]] | None = None
    statistics: RekapSource | None = None  # /rekap's figures and chart, off the event loop
    _citizens: LruDict[int, Citizen] = field(
        default_factory=lambda: LruDict(CACHED_CITIZENS))
    _names: tuple[float, Names] | None = None

    @property
    def single_process(self) -> bool:
        """SQL storage means one bot process: its own memory is the truth for what it wrote."""
        return self.settings.redis_url is None

    async def citizen(self, telegram_id: int) -> Citizen | None:
        """The citizen record, from memory when this process is the only writer."""
        cached = self._citizens.get(telegram_id)
        if cached is not None:
            return cached
        citizen = await services.get_citizen(self.uow(), telegram_id)
        if citizen is not None:
            self.remember(citizen)
        return citizen

    def remember(self, citizen: Citizen) -> None:
        """Keep what a service just returned (single-process mode only)."""
        if self.single_process:
            self._citizens[citizen.telegram_id] = citizen

    def forget(self, telegram_id: int) -> None:
        """The citizen's profile was erased: nothing of it stays in memory either."""
        self._citizens.pop(telegram_id, None)

    async def names(self) -> Names:
        """Categories and agencies, re-read at most once a minute."""
        if self._names is None or time.monotonic() - self._names[0] > NAMES_TTL:
            categories = await services.list_categories(self.uow())
            agencies = await admin.list_agencies(self.uow(), include_inactive=True)
            self._names = (time.monotonic(), Names({c.key: c for c in categories},
                                                   {a.code: a for a in agencies}))
        return self._names[1]

    async def categories(self) -> list[Category]:
        """Active categories in display order."""
        return list((await self.names()).categories.values())
