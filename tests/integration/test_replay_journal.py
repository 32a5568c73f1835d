"""The send journal and the applied update on real databases: what a replay gets back.

The calls reach a stand-in for the HTTP layer below the middleware (counted, answering as
Telegram would); the end-to-end tests in tests/e2e/test_exactly_once.py and test_delivery.py
drive the same paths through the real bot and the simulator.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramForbiddenError, TelegramNetworkError
from aiogram.fsm.storage.base import StorageKey
from aiogram.methods import SendMessage, TelegramMethod
from aiogram.types import Message
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.replay import ReplayJournalMiddleware
from db.engine import create_engine, create_sessionmaker
from db.fsm import SqlStorage
from db.inbox import UpdateInbox
from db.migrate import upgrade
from db.replay import CURRENT_UPDATE, SendJournal, UpdateRun
from tests.conftest import reset_postgres

KEY = StorageKey(bot_id=1, chat_id=42, user_id=42)


@pytest.fixture(params=["sqlite", "postgres"])
async def sessions(request: pytest.FixtureRequest,
                   tmp_path: Path) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    url = (await reset_postgres() if request.param == "postgres"
           else f"sqlite+inline:///{tmp_path / 'test.db'}")
    await asyncio.to_thread(upgrade, url)
    engine = create_engine(url)
    yield create_sessionmaker(engine)
    await engine.dispose()


class Telegram:
    """Below the middleware: answers each call with a new message, or fails as told."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.failure: Exception | None = None

    async def __call__(self, bot: Bot, method: TelegramMethod[Any]) -> Any:
        self.calls.append(method.text)  # type: ignore[attr-defined]
        if self.failure is not None:
            raise self.failure
        return Message.model_validate({
            "message_id": 100 + len(self.calls), "date": 1_800_000_000,
            "chat": {"id": method.chat_id, "type": "private"},  # type: ignore[attr-defined]
            "text": method.text}, context={"bot": bot})  # type: ignore[attr-defined]


async def handle(journal: SendJournal, telegram: Telegram, update_id: int, *texts: str,
                 replay: bool = False) -> list[Any]:
    """One run of an update whose handler sends these texts to chat 42."""
    run = UpdateRun(update_id, maybe_replay=replay)
    if replay:
        run.remember(await journal.load(update_id))
    middleware, bot = ReplayJournalMiddleware(journal), Bot("1:test")
    current = CURRENT_UPDATE.set(run)
    try:
        return [await middleware(telegram, bot, SendMessage(chat_id=42, text=t)) for t in texts]
    finally:
        CURRENT_UPDATE.reset(current)
        await bot.session.close()


async def test_a_replay_gets_the_accepted_messages_back_and_sends_only_the_rest(
        sessions: async_sessionmaker[AsyncSession]) -> None:
    journal, telegram = SendJournal(sessions), Telegram()
    first = await handle(journal, telegram, 7, "Mari buat laporan baru.", "Kirim foto.")
    again = await handle(journal, telegram, 7, "Mari buat laporan baru.", "Kirim foto.",
                         "Tambahan.", replay=True)
    assert telegram.calls == ["Mari buat laporan baru.", "Kirim foto.", "Tambahan."]
    assert [m.message_id for m in again] == [m.message_id for m in first] + [103]
    assert isinstance(again[0], Message) and again[0].text == "Mari buat laporan baru."


async def test_a_replay_that_skips_a_step_still_recognises_the_later_message(
        sessions: async_sessionmaker[AsyncSession]) -> None:
    journal, telegram = SendJournal(sessions), Telegram()
    await handle(journal, telegram, 8, "album", "⏳ kartunya sedang dikirim…")
    # the retry knows the album went out (row progress) and goes straight to the placeholder
    [placeholder] = await handle(journal, telegram, 8, "⏳ kartunya sedang dikirim…",
                                 replay=True)
    assert placeholder.message_id == 102 and len(telegram.calls) == 2


async def test_a_send_on_its_way_at_the_crash_is_sent_again_and_logged(
        sessions: async_sessionmaker[AsyncSession], caplog: pytest.LogCaptureFixture) -> None:
    journal, telegram = SendJournal(sessions), Telegram()
    telegram.failure = TelegramNetworkError(SendMessage(chat_id=42, text="x"), "timeout")
    with pytest.raises(TelegramNetworkError):  # Telegram may or may not have it
        await handle(journal, telegram, 9, "Nomor laporan Anda: LPR-1")
    telegram.failure = None
    with caplog.at_level(logging.WARNING, logger="bot.replay"):
        [sent] = await handle(journal, telegram, 9, "Nomor laporan Anda: LPR-1", replay=True)
    assert telegram.calls == ["Nomor laporan Anda: LPR-1"] * 2 and sent.message_id == 102
    assert "sendMessage to 42 was on its way when the process stopped" in caplog.text
    with caplog.at_level(logging.WARNING, logger="bot.replay"):  # now it is known to be sent
        await handle(journal, telegram, 9, "Nomor laporan Anda: LPR-1", replay=True)
    assert len(telegram.calls) == 2


async def test_a_refused_send_leaves_nothing_to_replay(
        sessions: async_sessionmaker[AsyncSession]) -> None:
    journal, telegram = SendJournal(sessions), Telegram()
    telegram.failure = TelegramForbiddenError(SendMessage(chat_id=42, text="x"), "blocked")
    with pytest.raises(TelegramForbiddenError):
        await handle(journal, telegram, 10, "Halo")
    assert await journal.load(10) == {}


async def test_marking_an_update_handled_drops_its_journal(
        sessions: async_sessionmaker[AsyncSession]) -> None:
    journal, telegram, inbox = SendJournal(sessions), Telegram(), UpdateInbox(sessions)
    await inbox.record([(11, "42", {"update_id": 11}), (12, "42", {"update_id": 12})])
    await handle(journal, telegram, 11, "satu")
    await handle(journal, telegram, 12, "dua")
    assert [(uid, sent) for uid, _, sent in await inbox.pending_for_chat("42")] == [
        (11, True), (12, True)]
    await inbox.mark_handled(11)
    assert await journal.load(11) == {} and len(await journal.load(12)) == 1


async def test_state_written_by_a_running_update_waits_for_its_end_and_names_it(
        sessions: async_sessionmaker[AsyncSession]) -> None:
    storage = SqlStorage(sessions)
    storage.deferred = True
    current = CURRENT_UPDATE.set(UpdateRun(20, own_key=KEY))
    try:
        await storage.set_state(KEY, "intake:description")
    finally:
        CURRENT_UPDATE.reset(current)
    await storage.flush()  # a flush beside the running handler stores none of its step
    assert await SqlStorage(sessions).get_state(KEY) is None
    storage.seal(20)  # its handlers finished
    await storage.flush()
    stored = SqlStorage(sessions)
    assert await stored.get_state(KEY) == "intake:description"
    assert await stored.applied_update(KEY) == 20
