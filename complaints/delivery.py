"""Staff chats the bot cannot reach: what waits for them is kept, staff are told, and it is
delivered once the bot is back in the chat or the purpose is bound to another chat."""

from __future__ import annotations

from datetime import datetime

from complaints.model import ChatBinding, Notice, NoticeKind, NoticeTarget, UnreachableChat
from complaints.ports import UnitOfWork

# What Telegram answers when a chat cannot be reached at all (not a problem of one message).
UNREACHABLE_WORDS = ("chat not found", "bot was kicked", "bot is not a member",
                     "not enough rights", "have no rights", "chat_write_forbidden",
                     "group chat was deactivated", "chat was deleted", "need administrator rights")


def unreachable_error(description: str) -> bool:
    """A 400 that means the chat itself is gone or closed to the bot, not a bad message."""
    lowered = description.lower()
    return any(words in lowered for words in UNREACHABLE_WORDS)


async def chat_lost(uow: UnitOfWork, chat_id: int, error: str,
                    now: datetime) -> UnreachableChat | None:
    """Mark a bound chat unreachable; returns it (with what waits) if it was reachable before."""
    async with uow:
        binding = await uow.chats.get(chat_id)
        if binding is None:
            return None
        newly = await uow.delivery.mark(binding, error[:500], now)
        await uow.commit()
    return await unreachable_chat(uow, chat_id) if newly else None


async def unreachable_chat(uow: UnitOfWork, chat_id: int) -> UnreachableChat | None:
    """One unreachable chat with its waiting rows, if it is marked."""
    return next((c for c in await unreachable_chats(uow) if c.chat_id == chat_id), None)


async def unreachable_chats(uow: UnitOfWork) -> list[UnreachableChat]:
    """Every bound chat the bot cannot reach now, oldest first, with what waits for it."""
    async with uow:
        return await uow.delivery.unreachable()


async def chat_back(uow: UnitOfWork, chat_id: int, now: datetime) -> int | None:
    """The bot can reach the chat again: its parked rows are due now and its cards are
    refreshed; returns how many rows were waiting, or None if it was not marked."""
    async with uow:
        resumed = await uow.delivery.resume(chat_id)
        if resumed is None:
            return None
        count, carded_reports = resumed
        for report_id in carded_reports:  # edits failed while the bot was away: redo them
            await uow.outbox.add(Notice(NoticeKind.REFRESH_CARDS, NoticeTarget.ADMIN,
                                        report_id), now)
        await uow.commit()
        return count


async def rebound(uow: UnitOfWork, binding: ChatBinding) -> int:
    """A purpose bound to a (new) chat: rows parked for its old, unreachable chat go there.
    Runs inside the binding's own transaction."""
    return await uow.delivery.resume_binding(binding.purpose, binding.agency_code)
