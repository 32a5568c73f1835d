"""Event isolation in one process: a lock per chat that exists only while someone uses it.

aiogram's SimpleEventIsolation keeps one lock per key forever (its own TODO says a cleaner is
needed), so it grows by a lock for every chat that ever wrote; this one forgets a key when the
last holder or waiter leaves.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Hashable
from contextlib import asynccontextmanager

from aiogram.fsm.storage.base import BaseEventIsolation, StorageKey


class ReleasingEventIsolation(BaseEventIsolation):
    """Same locking as SimpleEventIsolation; unused locks are dropped at once."""

    def __init__(self) -> None:
        self._locks: dict[Hashable, tuple[asyncio.Lock, list[int]]] = {}

    @asynccontextmanager
    async def lock(self, key: StorageKey) -> AsyncGenerator[None, None]:
        lock, users = self._locks.setdefault(key, (asyncio.Lock(), [0]))
        users[0] += 1
        try:
            async with lock:
                yield
        finally:
            users[0] -= 1
            if not users[0]:
                del self._locks[key]

    async def close(self) -> None:
        self._locks.clear()
