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
from db.models import FsmStateRow

StateType = str | State | None


class SqlStorage(BaseStorage):
    """One row per (bot, chat, user) key holding the state name and the wizard's data.

    Reads are served from a copy in memory. That is safe because SQL storage is the
    single-process mode: several bot processes share Redis storage instead. Writes reach the
    database at once, or, with `deferred=True`, in one batch when `flush()` is called: the
    polling runner flushes before it marks updates handled, so a crash re-runs those updates
    from the inbox with the state they started from.
    """

    def __init__(
        self, sessionmaker: async_sessionmaker[AsyncSession], key_builder: KeyBuilder | None = None
    ) -> None:
        self._sessionmaker = sessionmaker
        self._keys = key_builder or DefaultKeyBuilder(with_destiny=True)
        self._cache: dict[str, tuple[str | None, dict[str, Any]]] = {}
        self.deferred = False
        self._dirty: set[str] = set()
        self._complete = False

    async def preload(self) -> int:
        """Read every conversation in progress at start; later misses need no query.

        A key without a row, or with no state and no data, is an idle chat; only the others
        are kept. Returns how many were loaded.
        """
        async with self._sessionmaker() as session:
            rows = await session.execute(
                select(FsmStateRow.key, FsmStateRow.state, FsmStateRow.data))
            for key, state, data in rows:
                if state is not None or data:
                    self._cache[key] = (state, dict(data or {}))
        self._complete = True
        return len(self._cache)

    async def _load(self, row_key: str) -> tuple[str | None, dict[str, Any]]:
        cached = self._cache.get(row_key)
        if cached is None and self._complete:
            cached = self._cache[row_key] = (None, {})
        elif cached is None:
            async with self._sessionmaker() as session:
                row = await session.get(FsmStateRow, row_key)
                cached = (row.state, dict(row.data or {})) if row else (None, {})
            self._cache[row_key] = cached
        return cached

    async def _write(self, key: StorageKey, **values: Any) -> None:
        row_key = self._keys.build(key)
        state, data = await self._load(row_key)
        self._cache[row_key] = (values.get("state", state), values.get("data", data))
        self._dirty.add(row_key)
        if not self.deferred:
            await self.flush()

    async def flush(self) -> None:
        """Write every changed key in one transaction."""
        if not self._dirty:
            return
        keys, self._dirty = self._dirty, set()
        now = utc_now()
        rows = [{"key": k, "state": self._cache[k][0], "data": self._cache[k][1],
                 "updated_at": now} for k in keys]
        try:
            async with self._sessionmaker() as session, session.begin():
                insert = (postgresql_insert if session.bind.dialect.name == "postgresql"
                          else sqlite_insert)(FsmStateRow.__table__)  # Core: no ORM bulk path
                await session.execute(insert.on_conflict_do_update(
                    index_elements=[FsmStateRow.__table__.c.key],
                    set_={"state": insert.excluded.state, "data": insert.excluded.data,
                          "updated_at": insert.excluded.updated_at}), rows)
        except BaseException:
            self._dirty |= keys
            raise

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
