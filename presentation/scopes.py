"""Router factories that apply the chat-scope filter once (private chats vs staff groups)."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.enums import ChatType


def private_router(name: str) -> Router:
    """A router that only sees private chats with the bot (citizens)."""
    router = Router(name=name)
    router.message.filter(F.chat.type == ChatType.PRIVATE)
    router.edited_message.filter(F.chat.type == ChatType.PRIVATE)
    router.callback_query.filter(F.message.chat.type == ChatType.PRIVATE)
    return router
