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
from aiogram.types import BotCommand
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.deadlines import DeadlineScheduler
from bot.deferred_state import DeferredStorage
from bot.inline_filters import run_filters_inline
from bot.isolation import ReleasingEventIsolation
from bot.outbox import OutboxWorker
from bot.pacing import Pacer, SharedPacer
from bot.polling import ReliablePolling
from bot.replay import ReplayJournalMiddleware, SkipAppliedUpdates
from bot.retention import retention_worker
from bot.retry import RetryRequestMiddleware
from bot.startup import check_bot_api, check_redis, hold_sqlite, prepare_database
from bot.statistics import RekapProcess
from bot.update_queues import ChatQueues, SharedChatQueues
from bot.warmup import keep_response_models
from bot.webhook import Readiness, WebhookServer
from complaints.clock import Clock, utc_now
from complaints.questions import PendingInputs
from configuration.settings import Settings
from conversations import intake, registration
from db.engine import create_engine, create_sessionmaker
from db.fsm import SqlStorage
from db.inbox import UpdateInbox
from db.outbox import OutboxStore
from db.replay import SendJournal
from db.uow import SqlUnitOfWork, Wakeups
from handlers import (
    abuse,
    common,
    deadlines,
    delivery,
    errors,
    fallback,
    followup,
    privacy,
    staff,
    stats,
    trust,
)
from handlers.middlewares import CitizenContextMiddleware
from presentation.answers import AnswerCallbacks
from presentation.context import AppContext

log = logging.getLogger(__name__)


def create_bot(settings: Settings, token: str,
               retry: RetryRequestMiddleware | None = None,
               journal: SendJournal | None = None) -> Bot:
    """A Bot talking to BOT_API_URL (Telegram, a self-hosted server, or the simulator)."""
    keep_response_models()
    session = AiohttpSession(api=TelegramAPIServer.from_base(settings.bot_api_url.rstrip("/")))
    if journal is not None:  # outermost: a replay's recorded answer skips the retries too
        session.middleware(ReplayJournalMiddleware(journal))
    session.middleware(retry or RetryRequestMiddleware(max_retry_after=settings.max_retry_after))
    return Bot(token, session=session,
               default=DefaultBotProperties(parse_mode=ParseMode.HTML,
                                            link_preview_is_disabled=True))


def create_dispatcher(storage: BaseStorage, isolation: BaseEventIsolation) -> Dispatcher:
    """Routers in priority order: errors, global commands, wizards, then fallbacks."""
    dispatcher = Dispatcher(storage=storage, events_isolation=isolation)
    dispatcher.update.outer_middleware(SkipAppliedUpdates())  # right after aiogram's FSM one
    dispatcher.update.outer_middleware(CitizenContextMiddleware())
    dispatcher.update.outer_middleware(abuse.AbuseGuard())  # blocked and flooding senders stop
    dispatcher.callback_query.middleware(AnswerCallbacks())
    dispatcher.include_routers(
        errors.create_router(), abuse.create_router(), delivery.create_router(),
        deadlines.create_router(), trust.create_router(), stats.create_router(),
        staff.create_router(),
        staff.create_private_router(),
        *(module.create_router() for module in (
            privacy, common, followup, registration, intake, fallback)))
    run_filters_inline(dispatcher)
    return dispatcher


def _storage(settings: Settings, engine: AsyncEngine) -> BaseStorage:
    """SQL storage by default; Redis (shared state) when several processes run.

    The event isolation is always this process's own (ReleasingEventIsolation): updates of a
    chat reach one process at a time anyway (polling is one process; webhook processes take
    the chat's inbox turn, a renewed lease), and aiogram's Redis lock is an unrenewed 60 s one
    that a killed process leaves behind, stalling each chat it was serving for a minute.
    """
    if settings.redis_url:
        from aiogram.fsm.storage.redis import DefaultKeyBuilder, RedisStorage

        redis_storage = RedisStorage.from_url(
            settings.redis_url,
            key_builder=DefaultKeyBuilder(prefix=settings.redis_prefix, with_destiny=True))
        return DeferredStorage(redis_storage)
    return SqlStorage(create_sessionmaker(engine))


