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

from db.replay import writer_and_applied

_UNSET = object()


class DeferredStorage(BaseStorage):
    """Reads see this process's unwritten changes; `flush()` writes the sealed ones.

    Only one process handles a chat at a time (the inbox turn), so the changes held here are
    the chat's latest until flushed, and nothing is cached once they are written. A change made
    while an update runs is sealed when its handlers finish (`seal`), and only sealed changes
    are written: a flush beside a running handler never stores a step its update has not
    finished. With Redis the state, the data and the id of the update that stored them go in
    one MULTI, so a replay can tell an update whose state is already stored (`applied_update`).
    """

    def __init__(self, inner: BaseStorage) -> None:
        self.inner = inner
        self._held: dict[StorageKey, dict[str, Any]] = {}  # the latest values: what reads see
        self._writers: dict[StorageKey, int] = {}  # the running update that wrote them
        self._sealed: dict[StorageKey, dict[str, Any]] = {}  # finished updates': next flush
        self._applied: dict[StorageKey, int] = {}  # stored applied ids, when not on Redis
        self._flushing = asyncio.Lock()

    def _hold(self, key: StorageKey, **values: Any) -> None:
        held = {**self._held.get(key, {}), **values}  # a new dict: see flush
        writer, applied = writer_and_applied(key, held.get("applied"))
        if applied is not None:
            held["applied"] = applied
        self._held[key] = held
        if writer is not None:
            self._writers[key] = writer
        else:
            self._writers.pop(key, None)
            self._sealed[key] = held

    def seal(self, update_id: int) -> None:
        """The update's handlers finished: its changes go with the next flush."""
        for key, writer in list(self._writers.items()):
            if writer == update_id:
                del self._writers[key]
                self._sealed[key] = self._held[key]

    async def set_state(self, key: StorageKey, state: str | State | None = None) -> None:
        self._hold(key, state=state.state if isinstance(state, State) else state)

    async def get_state(self, key: StorageKey) -> str | None:
        held = self._held.get(key, {}).get("state", _UNSET)
        return await self.inner.get_state(key) if held is _UNSET else held

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        self._hold(key, data=copy.deepcopy(dict(data)))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        held = self._held.get(key, {}).get("data", _UNSET)
        if held is _UNSET:
            return await self.inner.get_data(key)
        return copy.deepcopy(held)

    async def applied_update(self, key: StorageKey) -> int | None:
        """The update whose handling stored this conversation's state (None: not known)."""
        held = self._held.get(key, {}).get("applied")
        if held is not None:
            return int(held)
        if _on_redis(self.inner):
            stored = await self.inner.redis.get(  # type: ignore[attr-defined]
                self.inner.key_builder.build(key, "applied"))  # type: ignore[attr-defined]
            return int(stored) if stored is not None else None
        return self._applied.get(key)

    async def flush(self) -> None:
        """Write every sealed change (called before updates are marked handled).

        A change stays readable here until it is written, and one changed again meanwhile
        stays held for the next flush: a handler running beside the flush never reads a step
        older than its own.
        """
        async with self._flushing:
            for key, values in list(self._sealed.items()):
                await self._store(key, values)
                if self._sealed.get(key) is values:
                    del self._sealed[key]
                if self._held.get(key) is values and key not in self._writers:
                    del self._held[key]

    async def _store(self, key: StorageKey, values: dict[str, Any]) -> None:
        """State, data and applied update id together: one Redis transaction."""
        inner: Any = self.inner
        if not _on_redis(inner):
            if "state" in values:
                await inner.set_state(key, values["state"])
            if "data" in values:
                await inner.set_data(key, values["data"])
            if "applied" in values:
                self._applied[key] = values["applied"]
            return
        build = inner.key_builder.build
        async with inner.redis.pipeline(transaction=True) as pipe:
            if "state" in values:  # as RedisStorage.set_state / set_data write them
                if values["state"] is None:
                    pipe.delete(build(key, "state"))
                else:
                    pipe.set(build(key, "state"), values["state"], ex=inner.state_ttl)
            if "data" in values:
                if values["data"]:
                    pipe.set(build(key, "data"), inner.json_dumps(values["data"]),
                             ex=inner.data_ttl)
                else:
                    pipe.delete(build(key, "data"))
            if "applied" in values:
                pipe.set(build(key, "applied"), values["applied"], ex=inner.data_ttl)  # type: ignore[arg-type]
            await pipe.execute()

    async def close(self) -> None:
        await self.flush()
        await self.inner.close()


def _on_redis(storage: BaseStorage) -> bool:
    """aiogram's RedisStorage, told without importing redis in the single-process mode."""
    return type(storage).__name__ == "RedisStorage" and hasattr(storage, "redis")
