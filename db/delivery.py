"""Unreachable staff chats and the outbox rows parked for them (the domain's DeliveryRepository)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from complaints.model import ChatBinding, ChatPurpose, UnreachableChat
from db.models import OutboxRow, ReportCardRow, ReportRow, UnreachableChatRow
from db.upsert import dialect_insert

PARKED = "parked"  # an outbox row waiting for its unreachable staff chat
MAX_CODES = 10


def upsert(session: AsyncSession, table: Any) -> Any:
    """INSERT … ON CONFLICT for the dialect in use (SQLite and PostgreSQL both have it)."""
    return dialect_insert(session.bind.dialect.name, table)


async def waiting_for(session: AsyncSession, chat_id: int,
                      statuses: tuple[str, ...] = (PARKED,)) -> tuple[int, tuple[str, ...]]:
    """How many rows of these statuses a chat has, and their reports' codes (first few)."""
    count = await session.scalar(select(func.count()).select_from(OutboxRow).where(
        OutboxRow.chat_id == chat_id, OutboxRow.status.in_(statuses))) or 0
    codes = await session.scalars(
        select(ReportRow.code).join(OutboxRow, OutboxRow.report_id == ReportRow.id)
        .where(OutboxRow.chat_id == chat_id, OutboxRow.status.in_(statuses))
        .group_by(ReportRow.code).order_by(func.min(OutboxRow.id)).limit(MAX_CODES))
    return count, tuple(codes)


class SqlDeliveryRepository:
    """unreachable_chats and the parked outbox rows; never commits."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def mark(self, binding: ChatBinding, error: str, now: datetime) -> bool:
        """Mark a chat unreachable; False if it already was (so staff are told once)."""
        statement = upsert(self.session, UnreachableChatRow.__table__).values(
            chat_id=binding.chat_id, purpose=binding.purpose.value,
            agency_code=binding.agency_code, since=now, error=error,
        ).on_conflict_do_nothing(index_elements=["chat_id"])
        return (await self.session.execute(statement)).rowcount == 1

    async def unreachable(self) -> list[UnreachableChat]:
        marks = list(await self.session.scalars(
            select(UnreachableChatRow).order_by(UnreachableChatRow.since)))
        chats = []
        for mark in marks:
            count, codes = await waiting_for(self.session, mark.chat_id)
            chats.append(UnreachableChat(mark.chat_id, ChatPurpose(mark.purpose),
                                         mark.agency_code, mark.since, mark.error, count, codes))
        return chats

    async def resume(self, chat_id: int) -> tuple[int, list[int]] | None:
        """Unmark the chat; its parked rows are due now. Returns how many, and the reports
        with cards there that changed while it was unreachable (their edits failed)."""
        mark = await self.session.get(UnreachableChatRow, chat_id)
        resumed = await self._unpark(chat_id)
        if mark is None:
            return (resumed, []) if resumed else None
        changed = await self.session.scalars(
            select(ReportCardRow.report_id).join(ReportRow, ReportRow.id == ReportCardRow.report_id)
            .where(ReportCardRow.chat_id == chat_id, ReportRow.updated_at >= mark.since)
            .distinct())
        await self.session.delete(mark)
        return resumed, sorted(changed)

    async def resume_binding(self, purpose: ChatPurpose, agency_code: str | None) -> int:
        """The purpose got a (new) chat: rows parked for its unreachable chats are due again."""
        marks = list(await self.session.scalars(select(UnreachableChatRow).where(
            UnreachableChatRow.purpose == purpose.value,
            UnreachableChatRow.agency_code.is_(None) if agency_code is None
            else UnreachableChatRow.agency_code == agency_code)))
        resumed = 0
        for mark in marks:
            resumed += await self._unpark(mark.chat_id)
        if marks:
            await self.session.execute(delete(UnreachableChatRow).where(
                UnreachableChatRow.chat_id.in_([m.chat_id for m in marks])))
        return resumed

    async def _unpark(self, chat_id: int) -> int:
        result = await self.session.execute(
            update(OutboxRow).where(OutboxRow.chat_id == chat_id, OutboxRow.status == PARKED)
            .values(status="pending", next_attempt_at=OutboxRow.created_at)
            .execution_options(synchronize_session=False))
        return result.rowcount or 0