COMMANDS = {
    "id": [("lapor", "Buat laporan"), ("status", "Laporan saya"), ("profil", "Profil"),
           ("bahasa", "Ganti bahasa"), ("batal", "Batalkan"), ("kembali", "Mundur satu langkah"),
           ("data_saya", "Data saya"), ("hapus_data", "Hapus data saya"), ("help", "Bantuan")],
    "en": [("lapor", "New report"), ("status", "My reports"), ("profil", "Profile"),
           ("bahasa", "Language"), ("batal", "Cancel"), ("kembali", "Back one step"),
           ("data_saya", "My data"), ("hapus_data", "Erase my data"), ("help", "Help")],
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
    webhook: WebhookServer | None = None

    def stop(self) -> None:
        """Finish receiving updates (polling or webhook) and shut down."""
        self.polling.stop()
        if self.webhook is not None:
            self.webhook.stop()


@contextlib.asynccontextmanager
async def application(settings: Settings, token: str, *, migrate: bool = True,
                      poll_timeout: int = 25, clock: Clock = utc_now,
                      webhook: bool = False,
                      ) -> AsyncIterator[Application]:
    """Build the whole bot; closes every resource on exit.

    Start-up problems (token, Bot API server, database, Redis) raise StartupError first.
    """
    probe = create_bot(settings, token, retry=RetryRequestMiddleware(attempts=2))
    try:
        await check_bot_api(probe, settings.bot_api_url)
    finally:
        await probe.session.close()
    del probe  # its TLS context (the CA bundle) is freed, not kept for the whole run
    if migrate:
        await prepare_database(settings.database_url)
    if settings.redis_url:
        await check_redis(settings.redis_url)
    running_lock = hold_sqlite(settings.database_url)  # one bot per SQLite file; restore waits
    engine = create_engine(settings.database_url)
    sessionmaker = create_sessionmaker(engine)
    storage, isolation = _storage(settings, engine), ReleasingEventIsolation()
    shared = webhook and bool(settings.redis_url)  # several processes: order from the inbox
    journal = SendJournal(sessionmaker)
    bot = create_bot(settings, token, journal=journal)
    dispatcher = create_dispatcher(storage, isolation)
    wakeups = Wakeups()
    uow = partial(SqlUnitOfWork, sessionmaker, wakeups)
    statistics = RekapProcess(settings.database_url, settings.calendar)
    context = AppContext(settings=settings, uow=uow, pending=PendingInputs(uow, clock),
                         clock=clock, statistics=statistics)
    inbox = UpdateInbox(sessionmaker)
    updates: ChatQueues
    if shared:
        updates = SharedChatQueues(bot, dispatcher, inbox, redis_url=settings.redis_url,
                                   key_prefix=settings.redis_prefix,
                                   stop_timeout=settings.stop_timeout, app=context)
    else:
        updates = ChatQueues(bot, dispatcher, inbox, stop_timeout=settings.stop_timeout,
                             app=context)
    polling = ReliablePolling(bot, dispatcher, inbox, updates, poll_timeout=poll_timeout)
    server = None
    if webhook:  # readiness asks the Bot API without retries: a slow answer is the news
        probe_bot = create_bot(settings, token, retry=RetryRequestMiddleware(attempts=1))
        secrets = (token, settings.webhook_secret.get_secret_value()
                   if settings.webhook_secret else "")
        readiness = Readiness(engine, settings.redis_url, probe_bot, secrets)
        server = WebhookServer(settings, bot, dispatcher, inbox, updates, readiness)
    updates.journal = journal
    if isinstance(storage, SqlStorage):
        storage.deferred = True  # written in one batch before updates are marked handled
    if isinstance(storage, SqlStorage | DeferredStorage):  # Redis: the same
        updates.after_handle = storage.seal  # a finished update's changes, and only those,
        updates.before_mark = storage.flush  # are stored before it is marked handled
    try:
        yield Application(settings, engine, bot, dispatcher, context, polling,
                          OutboxStore(sessionmaker), wakeups, server)
    finally:
        if server is not None:
            await server.readiness.close()
        await bot.session.close()
        if isinstance(storage, SqlStorage):
            await storage.flush()
        await storage.close()
        await isolation.close()
        statistics.close()
        await engine.dispose()
        running_lock.close()


@contextlib.asynccontextmanager
async def pacing(settings: Settings) -> AsyncIterator[Pacer]:
    """Telegram's limits hold for the bot: with Redis every process takes its turns there."""
    intervals = (settings.private_message_interval, settings.group_message_interval,
                 settings.global_message_rate)
    if not settings.redis_url:
        yield Pacer(*intervals)
        return
    import redis.asyncio as aioredis

    client = aioredis.from_url(settings.redis_url)
    try:
        yield SharedPacer(client, settings.redis_prefix, *intervals)
    finally:
        await client.aclose()


async def run_application(app: Application, *, install_signals: bool = True) -> None:
    """Receive updates until SIGTERM/SIGINT (or app.stop()), with the workers beside it.

    Long polling by default; the webhook server when the application was built for it.
    """
    if install_signals:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, app.stop)
    await _set_commands(app.bot)
    lookup = None
    if app.settings.geocoder_url:  # geopy and its requests (about 6 MiB) only when configured
        from bot.geocoding import AddressLookup, address_worker
        from db.geocode_cache import GeocodeCache

        lookup = AddressLookup(
            app.settings.geocoder_url, GeocodeCache(create_sessionmaker(app.engine)),
            user_agent=app.settings.geocoder_user_agent, timeout=app.settings.geocoder_timeout,
            retries=app.settings.geocoder_retries, retry_delay=app.settings.geocoder_retry_delay)
    async with contextlib.AsyncExitStack() as stack:
        if lookup is not None:
            await stack.enter_async_context(lookup)
        if app.webhook is None or not app.settings.redis_url:  # the only process (polling is
            # always one): after a crash nobody else can be sending these
            await app.outbox.reclaim(app.context.clock())
        pacer = await stack.enter_async_context(pacing(app.settings))
        outbox = OutboxWorker(app.bot, app.outbox, app.context, pacer, app.wakeups.outbox)
        app.context.deliver_now = outbox.deliver_now
        sender = asyncio.create_task(outbox.run())
        scheduler = DeadlineScheduler(app.context)
        workers = [sender, asyncio.create_task(scheduler.run())]
        if lookup is not None:  # without a geocoder reports wait, unchecked, for one
            workers.append(asyncio.create_task(address_worker(app.context, lookup,
                                                                app.wakeups.addresses)))
        if app.settings.retention_days:  # off by default: the office decides the period
            workers.append(asyncio.create_task(retention_worker(
                app.context, app.settings.retention_days,
                app.settings.retention_check_hours * 3600)))
        try:
            if app.webhook is not None:
                await app.webhook.run()
            else:
                me = await app.bot.get_me()
                log.info("bot @%s is polling", me.username)
                await app.polling.run()
        finally:
            outbox.stop()
            scheduler.stop()
            await asyncio.wait(workers[:2], timeout=app.settings.stop_timeout)
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
