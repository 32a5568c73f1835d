"""Handling recorded updates: one chat at a time in update order, chats in parallel.

Polling and the webhook both record an update in the inbox first and then hand it here.
`ChatQueues` keeps the order inside one process (the single-process default). With several
webhook processes an update of one chat may reach process A and the next one process B, so
`SharedChatQueues` takes the order from the inbox table instead: whoever records an update
takes the chat's lock in Redis and handles every pending row of that chat in update_id order.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.types import Update

from bot.retry import IN_HANDLER
from complaints.clock import utc_now
from db.inbox import UpdateInbox
from db.replay import CURRENT_UPDATE, SendJournal, UpdateRun

log = logging.getLogger(__name__)

# update id, payload, parsed update, whether an earlier run may have handled it in part
Queued = tuple[int, dict[str, Any], "Update | None", bool]


class ChatQueues:
    """Feeds updates to the dispatcher, per chat in order, marking them handled in batches."""

    def __init__(self, bot: Bot, dispatcher: Dispatcher, inbox: UpdateInbox, *,
                 stop_timeout: float = 30.0, **workflow_data: Any) -> None:
        self.bot = bot
        self.dispatcher = dispatcher
        self.inbox = inbox
        self.stop_timeout = stop_timeout
        self.workflow_data = workflow_data
        self._queues: dict[str, asyncio.Queue[Queued]] = {}
        self._workers: dict[str, asyncio.Task[None]] = {}
        self._stopping = asyncio.Event()
        self._handled: list[int] = []
        self.before_mark: Callable[[], Awaitable[None]] | None = None
        self.after_handle: Callable[[int], None] | None = None  # e.g. seal its state changes
        self.journal: SendJournal | None = None  # what updates sent, for their replays
        self._flusher: asyncio.Task[None] | None = None
        self.flush_delay = 0.05

    def stop(self) -> None:
        """Take no further update from the queues; in-flight handlers finish in drain()."""
        self._stopping.set()

    async def resume(self) -> None:
        """Queue what a previous run recorded but did not handle (a stop or a crash)."""
        for update_id, chat, payload in await self.inbox.pending():
            self.submit(update_id, chat, payload, replay=True)

    def submit(self, update_id: int, chat: str, payload: dict[str, Any],
               update: Update | None = None, *, replay: bool = False) -> None:
        """Handle a recorded update after the chat's earlier ones."""
        queue = self._queues.setdefault(chat, asyncio.Queue())
        queue.put_nowait((update_id, payload, update, replay))
        if chat not in self._workers:
            self._workers[chat] = asyncio.create_task(self._work(chat, queue))

    async def _work(self, chat: str, queue: asyncio.Queue[Queued]) -> None:
        """Handle one chat's updates in order; exits when the queue is empty."""
        try:
            while not queue.empty() and not self._stopping.is_set():
                update_id, payload, update, replay = queue.get_nowait()
                await self._handle(update_id, payload, update, replay=replay)
                self._mark_later(update_id)
        finally:
            self._workers.pop(chat, None)
            if queue.empty():
                self._queues.pop(chat, None)

    async def _handle(self, update_id: int, payload: dict[str, Any],
                      update: Update | None, *, replay: bool = False,
                      journaled: bool = True) -> None:
        """Run the dispatcher; a failing handler is logged and counts as handled.

        A possible replay (a previous run may have handled the update in part) gets what that
        run sent (bot/replay.py) and is skipped if its conversation state was already stored.
        """
        run = UpdateRun(update_id, maybe_replay=replay)
        patient = IN_HANDLER.set(True)  # a reply waits out a long 429 instead of being dropped
        current = CURRENT_UPDATE.set(run)
        try:
            if replay and journaled and self.journal is not None:
                run.remember(await self.journal.load(update_id))
            if update is None:  # read back from the inbox
                update = Update.model_validate(payload, context={"bot": self.bot})
            await self.dispatcher.feed_update(self.bot, update, **self.workflow_data)
        except Exception:
            log.exception("update %s failed; recorded as handled so it cannot loop", update_id)
        finally:
            CURRENT_UPDATE.reset(current)
            IN_HANDLER.reset(patient)
            if self.after_handle is not None:
                self.after_handle(update_id)

    def _mark_later(self, update_id: int) -> None:
        self._handled.append(update_id)
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush_handled())

    async def _flush_handled(self) -> None:
        """Mark handled updates in batches: one write for many updates.

        An update handled but not yet marked when the process dies runs again on the next
        start (at least once); the window is this short delay.
        """
        await asyncio.sleep(self.flush_delay)
        while self._handled:
            batch, self._handled = self._handled, []
            if self.before_mark is not None:
                await self.before_mark()  # e.g. deferred conversation state, first
            await self.inbox.mark_handled(*batch)

    async def drain(self) -> None:
        """Let in-flight handlers finish; queued ones stay in the inbox for the next start."""
        self.stop()
        workers = list(self._workers.values())
        if workers:
            await asyncio.wait(workers, timeout=self.stop_timeout)
        if self._flusher is not None:
            await self._flusher
        if self.before_mark is not None:
            await self.before_mark()
        if self._handled:
            await self.inbox.mark_handled(*self._handled)


