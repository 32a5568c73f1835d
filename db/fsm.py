"""aiogram FSM storage on SQL: conversation state survives a restart of the bot process."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, KeyBuilder, StorageKey
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from complaints.clock import utc_now
from complaints.lru import LruDict
from db.models import FsmStateRow
from db.replay import writer_and_applied
from db.upsert import dialect_insert

StateType = str | State | None
Entry = tuple[str | None, dict[str, Any], int | None]  # state, data, update that stored them
CACHED_CONVERSATIONS = 10_000  # chats whose state is kept in memory (the recently active ones)


class SqlStorage(BaseStorage):
    """One row per (bot, chat, user) key holding the state name and the wizard's data.

    Reads are served from a copy in memory of the recently active chats (at most
    `cache_size`; the others are read back from the database when they speak again). That is
    safe because SQL storage is the single-process mode: several bot processes share Redis
    storage instead. Writes reach the database at once, or, with `deferred=True`, in one batch
    when `flush()` is called: the update queues seal an update's writes when its handlers
    finish and flush sealed writes before they mark updates handled, so a crash re-runs those
    updates from the inbox with the state they started from. Each row keeps the id of the
    update that stored it (`applied_update`): a kill between the flush and the mark replays an
    update whose state is already stored, and the replay is skipped as done. Writes not
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
        self._running: dict[str, tuple[Entry, int]] = {}  # written by an unfinished update
        self._sealed: dict[str, Entry] = {}  # written by finished updates: the next flush
        self._flushing: dict[str, Entry] = {}

    async def _load(self, row_key: str) -> Entry:
        running = self._running.get(row_key)
        cached = (running[0] if running else None) or self._sealed.get(row_key) \
            or self._flushing.get(row_key) or self._cache.get(row_key)
        if cached is None:
            async with self._sessionmaker() as session:
                found = (await session.execute(
                    select(FsmStateRow.state, FsmStateRow.data, FsmStateRow.applied_update_id)
                    .where(FsmStateRow.key == row_key))).first()
            cached = (found[0], dict(found[1] or {}), found[2]) if found else (None, {}, None)
            self._cache[row_key] = cached
        return cached

    async def _write(self, key: StorageKey, **values: Any) -> None:
        row_key = self._keys.build(key)
        state, data, applied = await self._load(row_key)
        writer, applied = writer_and_applied(key, applied)
        entry = (values.get("state", state), values.get("data", data), applied)
        self._cache[row_key] = entry
        if self.deferred and writer is not None:
            self._running[row_key] = (entry, writer)
            return
        self._running.pop(row_key, None)
        self._sealed[row_key] = entry
        if not self.deferred:
            await self.flush()

    def seal(self, update_id: int) -> None:
        """The update's handlers finished: its writes go with the next flush."""
        for row_key, (entry, writer) in list(self._running.items()):
            if writer == update_id:
                self._sealed[row_key] = entry
                del self._running[row_key]

    async def flush(self) -> None:
        """Write every sealed change in one transaction."""
        if not self._sealed:
            return
        pending, self._sealed = self._sealed, {}
        self._flushing = pending
        now = utc_now()
        rows = [{"key": k, "state": state, "data": data, "updated_at": now,
                 "applied_update_id": applied}
                for k, (state, data, applied) in pending.items()]
        try:
            async with self._sessionmaker() as session, session.begin():
                insert = dialect_insert(session.bind.dialect.name,  # Core: no ORM bulk path
                                        FsmStateRow.__table__)
                await session.execute(insert.on_conflict_do_update(
                    index_elements=[FsmStateRow.__table__.c.key],
                    set_={"state": insert.excluded.state, "data": insert.excluded.data,
                          "updated_at": insert.excluded.updated_at,
                          "applied_update_id": insert.excluded.applied_update_id}), rows)
        except BaseException:
            self._sealed = {**pending, **self._sealed}  # newer writes made meanwhile win
            raise
        finally:
            self._flushing = {}

    async def applied_update(self, key: StorageKey) -> int | None:
        """The update whose handling stored this conversation's state (None: not known)."""
        return (await self._load(self._keys.build(key)))[2]

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
