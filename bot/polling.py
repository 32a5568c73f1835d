"""Long polling that loses nothing: record each update durably, then confirm, then handle.

aiogram's own polling confirms an update as soon as its task starts and does not wait for
tasks at shutdown. Here every update is committed to the inbox table before the next
getUpdates call confirms it; updates of one chat run one at a time, chats run in parallel
(bot/update_queues.py, shared with the webhook); a stop lets in-flight handlers finish and
leaves the rest in the inbox for the next start.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
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

from bot.update_queues import ChatQueues
from db.inbox import UpdateInbox

log = logging.getLogger(__name__)

_CHAT_SOURCES = ("message", "edited_message", "channel_post", "edited_channel_post",
                 "my_chat_member", "chat_member", "chat_join_request", "message_reaction")


_MEMBER_MESSAGES = ("message", "edited_message")


def _in_group(chat: int, sender: dict[str, Any] | None, per_member: bool) -> str:
    """A group's messages and presses are ordered per member (FSM state is per member there
    too): one staff member's slow answer does not hold up another's."""
    if per_member and chat < 0 and sender:
        return f"{chat}:{sender['id']}"
    return str(chat)


def chat_key(payload: dict[str, Any]) -> str:
    """The chat whose updates must be handled in order (albums, wizard steps)."""
    for field in _CHAT_SOURCES:
        if field in payload and "chat" in payload[field]:
            return _in_group(payload[field]["chat"]["id"], payload[field].get("from"),
                             field in _MEMBER_MESSAGES)
    query = payload.get("callback_query")
    if query:
        message = query.get("message") or {}
        chat = message.get("chat") or {}
        return _in_group(chat.get("id") or query["from"]["id"], query["from"], True)
    for value in payload.values():
        if isinstance(value, dict) and "from" in value:
            return f"user:{value['from']['id']}"
    return "global"


class ReliablePolling:
    """Runs the dispatcher against getUpdates with an inbox in between."""

    def __init__(self, bot: Bot, dispatcher: Dispatcher, inbox: UpdateInbox,
                 updates: ChatQueues, *, poll_timeout: int = 25) -> None:
        self.bot = bot
        self.dispatcher = dispatcher
        self.inbox = inbox
        self.updates = updates
        self.poll_timeout = poll_timeout
        self._stopping = asyncio.Event()

    def stop(self) -> None:
        """Ask the loop to finish (signal handlers call this)."""
        self._stopping.set()
        self.updates.stop()

    async def run(self) -> None:
        """Poll until stop(); then wait for in-flight handlers."""
        allowed = self.dispatcher.resolve_used_update_types()
        await self.inbox.purge()  # handled updates Telegram can no longer redeliver
        await self.updates.resume()
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
                    # an isolated failure is retried at once (every chat waits for this
                    # poll); an outage that goes on is backed off up to 30 s
                    failures += 1
                    delay = min(30.0, 0.25 * 2 ** min(failures - 1, 7))
                    log.warning("getUpdates failed (%s); retrying in %.1fs",
                                type(exc).__name__, delay)
                    await asyncio.sleep(delay)
                    continue
                failures = 0
                if updates:
                    offset = await self._record(updates)
        finally:
            stopping.cancel()
            await self.updates.drain()

    async def _record(self, updates: list[Update]) -> int:
        """Commit the batch to the inbox, queue the new ones, return the next offset."""
        rows = []
        for update in updates:
            payload = update.model_dump(mode="json", exclude_none=True, by_alias=True)
            rows.append((update.update_id, chat_key(payload), payload))
        fresh = set(await self.inbox.record(rows))
        for update, (update_id, chat, payload) in zip(updates, rows, strict=True):
            if update_id in fresh:
                self.updates.submit(update_id, chat, payload, update)
        return max(u.update_id for u in updates) + 1
