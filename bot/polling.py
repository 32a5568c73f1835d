"""Long polling that loses nothing: record each update durably, then confirm, then handle.

aiogram's own polling confirms an update as soon as its task starts and does not wait for
tasks at shutdown. Here every update is committed to the inbox table before the next
getUpdates call confirms it; updates of one chat run one at a time, chats run in parallel;
a stop lets in-flight handlers finish and leaves the rest in the inbox for the next start.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import GetUpdates
from aiogram.types import Update

from bot.retry import IN_HANDLER
from db.inbox import UpdateInbox

log = logging.getLogger(__name__)

Queued = tuple[int, dict[str, Any], "Update | None"]  # update id, payload, parsed update
_CHAT_SOURCES = ("message", "edited_message", "channel_post", "edited_channel_post",
                 "my_chat_member", "chat_member", "chat_join_request", "message_reaction")


def chat_key(payload: dict[str, Any]) -> str:
    """The chat whose updates must be handled in order (albums, wizard steps)."""
    for field in _CHAT_SOURCES:
        if field in payload and "chat" in payload[field]:
            return str(payload[field]["chat"]["id"])
    query = payload.get("callback_query")
    if query:
        message = query.get("message") or {}
        chat = message.get("chat") or {}
        return str(chat.get("id") or query["from"]["id"])
    for value in payload.values():
        if isinstance(value, dict) and "from" in value:
            return f"user:{value['from']['id']}"
    return "global"


class ReliablePolling:
    """Runs the dispatcher against getUpdates with an inbox in between."""

    def __init__(self, bot: Bot, dispatcher: Dispatcher, inbox: UpdateInbox, *,
                 poll_timeout: int = 25, stop_timeout: float = 30.0,
                 **workflow_data: Any) -> None:
        self.bot = bot
        self.dispatcher = dispatcher
        self.inbox = inbox
        self.poll_timeout = poll_timeout
        self.stop_timeout = stop_timeout
        self.workflow_data = workflow_data
        self._queues: dict[str, asyncio.Queue[Queued]] = {}
        self._workers: dict[str, asyncio.Task[None]] = {}
        self._stopping = asyncio.Event()
        self._handled: list[int] = []
        self.before_mark: Callable[[], Awaitable[None]] | None = None
        self._flusher: asyncio.Task[None] | None = None
        self.flush_delay = 0.05

    def stop(self) -> None:
        """Ask the loop to finish (signal handlers call this)."""
        self._stopping.set()

    async def run(self) -> None:
        """Poll until stop(); then wait for in-flight handlers."""
        allowed = self.dispatcher.resolve_used_update_types()
        await self.inbox.purge()  # handled updates Telegram can no longer redeliver
        for update_id, chat, payload in await self.inbox.pending():
            self._enqueue(update_id, chat, payload)
        last = await self.inbox.last_update_id()
        offset = last + 1 if last is not None else None
        failures = 0
        stopping = asyncio.create_task(self._stopping.wait())
        try:
            while not self._stopping.is_set():
                request = asyncio.create_task(self.bot(GetUpdates(
                    offset=offset, timeout=self.poll_timeout, allowed_updates=allowed)))
                done, _ = await asyncio.wait({request, stopping},
                                             return_when=asyncio.FIRST_COMPLETED)
                if request not in done:
                    request.cancel()
                    with contextlib.suppress(asyncio.CancelledError, Exception):
                        await request
                    break
                try:
                    updates = request.result()
                except TelegramRetryAfter as exc:
                    await asyncio.sleep(exc.retry_after)
                    continue
                except (TelegramNetworkError, TelegramServerError, ClientDecodeError) as exc:
                    # ClientDecodeError: an HTML error page instead of JSON (a 502 from the
                    # front end), or an answer this aiogram cannot read; both pass with time
                    failures += 1
                    delay = min(30.0, 0.5 * 2 ** min(failures, 6))
                    log.warning("getUpdates failed (%s); retrying in %.1fs",
                                type(exc).__name__, delay)
                    await asyncio.sleep(delay)
                    continue
                failures = 0
                if updates:
                    offset = await self._record(updates)
        finally:
            stopping.cancel()
            await self._drain()

    async def _record(self, updates: list[Update]) -> int:
        """Commit the batch to the inbox, queue the new ones, return the next offset."""
        rows = []
        for update in updates:
            payload = update.model_dump(mode="json", exclude_none=True, by_alias=True)
            rows.append((update.update_id, chat_key(payload), payload))
        fresh = set(await self.inbox.record(rows))
        for update, (update_id, chat, payload) in zip(updates, rows, strict=True):
            if update_id in fresh:
                self._enqueue(update_id, chat, payload, update)
        return max(u.update_id for u in updates) + 1

    def _enqueue(self, update_id: int, chat: str, payload: dict[str, Any],
                 update: Update | None = None) -> None:
        queue = self._queues.setdefault(chat, asyncio.Queue())
        queue.put_nowait((update_id, payload, update))
        if chat not in self._workers:
            self._workers[chat] = asyncio.create_task(self._work(chat, queue))

    async def _work(self, chat: str, queue: asyncio.Queue[Queued]) -> None:
        """Handle one chat's updates in order; exits when the queue is empty."""
        try:
            while not queue.empty() and not self._stopping.is_set():
                update_id, payload, update = queue.get_nowait()
                await self._handle(update_id, payload, update)
        finally:
            self._workers.pop(chat, None)
            if queue.empty():
                self._queues.pop(chat, None)

    async def _handle(self, update_id: int, payload: dict[str, Any],
                      update: Update | None) -> None:
        patient = IN_HANDLER.set(True)  # a reply waits out a long 429 instead of being dropped
        try:
            if update is None:  # read back from the inbox after a restart
                update = Update.model_validate(payload, context={"bot": self.bot})
            await self.dispatcher.feed_update(self.bot, update, **self.workflow_data)
        except Exception:
            log.exception("update %s failed; recorded as handled so it cannot loop", update_id)
        finally:
            IN_HANDLER.reset(patient)
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

    async def _drain(self) -> None:
        """Let in-flight handlers finish; queued ones stay in the inbox for the next start."""
        workers = list(self._workers.values())
        if workers:
            await asyncio.wait(workers, timeout=self.stop_timeout)
        if self._flusher is not None:
            await self._flusher
        if self.before_mark is not None:
            await self.before_mark()
        if self._handled:
            await self.inbox.mark_handled(*self._handled)
