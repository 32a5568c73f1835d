"""ForceReply questions to one staff member (a reason, a proof) waiting for their reply."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.models import PendingInputRow


@dataclass(frozen=True)
class PendingInput:
    """Who was asked what, about which report (at which version), and what they gave so far."""

    id: int
    chat_id: int
    prompt_message_id: int | None
    user_id: int
    report_id: int
    version: int
    action: str
    data: dict[str, Any]


def _dto(row: PendingInputRow) -> PendingInput:
    return PendingInput(row.id, row.chat_id, row.prompt_message_id, row.user_id, row.report_id,
                        row.version, row.action, dict(row.data or {}))


class PendingInputs:
    """Storage of pending staff questions (they survive a restart like wizard state does)."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._sessionmaker = sessionmaker

    async def create(self, *, chat_id: int, prompt_message_id: int, user_id: int,
                     report_id: int, version: int, action: str) -> int:
        """Record a question just asked (by its message), before any reply can be matched."""
        async with self._sessionmaker() as session, session.begin():
            row = PendingInputRow(chat_id=chat_id, prompt_message_id=prompt_message_id,
                                  user_id=user_id, report_id=report_id, version=version,
                                  action=action, data={}, created_at=datetime.now(UTC))
            session.add(row)
            await session.flush()
            return row.id

    async def set_data(self, input_id: int, data: dict[str, Any]) -> None:
        await self._update(input_id, data=data)

    async def _update(self, input_id: int, **values: Any) -> None:
        async with self._sessionmaker() as session, session.begin():
            await session.execute(update(PendingInputRow)
                                  .where(PendingInputRow.id == input_id).values(**values))

    async def by_prompt(self, chat_id: int, message_id: int) -> PendingInput | None:
        async with self._sessionmaker() as session:
            row = await session.scalar(select(PendingInputRow).where(
                PendingInputRow.chat_id == chat_id,
                PendingInputRow.prompt_message_id == message_id))
            return _dto(row) if row else None

    async def get(self, input_id: int) -> PendingInput | None:
        async with self._sessionmaker() as session:
            row = await session.get(PendingInputRow, input_id)
            return _dto(row) if row else None

    async def drop_question(self, pending: PendingInput) -> None:
        """Answered or cancelled: the same question asked elsewhere (group, private) goes too."""
        async with self._sessionmaker() as session, session.begin():
            await session.execute(delete(PendingInputRow).where(
                PendingInputRow.report_id == pending.report_id,
                PendingInputRow.user_id == pending.user_id,
                PendingInputRow.action == pending.action))

