"""Redis conversation state is held back until its update is marked handled."""

from __future__ import annotations

import asyncio

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import StorageKey
from aiogram.fsm.storage.memory import MemoryStorage

from bot.deferred_state import DeferredStorage
from db.replay import CURRENT_UPDATE, UpdateRun

KEY = StorageKey(bot_id=1, chat_id=42, user_id=42)


async def test_changes_are_seen_at_once_but_stored_only_on_flush() -> None:
    inner = MemoryStorage()
    await inner.set_state(KEY, "intake:description")
    await inner.set_data(KEY, {"photos": 1})
    storage = DeferredStorage(inner)
    await storage.set_state(KEY, State("category", group_name="intake"))
    await storage.update_data(KEY, {"description": "banjir"})
    assert await storage.get_state(KEY) == "intake:category"
    assert await storage.get_data(KEY) == {"photos": 1, "description": "banjir"}
    # killed now: whoever replays the update starts from the step it was handled in
    assert await inner.get_state(KEY) == "intake:description"
    assert await inner.get_data(KEY) == {"photos": 1}
    await storage.flush()
    assert await inner.get_state(KEY) == "intake:category"
    assert await inner.get_data(KEY) == {"photos": 1, "description": "banjir"}
    await storage.set_state(KEY, None)  # a finished wizard clears its step
    await storage.flush()
    assert await inner.get_state(KEY) is None


async def test_held_data_cannot_be_changed_through_a_returned_copy() -> None:
    storage = DeferredStorage(MemoryStorage())
    await storage.set_data(KEY, {"photos": [1]})
    (await storage.get_data(KEY))["photos"].append(2)
    assert await storage.get_data(KEY) == {"photos": [1]}


class SlowStorage(MemoryStorage):
    """Writes that take a moment, as Redis round trips do."""

    async def set_state(self, key: StorageKey, state: str | State | None = None) -> None:
        await asyncio.sleep(0.01)
        await super().set_state(key, state)


async def test_a_read_during_the_flush_sees_the_latest_step() -> None:
    storage = DeferredStorage(SlowStorage())
    await storage.set_state(KEY, "intake:photos")
    flushing = asyncio.create_task(storage.flush())
    await asyncio.sleep(0)  # the write is on its way, not landed
    assert await storage.get_state(KEY) == "intake:photos"
    await storage.set_state(KEY, "intake:location")  # changed again while it is written
    await flushing
    assert await storage.get_state(KEY) == "intake:location"
    await storage.flush()
    assert await storage.inner.get_state(KEY) == "intake:location"


async def test_a_step_of_a_running_update_is_stored_only_once_it_finished() -> None:
    storage = DeferredStorage(MemoryStorage())
    current = CURRENT_UPDATE.set(UpdateRun(31, own_key=KEY))
    try:
        await storage.set_state(KEY, "intake:location")
        await storage.flush()  # beside the running handler: its step is not stored yet
        assert await storage.inner.get_state(KEY) is None
        assert await storage.get_state(KEY) == "intake:location"  # but it reads its own
    finally:
        CURRENT_UPDATE.reset(current)
    storage.seal(31)
    await storage.flush()
    assert await storage.inner.get_state(KEY) == "intake:location"
    assert await storage.applied_update(KEY) == 31  # a replay of update 31 is done already


async def test_a_step_written_for_another_conversation_names_no_update() -> None:
    storage = DeferredStorage(MemoryStorage())
    citizen = StorageKey(bot_id=1, chat_id=77, user_id=77)
    current = CURRENT_UPDATE.set(UpdateRun(32, own_key=KEY))  # staff resetting a citizen
    try:
        await storage.set_state(citizen, None)
    finally:
        CURRENT_UPDATE.reset(current)
    storage.seal(32)
    await storage.flush()
    assert await storage.applied_update(citizen) is None