class SharedChatQueues(ChatQueues):
    """Per-chat order across processes: the inbox table is the queue, a Redis lock the turn.

    `submit` only says "this chat has work". The chat's worker takes the chat's lock (waiting
    while another process holds it), then handles every pending row of the chat in update_id
    order, marking each handled before the next, and lets go. An update recorded by process A
    while process B holds the lock is either picked up by B's next read or by A once B lets go.
    A sweep every few seconds picks up rows a killed process recorded and never handled; the
    lock's lease expires `lease` seconds after its holder died.
    """

    def __init__(self, bot: Bot, dispatcher: Dispatcher, inbox: UpdateInbox, *,
                 redis_url: str, key_prefix: str, lease: float = 15.0,
                 sweep_interval: float = 5.0, stop_timeout: float = 30.0,
                 **workflow_data: Any) -> None:
        super().__init__(bot, dispatcher, inbox, stop_timeout=stop_timeout, **workflow_data)
        import redis.asyncio as aioredis

        self._redis = aioredis.from_url(redis_url)
        self._key_prefix = key_prefix
        self.lease = lease
        self.sweep_interval = sweep_interval
        self._dirty: set[str] = set()
        self._sweeper: asyncio.Task[None] | None = None

    async def resume(self) -> None:
        """Every chat with pending rows gets a worker now, and a sweep runs from now on."""
        await self.sweep(timedelta(0))
        self._sweeper = asyncio.create_task(self._sweep_forever())

    def submit(self, update_id: int, chat: str, payload: dict[str, Any],
               update: Update | None = None) -> None:
        """Mark the chat as having work; the payload is read back from the inbox in order."""
        self._dirty.add(chat)
        if chat not in self._workers and not self._stopping.is_set():
            self._workers[chat] = asyncio.create_task(self._work_shared(chat))

    async def sweep(self, grace: timedelta) -> int:
        """Give a worker to every chat with rows pending for longer than `grace`."""
        chats = await self.inbox.pending_chats(received_before=utc_now() - grace)
        for chat in chats:
            self._dirty.add(chat)
            if chat not in self._workers and not self._stopping.is_set():
                self._workers[chat] = asyncio.create_task(self._work_shared(chat))
        return len(chats)

    async def _sweep_forever(self) -> None:
        """Rows left by a process that died: older than a sweep interval and still pending."""
        while not self._stopping.is_set():
            await asyncio.sleep(self.sweep_interval)
            try:
                await self.sweep(timedelta(seconds=self.sweep_interval))
            except Exception:
                log.exception("inbox sweep failed; trying again later")

    async def _work_shared(self, chat: str) -> None:
        try:
            while chat in self._dirty and not self._stopping.is_set():
                self._dirty.discard(chat)
                async with self._chat_turn(chat):
                    await self._handle_pending(chat)
        except Exception:
            log.exception("handling chat %s failed; the sweep retries it", chat)
        finally:
            self._workers.pop(chat, None)

    async def _handle_pending(self, chat: str) -> None:
        """Every pending row of the chat, oldest first, each marked before the next."""
        while not self._stopping.is_set():
            rows = await self.inbox.pending_for_chat(chat, limit=50)
            if not rows:
                return
            for update_id, payload, journaled in rows:
                if self._stopping.is_set():
                    return
                # any row may be one a killed process had begun: checked as a replay
                await self._handle(update_id, payload, None, replay=True, journaled=journaled)
                if self.before_mark is not None:
                    await self.before_mark()  # e.g. the conversation state it changed, first
                await self.inbox.mark_handled(update_id)

    @contextlib.asynccontextmanager
    async def _chat_turn(self, chat: str) -> AsyncIterator[None]:
        """Hold the chat's Redis lock, renewing its lease while the handlers run."""
        lock = self._redis.lock(f"{self._key_prefix}:inbox-turn:{chat}", timeout=self.lease,
                                sleep=0.02, blocking=True)
        await lock.acquire()
        renew = asyncio.create_task(self._renew(lock))
        try:
            yield
        finally:
            renew.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renew
            with contextlib.suppress(Exception):  # expired already: nothing to release
                await lock.release()

    async def _renew(self, lock: Any) -> None:
        while True:
            await asyncio.sleep(self.lease / 3)
            await lock.reacquire()

    async def drain(self) -> None:
        """Finish in-flight handlers; what is left stays pending for any process to take."""
        self.stop()
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
        workers = list(self._workers.values())
        if workers:
            _, late = await asyncio.wait(workers, timeout=self.stop_timeout)
            for worker in late:  # e.g. still waiting for a chat's turn: its rows stay pending
                worker.cancel()
            if late:
                await asyncio.wait(late)
        await self._redis.aclose()
