"""Telegram's limits on what a bot sends: about 1 message a second per chat, 20 a minute per
group, 30 a second overall. They hold for the bot, not for each process: with several
processes the reservations are kept in Redis (`SharedPacer`), so two processes together send
no faster than one may.
"""

from __future__ import annotations

import asyncio
import time
from contextvars import ContextVar
from typing import Any

# Set while a handler's deliver_now sends a citizen's tracking code: the answer to the user's
# own action goes unpaced, like every reply.
REPLYING: ContextVar[bool] = ContextVar("replying", default=False)


class Pacer:
    """Spaces the outbox's sends per chat and overall (this process alone sends)."""

    def __init__(self, private_interval: float = 1.0, group_interval: float = 3.0,
                 global_rate: float = 30.0) -> None:
        self.private_interval = private_interval
        self.group_interval = group_interval
        self.global_interval = 1.0 / global_rate if global_rate > 0 else 0.0
        self._next_chat: dict[int, float] = {}
        self._next_global = 0.0

    def _forget_idle(self, now: float) -> None:
        """Chats whose pause is over need no entry: the map stays as small as the busy chats."""
        if len(self._next_chat) > 1024:
            self._next_chat = {chat: at for chat, at in self._next_chat.items() if at > now}

    def interval(self, chat_id: int) -> float:
        return self.group_interval if chat_id < 0 else self.private_interval

    async def pause(self, chat_id: int, seconds: float) -> None:
        """Telegram said 429 for this chat: nothing goes there before retry_after."""
        self._next_chat[chat_id] = max(self._next_chat.get(chat_id, 0.0),
                                       time.monotonic() + seconds)

    async def wait(self, chat_id: int) -> None:
        """Sleep until this chat and the bot as a whole may send again."""
        if REPLYING.get():
            return
        await asyncio.sleep(await self._reserve(chat_id))

    async def _reserve(self, chat_id: int) -> float:
        """Take the next free slot of the chat and of the bot; seconds until it comes."""
        now = time.monotonic()
        self._forget_idle(now)
        overall = max(now, self._next_global)  # the bot's slot; a chat's 429 pause is its own
        at = max(overall, self._next_chat.get(chat_id, 0.0))
        self._next_chat[chat_id] = at + self.interval(chat_id)
        self._next_global = overall + self.global_interval
        return at - now


# One slot for a chat and the bot together, on Redis's clock (processes' clocks may differ).
_RESERVE = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local overall = math.max(now, tonumber(redis.call('GET', KEYS[2]) or '0'))
local at = math.max(overall, tonumber(redis.call('GET', KEYS[1]) or '0'))
redis.call('SET', KEYS[1], string.format('%.6f', at + tonumber(ARGV[1])), 'EX', 3600)
redis.call('SET', KEYS[2], string.format('%.6f', overall + tonumber(ARGV[2])), 'EX', 60)
return string.format('%.6f', at - now)
"""
_PAUSE = """
local clock = redis.call('TIME')
local until_ = tonumber(clock[1]) + tonumber(clock[2]) / 1000000 + tonumber(ARGV[1])
if until_ > tonumber(redis.call('GET', KEYS[1]) or '0') then
  redis.call('SET', KEYS[1], string.format('%.6f', until_), 'EX', 3600)
end
return 1
"""


class SharedPacer(Pacer):
    """The same spacing for every bot process together: the next free slots live in Redis."""

    def __init__(self, redis: Any, prefix: str, private_interval: float = 1.0,
                 group_interval: float = 3.0, global_rate: float = 30.0) -> None:
        super().__init__(private_interval, group_interval, global_rate)
        self._redis = redis
        self._prefix = prefix
        self._reserve_script = redis.register_script(_RESERVE)
        self._pause_script = redis.register_script(_PAUSE)

    def _chat_key(self, chat_id: int) -> str:
        return f"{self._prefix}:pace:{chat_id}"

    async def pause(self, chat_id: int, seconds: float) -> None:
        await self._pause_script(keys=[self._chat_key(chat_id)], args=[seconds])

    async def _reserve(self, chat_id: int) -> float:
        delay = await self._reserve_script(
            keys=[self._chat_key(chat_id), f"{self._prefix}:pace:all"],
            args=[self.interval(chat_id), self.global_interval])
        return max(0.0, float(delay))
