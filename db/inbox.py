"""The update inbox: an update counts as received once its row is committed here."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from complaints.clock import utc_now
from db.delivery import upsert
from db.models import InboxRow, SentInUpdateRow
from db.replay import forget_sends


class UpdateInbox:
    """Durable record of received updates; a redelivered update id is ignored."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._sessionmaker = sessionmaker

    async def record(self, updates: Sequence[tuple[int, str, dict[str, Any]]]) -> list[int]:
        """Store new updates in one transaction; returns the ids that were not seen before."""
        if not updates:
            return []
        now = utc_now()
        async with self._sessionmaker() as session, session.begin():
            # ON CONFLICT, not a look first: two processes may get the same update at once
            # (a proxy retrying on the other one), and exactly one of them records it.
            statement = (upsert(session, InboxRow.__table__)
                         .on_conflict_do_nothing(index_elements=["update_id"])
                         .returning(InboxRow.update_id))
            inserted = set(await session.scalars(statement, [
                {"update_id": uid, "chat_key": chat, "payload": payload, "received_at": now}
                for uid, chat, payload in updates]))
        return [u[0] for u in updates if u[0] in inserted]

    async def pending(self, limit: int = 1000) -> list[tuple[int, str, dict[str, Any]]]:
        """Recorded but unhandled updates in arrival order (left over from a stop or crash)."""
        async with self._sessionmaker() as session:
            rows = await session.execute(
                select(InboxRow.update_id, InboxRow.chat_key, InboxRow.payload)
                .where(InboxRow.handled_at.is_(None))
                .order_by(InboxRow.update_id)
                .limit(limit)
            )
            return [(uid, chat, payload) for uid, chat, payload in rows]

    async def pending_for_chat(self, chat: str,
                               limit: int = 50) -> list[tuple[int, dict[str, Any], bool]]:
        """One chat's unhandled updates, oldest first (several processes share the order),
        each with whether a process that died had already journaled sends for it."""
        journaled = exists().where(SentInUpdateRow.update_id == InboxRow.update_id)
        async with self._sessionmaker() as session:
            rows = await session.execute(
                select(InboxRow.update_id, InboxRow.payload, journaled)
                .where(InboxRow.handled_at.is_(None), InboxRow.chat_key == chat)
                .order_by(InboxRow.update_id)
                .limit(limit)
            )
            return [(uid, payload, bool(sent)) for uid, payload, sent in rows]

    async def pending_chats(self, received_before: datetime) -> list[str]:
        """Chats with updates recorded before `received_before` and still unhandled."""
        async with self._sessionmaker() as session:
            rows = await session.scalars(
                select(InboxRow.chat_key).distinct()
                .where(InboxRow.handled_at.is_(None), InboxRow.received_at <= received_before)
            )
            return list(rows)

    async def mark_handled(self, *update_ids: int) -> None:
        """The handlers finished (or failed for good): never run these again.

        What the citizen sent is dropped with it: after handling, only the id stays, which is
        all a redelivery check needs (what the bot refused is therefore never kept either).
        The journal of what the update sent goes too: it only served a replay.
        """
        async with self._sessionmaker() as session, session.begin():
            await session.execute(
                update(InboxRow).where(InboxRow.update_id.in_(update_ids))
                .values(handled_at=utc_now(), payload={})
            )
            await forget_sends(session, update_ids)

    async def purge(self, older_than: timedelta = timedelta(days=2)) -> int:
        """Forget handled updates old enough that Telegram will never redeliver them."""
        cutoff = utc_now() - older_than
        async with self._sessionmaker() as session, session.begin():
            result = await session.execute(
                delete(InboxRow).where(InboxRow.handled_at.is_not(None),
                                       InboxRow.handled_at < cutoff)
            )
            # a send recorded after its update was marked (a task the handler left running)
            await session.execute(delete(SentInUpdateRow).where(SentInUpdateRow.sent_at < cutoff))
            return result.rowcount or 0

    async def last_update_id(self) -> int | None:
        """The highest update id recorded, so polling can resume after it."""
        async with self._sessionmaker() as session:
            rows = await session.scalars(
                select(InboxRow.update_id).order_by(InboxRow.update_id.desc()).limit(1)
            )
            return rows.first()
