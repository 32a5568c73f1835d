"""Composition root: builds the engine, storage, Bot and Dispatcher, and runs them together."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator
from dataclasses import dataclass
from functools import partial

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage
from aiogram.fsm.storage.memory import SimpleEventIsolation
from aiogram.types import BotCommand
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.geocoding import AddressLookup, address_worker
from bot.inline_filters import run_filters_inline
from bot.outbox import OutboxWorker, Pacer
from bot.polling import ReliablePolling
from bot.retry import RetryRequestMiddleware
from bot.statistics import RekapProcess
from bot.warmup import keep_response_models
from complaints.questions import PendingInputs
from configuration.settings import Settings
from conversations import intake, registration
from db.engine import create_engine, create_sessionmaker
from db.fsm import SqlStorage
from db.geocode_cache import GeocodeCache
from db.inbox import UpdateInbox
from db.migrate import upgrade_async
from db.outbox import OutboxStore
from db.uow import SqlUnitOfWork, Wakeups
from handlers import common, errors, fallback, followup, staff, stats
from handlers.middlewares import CitizenContextMiddleware
from presentation.answers import AnswerCallbacks
from presentation.context import AppContext

log = logging.getLogger(__name__)


def create_bot(settings: Settings, token: str,
               retry: RetryRequestMiddleware | None = None) -> Bot:
    """A Bot talking to BOT_API_URL (Telegram, a self-hosted server, or the simulator)."""
    keep_response_models()
    session = AiohttpSession(api=TelegramAPIServer.from_base(settings.bot_api_url.rstrip("/")))
    session.middleware(retry or RetryRequestMiddleware())
    return Bot(token, session=session,
               default=DefaultBotProperties(parse_mode=ParseMode.HTML,
                                            link_preview_is_disabled=True))


def create_dispatcher(storage: BaseStorage, isolation: BaseEventIsolation) -> Dispatcher:
    """Routers in priority order: errors, global commands, wizards, then fallbacks."""
    dispatcher = Dispatcher(storage=storage, events_isolation=isolation)
    dispatcher.update.outer_middleware(CitizenContextMiddleware())
    dispatcher.callback_query.middleware(AnswerCallbacks())
    dispatcher.include_routers(
        errors.create_router(), stats.create_router(), staff.create_router(),
        staff.create_private_router(),
        *(module.create_router() for module in (
            common, followup, registration, intake, fallback)))
    run_filters_inline(dispatcher)
    return dispatcher


def _storage(settings: Settings, engine: AsyncEngine) -> tuple[BaseStorage, BaseEventIsolation]:
    """SQL storage by default; Redis (shared state and locks) when several processes run."""
    if settings.redis_url:
        from aiogram.fsm.storage.redis import DefaultKeyBuilder, RedisStorage

        redis_storage = RedisStorage.from_url(
            settings.redis_url, key_builder=DefaultKeyBuilder(with_destiny=True))
        return redis_storage, redis_storage.create_isolation()
    return SqlStorage(create_sessionmaker(engine)), SimpleEventIsolation()


COMMANDS = {
    "id": [("lapor", "Buat laporan"), ("status", "Laporan saya"), ("profil", "Profil"),
           ("bahasa", "Ganti bahasa"), ("batal", "Batalkan"), ("kembali", "Mundur satu langkah"),
           ("help", "Bantuan")],
    "en": [("lapor", "New report"), ("status", "My reports"), ("profil", "Profile"),
           ("bahasa", "Language"), ("batal", "Cancel"), ("kembali", "Back one step"),
           ("help", "Help")],
}


@dataclass
class Application:
    """Everything running for one bot process."""

    settings: Settings
    engine: AsyncEngine
    bot: Bot
    dispatcher: Dispatcher
    context: AppContext
    polling: ReliablePolling
    outbox: OutboxStore
    wakeups: Wakeups


@contextlib.asynccontextmanager
async def application(settings: Settings, token: str, *, migrate: bool = True,
                      poll_timeout: int = 25) -> AsyncIterator[Application]:
    """Build the whole bot; closes every resource on exit."""
    if migrate:
        await upgrade_async(settings.database_url)
    engine = create_engine(settings.database_url)
    sessionmaker = create_sessionmaker(engine)
    storage, isolation = _storage(settings, engine)
    bot = create_bot(settings, token)
    dispatcher = create_dispatcher(storage, isolation)
    wakeups = Wakeups()
    uow = partial(SqlUnitOfWork, sessionmaker, wakeups)
    statistics = RekapProcess(settings.database_url, settings.calendar)
    context = AppContext(settings=settings, uow=uow, pending=PendingInputs(uow),
                         statistics=statistics)
    polling = ReliablePolling(bot, dispatcher, UpdateInbox(sessionmaker),
                              poll_timeout=poll_timeout, app=context)
    if isinstance(storage, SqlStorage):
        storage.deferred = True  # written in one batch before updates are marked handled
        polling.before_mark = storage.flush
        await storage.preload()  # the only process: nothing else writes conversation state
    try:
        yield Application(settings, engine, bot, dispatcher, context, polling,
                          OutboxStore(sessionmaker), wakeups)
    finally:
        await bot.session.close()
        if isinstance(storage, SqlStorage):
            await storage.flush()
        await storage.close()
        await isolation.close()
        statistics.close()
        await engine.dispose()


async def run_application(app: Application, *, install_signals: bool = True) -> None:
    """Poll until SIGTERM/SIGINT (or app.polling.stop()), with the address worker beside it."""
    if install_signals:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, app.polling.stop)
    await _set_commands(app.bot)
    lookup = None
    if app.settings.geocoder_url:
        lookup = AddressLookup(
            app.settings.geocoder_url, GeocodeCache(create_sessionmaker(app.engine)),
            user_agent=app.settings.geocoder_user_agent, timeout=app.settings.geocoder_timeout)
    async with contextlib.AsyncExitStack() as stack:
        if lookup is not None:
            await stack.enter_async_context(lookup)
        pacer = Pacer(app.settings.private_message_interval, app.settings.group_message_interval)
        outbox = OutboxWorker(app.bot, app.outbox, app.context, pacer, app.wakeups.outbox)
        sender = asyncio.create_task(outbox.run())
        workers = [sender]
        if lookup is not None:  # without a geocoder reports wait, unchecked, for one
            workers.append(asyncio.create_task(address_worker(app.context, lookup,
                                                                app.wakeups.addresses)))
        try:
            me = await app.bot.get_me()
            log.info("bot @%s is polling", me.username)
            await app.polling.run()
        finally:
            outbox.stop()
            await asyncio.wait([sender], timeout=app.settings.stop_timeout)
            for worker in workers:
                worker.cancel()
            for worker in workers:
                with contextlib.suppress(asyncio.CancelledError):
                    await worker


async def _set_commands(bot: Bot) -> None:
    """The command menu in both languages (Indonesian for everyone by default)."""
    for language, commands in COMMANDS.items():
        await bot.set_my_commands(
            [BotCommand(command=c, description=d) for c, d in commands],
            language_code=None if language == "id" else language)
