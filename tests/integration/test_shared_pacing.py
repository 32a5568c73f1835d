"""Telegram's limits hold for the bot, not per process: two processes share one budget."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
import redis.asyncio as aioredis

from bot.pacing import Pacer, SharedPacer
from tests.conftest import REDIS_PREFIX, reset_redis


@pytest.fixture
async def redis() -> AsyncIterator[Any]:
    client = aioredis.from_url(await reset_redis())
    yield client
    await client.aclose()


async def _now(redis: Any) -> float:
    seconds, micros = await redis.time()
    return seconds + micros / 1_000_000


async def test_two_processes_together_send_no_faster_than_the_bot_may(redis: Any) -> None:
    first, second = (SharedPacer(redis, REDIS_PREFIX, 0, 0, global_rate=10) for _ in range(2))
    started = await _now(redis)
    for chat in range(5):  # ten citizens' notices, five from each process
        await first._reserve(700 + chat)
        await second._reserve(800 + chat)
    next_free = float(await redis.get(f"{REDIS_PREFIX}:pace:all"))
    assert next_free - started >= 1.0  # ten slots of 0.1 s: one budget, not two of 0.5 s


async def test_a_429_one_process_met_holds_the_chat_for_the_other(redis: Any) -> None:
    first, second = (SharedPacer(redis, REDIS_PREFIX, 0, 0, global_rate=0) for _ in range(2))
    await first.pause(-4100000001, 30)  # the admin group: retry_after 30
    assert await second._reserve(-4100000001) > 20
    assert await second._reserve(700) < 5  # another chat goes on meanwhile


async def test_a_paused_chat_does_not_hold_up_the_others(redis: Any) -> None:
    pacer = SharedPacer(redis, REDIS_PREFIX, 0, 0, global_rate=30)
    await pacer.pause(-4100000001, 30)
    assert await pacer._reserve(-4100000001) > 20  # its next card waits out the 429
    assert await pacer._reserve(700) < 5  # a citizen's notice does not wait behind it


async def test_one_process_alone_keeps_the_same_limits_in_memory() -> None:
    pacer = Pacer(private_interval=1.0, group_interval=3.0, global_rate=0)
    assert await pacer._reserve(700) == 0
    assert await pacer._reserve(700) > 0.5  # the same citizen's next notice waits its turn
    await pacer.pause(-4100000001, 30)
    assert await pacer._reserve(-4100000001) > 20
    assert await pacer._reserve(701) < 5
