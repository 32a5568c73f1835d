"""End-to-end fixtures: the city staffed as `lapor-admin` would set it up."""

from __future__ import annotations

import pytest

from simulator import BotApiSimulator
from tests.conftest import RunningBot
from tests.e2e.staff import City, staff_the_city


@pytest.fixture
async def city(sim: BotApiSimulator, bot: RunningBot) -> City:
    """Staff members, agencies' groups and bound chats, on the running bot."""
    return await staff_the_city(sim, bot)
