"""Synchronous filters run on the event loop, and still decide which handler answers."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from aiogram import Bot, Dispatcher, F, Router
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.types import Chat, Message, Update, User

from bot.inline_filters import run_filters_inline


def text_update(text: str, update_id: int = 1) -> Update:
    """A private text message from one user."""
    user = User(id=7, is_bot=False, first_name="Warga")
    return Update(update_id=update_id, message=Message(
        message_id=update_id, date=datetime.now(UTC), chat=Chat(id=7, type="private"),
        from_user=user, text=text))


async def test_sync_filters_run_on_the_loop_thread_and_still_route() -> None:
    threads: list[str] = []

    def remember_thread(message: Message) -> bool:
        threads.append(threading.current_thread().name)
        return True

    router = Router()
    router.message.filter(F.chat.type == "private")

    @router.message(F.text == "halo", remember_thread)
    async def greet(message: Message) -> str:
        return "greeted"

    dispatcher = Dispatcher()
    dispatcher.include_router(router)
    assert run_filters_inline(dispatcher) == 3
    bot = Bot("42:TEST")

    assert await dispatcher.feed_update(bot, text_update("halo")) == "greeted"
    assert await dispatcher.feed_update(bot, text_update("lain", 2)) is UNHANDLED
    assert threads == [threading.current_thread().name]
    await bot.session.close()
