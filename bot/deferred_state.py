"""Conversation state written when its update is marked handled, not in the middle of it.

With Redis storage (several processes) aiogram writes a wizard's new step at once, inside the
handler. A process killed after that write and before its update was marked handled left the
update pending with the step already advanced: whoever replayed it answered the wrong step
("choose a category with a button", with no buttons shown) and the citizen was stuck. Held
back here and written just before the inbox marks the update handled, a replay starts from the
step the update was first handled in, as with the SQL storage's deferred writes.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Mapping
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, StorageKey

_UNSET = object()


class DeferredStorage(BaseStorage):
    """Reads see this process's unwritten changes; `flush()` writes them to the inner storage.

    Only one process handles a chat at a time (the inbox turn), so the changes held here are
    the chat's latest until flushed, and nothing is cached once they are written.
    """

    def __init__(self, inner: BaseStorage) -> None:
        self.inner = inner
        self._held: dict[StorageKey, dict[str, Any]] = {}
        self._flushing = asyncio.Lock()

    async def set_state(self, key: StorageKey, state: str | State | None = None) -> None:
        value = state.state if isinstance(state, State) else state
        self._held[key] = {**self._held.get(key, {}), "state": value}  # a new dict: see flush

    async def get_state(self, key: StorageKey) -> str | None:
        held = self._held.get(key, {}).get("state", _UNSET)
        return await self.inner.get_state(key) if held is _UNSET else held

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        self._held[key] = {**self._held.get(key, {}), "data": copy.deepcopy(dict(data))}

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        held = self._held.get(key, {}).get("data", _UNSET)
        if held is _UNSET:
            return await self.inner.get_data(key)
        return copy.deepcopy(held)

    async def flush(self) -> None:
        """Write every held change (called before updates are marked handled).

        A change stays readable here until it is written, and one changed again meanwhile
        stays held for the next flush: a handler running beside the flush never reads a step
        older than its own.
        """
        async with self._flushing:
            for key, values in list(self._held.items()):
                if "state" in values:
                    await self.inner.set_state(key, values["state"])
                if "data" in values:
                    await self.inner.set_data(key, values["data"])
                if self._held.get(key) is values:
                    del self._held[key]

    async def close(self) -> None:
        await self.flush()
        await self.inner.close()
