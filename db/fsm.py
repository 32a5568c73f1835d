"""aiogram FSM storage on SQL: conversation state survives a restart of the bot process."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, KeyBuilder, StorageKey
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.models import FsmStateRow

StateType = str | State | None


class SqlStorage(BaseStorage):
    """One row per (bot, chat, user) key holding the state name and the wizard's data.

    Writes go to the database at once (a restart loses nothing); reads are served from a
    write-through copy in memory. That is safe because SQL storage is the single-process mode:
    several bot processes share Redis storage instead.
    """

    def __init__(
        self, sessionmaker: async_sessionmaker[AsyncSession], key_builder: KeyBuilder | None = None
    ) -> None:
        self._sessionmaker = sessionmaker
        self._keys = key_builder or DefaultKeyBuilder(with_destiny=True)
        self._cache: dict[str, tuple[str | None, dict[str, Any]]] = {}

    async def _load(self, row_key: str) -> tuple[str | None, dict[str, Any]]:
        cached = self._cache.get(row_key)
        if cached is None:
            async with self._sessionmaker() as session:
                row = await session.get(FsmStateRow, row_key)
                cached = (row.state, dict(row.data or {})) if row else (None, {})
            self._cache[row_key] = cached
        return cached

    async def _write(self, key: StorageKey, **values: Any) -> None:
        row_key = self._keys.build(key)
        state, data = await self._load(row_key)
        state = values.get("state", state)
        data = values.get("data", data)
        async with self._sessionmaker() as session, session.begin():
            insert = postgresql_insert if session.bind.dialect.name == "postgresql" \
                else sqlite_insert
            values = {"key": row_key, "state": state, "data": data,
                      "updated_at": datetime.now(UTC)}
            await session.execute(insert(FsmStateRow).values(**values).on_conflict_do_update(
                index_elements=[FsmStateRow.key], set_=values))
        self._cache[row_key] = (state, data)

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
