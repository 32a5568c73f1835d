"""What the bot keeps in memory stays bounded however many citizens write to it."""

from __future__ import annotations

import asyncio
import copy
import pickle

from aiogram.fsm.storage.base import StorageKey

from bot.isolation import ReleasingEventIsolation
from bot.pacing import Pacer
from complaints.lru import LruDict


def test_lru_dict_forgets_the_least_recently_used_entry() -> None:
    cache: LruDict[int, str] = LruDict(2)
    cache[1], cache[2] = "a", "b"
    assert cache.get(1) == "a"  # 1 is now the most recent
    cache[3] = "c"
    assert dict(cache) == {1: "a", 3: "c"}
    assert cache.get(2) is None and cache.get(2, "gone") == "gone"


def test_lru_dict_survives_copies_and_pickles_with_its_bound() -> None:
    cache: LruDict[int, str] = LruDict(2)
    cache[1], cache[2] = "a", "b"
    for clone in (copy.copy(cache), copy.deepcopy(cache), pickle.loads(pickle.dumps(cache))):
        assert clone == cache and clone.maxsize == 2
        clone[3] = "c"
        assert list(clone) == [2, 3]


async def test_event_isolation_keeps_a_lock_only_while_it_is_used() -> None:
    isolation = ReleasingEventIsolation()
    key = StorageKey(bot_id=1, chat_id=5, user_id=5)
    order: list[str] = []

    async def hold(name: str) -> None:
        async with isolation.lock(key):
            order.append(f"{name} in")
            await asyncio.sleep(0.01)
            order.append(f"{name} out")

    await asyncio.gather(hold("first"), hold("second"))
    assert order == ["first in", "first out", "second in", "second out"]
    for chat in range(100):
        async with isolation.lock(StorageKey(bot_id=1, chat_id=chat, user_id=chat)):
            pass
    assert isolation._locks == {}


async def test_pacer_forgets_chats_whose_pause_is_over() -> None:
    pacer = Pacer(private_interval=0, group_interval=0, global_rate=1e9)
    for chat in range(5000):
        await pacer.wait(chat)
    assert len(pacer._next_chat) <= 1025
