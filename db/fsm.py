"""aiogram FSM storage on SQL: conversation state survives a restart of the bot process."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, KeyBuilder, StorageKey
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from complaints.clock import utc_now
from complaints.lru import LruDict
from db.models import FsmStateRow

StateType = str | State | None
Entry = tuple[str | None, dict[str, Any]]
CACHED_CONVERSATIONS = 10_000  # chats whose state is kept in memory (the recently active ones)


class SqlStorage(BaseStorage):
    """One row per (bot, chat, user) key holding the state name and the wizard's data.

    Reads are served from a copy in memory of the recently active chats (at most
    `cache_size`; the others are read back from the database when they speak again). That is
    safe because SQL storage is the single-process mode: several bot processes share Redis
    storage instead. Writes reach the database at once, or, with `deferred=True`, in one batch
    when `flush()` is called: the polling runner flushes before it marks updates handled, so a
    crash re-runs those updates from the inbox with the state they started from. Writes not
    flushed yet are held apart from the cache, so evicting a chat never loses one.
    """

    def __init__(
        self, sessionmaker: async_sessionmaker[AsyncSession], key_builder: KeyBuilder | None = None,
        cache_size: int = CACHED_CONVERSATIONS,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._keys = key_builder or DefaultKeyBuilder(with_destiny=True)
        self._cache: LruDict[str, Entry] = LruDict(cache_size)
        self.deferred = False
        self._dirty: dict[str, Entry] = {}
        self._flushing: dict[str, Entry] = {}

    async def _load(self, row_key: str) -> Entry:
        cached = (self._dirty.get(row_key) or self._flushing.get(row_key)
                  or self._cache.get(row_key))
        if cached is None:
            async with self._sessionmaker() as session:
                found = (await session.execute(
                    select(FsmStateRow.state, FsmStateRow.data)
                    .where(FsmStateRow.key == row_key))).first()
            cached = (found[0], dict(found[1] or {})) if found else (None, {})
            self._cache[row_key] = cached
        return cached

    async def _write(self, key: StorageKey, **values: Any) -> None:
        row_key = self._keys.build(key)
        state, data = await self._load(row_key)
        entry = (values.get("state", state), values.get("data", data))
        self._cache[row_key] = self._dirty[row_key] = entry
        if not self.deferred:
            await self.flush()

    async def flush(self) -> None:
        """Write every changed key in one transaction."""
        if not self._dirty:
            return
        pending, self._dirty = self._dirty, {}
        self._flushing = pending
        now = utc_now()
        rows = [{"key": k, "state": state, "data": data, "updated_at": now}
                for k, (state, data) in pending.items()]
        try:
            async with self._sessionmaker() as session, session.begin():
                insert = (postgresql_insert if session.bind.dialect.name == "postgresql"
                          else sqlite_insert)(FsmStateRow.__table__)  # Core: no ORM bulk path
                await session.execute(insert.on_conflict_do_update(
                    index_elements=[FsmStateRow.__table__.c.key],
                    set_={"state": insert.excluded.state, "data": insert.excluded.data,
                          "updated_at": insert.excluded.updated_at}), rows)
        except BaseException:
            self._dirty = {**pending, **self._dirty}  # newer writes made meanwhile win
            raise
        finally:
            self._flushing = {}

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        await self._write(key, state=state.state if isinstance(state, State) else state)

    async def get_state(self, key: StorageKey) -> str | None:
        return (await self._load(self._keys.build(key)))[0]

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        await self._write(key, data=dict(data))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        return dict((await self._load(self._keys.build(key)))[1])

    async def close(self) -> None:
        """Nothing to close: the engine belongs to the application."""
