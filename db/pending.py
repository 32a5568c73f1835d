"""Open ForceReply questions to staff members, on the unit of work's session (never commits)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from complaints.model import PendingInput
from db.models import PendingInputRow


def _pending_input(row: PendingInputRow) -> PendingInput:
    return PendingInput(row.id, row.chat_id, row.prompt_message_id, row.user_id, row.report_id,
                        row.version, row.action, dict(row.data or {}))


class SqlPendingInputRepository:
    """The pending_inputs table."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, *, chat_id: int, prompt_message_id: int, user_id: int, report_id: int,
                  version: int, action: str, now: datetime) -> int:
        result = await self.session.execute(
            insert(PendingInputRow).values(
                chat_id=chat_id, prompt_message_id=prompt_message_id, user_id=user_id,
                report_id=report_id, version=version, action=action, data={}, created_at=now)
            .returning(PendingInputRow.id))
        return result.scalar_one()

    async def set_data(self, input_id: int, data: dict[str, Any]) -> None:
        await self.session.execute(update(PendingInputRow)
                                   .where(PendingInputRow.id == input_id).values(data=data))

    async def by_prompt(self, chat_id: int, message_id: int) -> PendingInput | None:
        row = await self.session.scalar(select(PendingInputRow).where(
            PendingInputRow.chat_id == chat_id, PendingInputRow.prompt_message_id == message_id))
        return _pending_input(row) if row else None

    async def get(self, input_id: int) -> PendingInput | None:
        row = await self.session.get(PendingInputRow, input_id)
        return _pending_input(row) if row else None

    async def drop(self, report_id: int, user_id: int, action: str) -> None:
        await self.session.execute(delete(PendingInputRow).where(
            PendingInputRow.report_id == report_id, PendingInputRow.user_id == user_id,
            PendingInputRow.action == action))

