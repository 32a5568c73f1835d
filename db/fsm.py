"""aiogram FSM storage on SQL: conversation state survives a restart of the bot process."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, KeyBuilder, StorageKey
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.models import FsmStateRow

StateType = str | State | None


class SqlStorage(BaseStorage):
    """One row per (bot, chat, user) key holding the state name and the wizard's data."""

    def __init__(
        self, sessionmaker: async_sessionmaker[AsyncSession], key_builder: KeyBuilder | None = None
    ) -> None:
        self._sessionmaker = sessionmaker
        self._keys = key_builder or DefaultKeyBuilder(with_destiny=True)

    async def _write(self, key: StorageKey, **values: Any) -> None:
        async with self._sessionmaker() as session, session.begin():
            row_key = self._keys.build(key)
            row = await session.get(FsmStateRow, row_key)
            if row is None:
                row = FsmStateRow(key=row_key, state=None, data={})
                session.add(row)
            for name, value in values.items():
                setattr(row, name, value)
            row.updated_at = datetime.now(UTC)

    async def _read(self, key: StorageKey) -> FsmStateRow | None:
        async with self._sessionmaker() as session:
            return await session.get(FsmStateRow, self._keys.build(key))

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        await self._write(key, state=state.state if isinstance(state, State) else state)

    async def get_state(self, key: StorageKey) -> str | None:
        row = await self._read(key)
        return row.state if row else None

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        await self._write(key, data=dict(data))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        row = await self._read(key)
        return dict(row.data) if row and row.data else {}

    async def close(self) -> None:
        """Nothing to close: the engine belongs to the application."""
