"""The simulator delivers updates to a webhook as Telegram does: secret header, retry until 2xx."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramBadRequest, TelegramConflictError
from aiohttp import web

from simulator import BotApiSimulator


class Receiver:
    """A webhook endpoint that answers with the statuses it is given, then 200."""

    def __init__(self) -> None:
        self.statuses: list[int] = []
        self.received: list[tuple[dict[str, Any], str | None]] = []
        self.url = ""

    async def post(self, request: web.Request) -> web.Response:
        self.received.append((await request.json(),
                              request.headers.get("X-Telegram-Bot-Api-Secret-Token")))
        return web.Response(status=self.statuses.pop(0) if self.statuses else 200)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    hook = Receiver()
    app = web.Application()
    app.router.add_post("/hook", hook.post)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    hook.url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"  # type: ignore[union-attr]
    yield hook
    await runner.cleanup()


@pytest.fixture
async def bot(sim: BotApiSimulator) -> AsyncIterator[Bot]:
    session = AiohttpSession(api=TelegramAPIServer.from_base(sim.base_url))
    client = Bot(sim.token, session=session)
    yield client
    await session.close()


@pytest.fixture
async def sim() -> AsyncIterator[BotApiSimulator]:
    async with BotApiSimulator() as simulator:
        yield simulator


async def test_posts_with_secret_and_retries_until_2xx(
        sim: BotApiSimulator, bot: Bot, receiver: Receiver) -> None:
    sim.webhook_upstreams.append(receiver.url)
    receiver.statuses = [500, 403]
    assert await bot.set_webhook("https://lapor.example/hook", secret_token="s3cret_token",
                                 allowed_updates=["message"])
    budi = sim.user("Budi")
    await budi.send_text("halo")
    assert await sim._wait_until(lambda: sim.pending_updates() == 0, 10)
    [first, second, third] = sim.webhook_attempts
    assert [first.status, second.status, third.status] == [500, 403, 200]
    assert first.update_id == second.update_id == third.update_id
    assert first.url == f"{receiver.url}/hook"
    assert all(secret == "s3cret_token" for _, secret in receiver.received)
    assert receiver.received[-1][0]["message"]["text"] == "halo"
    info = await bot.get_webhook_info()
    assert info.url == "https://lapor.example/hook" and info.pending_update_count == 0
    assert info.last_error_message is not None and "403" in info.last_error_message
    with pytest.raises(TelegramConflictError):
        await bot.get_updates(timeout=0)


async def test_one_chat_in_order_and_back_to_polling(
        sim: BotApiSimulator, bot: Bot, receiver: Receiver) -> None:
    sim.webhook_upstreams.append(receiver.url)
    receiver.statuses = [502]  # the first update fails once: the chat's second must wait
    await bot.set_webhook("https://lapor.example/hook", secret_token="s3cret_token")
    budi = sim.user("Budi")
    await budi.send_text("satu")
    await budi.send_text("dua")
    assert await sim._wait_until(lambda: sim.pending_updates() == 0, 10)
    texts = [update["message"]["text"] for update, _ in receiver.received]
    assert texts == ["satu", "satu", "dua"]
    await bot.delete_webhook()
    await budi.send_text("tiga")
    [update] = await bot.get_updates(timeout=1)
    assert update.message is not None and update.message.text == "tiga"
    await asyncio.sleep(0.1)
    assert len(receiver.received) == 3


async def test_plain_http_webhook_refused(sim: BotApiSimulator, bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="HTTPS URL must be provided"):
        await bot.set_webhook("http://lapor.example/hook")
