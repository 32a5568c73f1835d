"""Fixtures: the Bot API simulator, the real bot on SQLite or PostgreSQL+Redis, citizens."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
import redis.asyncio as aioredis

from bot.app import Application, application, run_application
from configuration.settings import Settings, load_settings
from simulator import BotApiSimulator

POSTGRES_DSN = os.environ.get("TEST_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


async def reset_postgres() -> str:
    """An empty `test` database; returns its SQLAlchemy URL."""
    connection = await asyncpg.connect(POSTGRES_DSN)
    try:
        await connection.execute("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;")
    finally:
        await connection.close()
    return POSTGRES_DSN.replace("postgresql://", "postgresql+asyncpg://", 1)


async def reset_redis() -> str:
    client = aioredis.from_url(REDIS_URL)
    try:
        await client.flushdb()
    finally:
        await client.aclose()
    return REDIS_URL


@pytest.fixture
async def sim() -> AsyncIterator[BotApiSimulator]:
    async with BotApiSimulator() as simulator:
        yield simulator


@pytest.fixture(params=["sqlite"])
def backend(request: pytest.FixtureRequest) -> str:
    """Which storage the bot runs on; tests parametrize it with indirect=True."""
    return request.param


@pytest.fixture
async def settings(backend: str, tmp_path: Path, sim: BotApiSimulator) -> Settings:
    overrides: dict[str, object] = {"bot_api_url": sim.base_url, "bot_token": sim.token,
                                    "geocoder_url": None, "private_message_interval": 0,
                                    "group_message_interval": 0}
    if backend == "postgres":
        overrides["database_url"] = await reset_postgres()
        overrides["redis_url"] = await reset_redis()
    else:
        overrides["database_url"] = f"sqlite+inline:///{tmp_path / 'lapor.db'}"
    return load_settings(**overrides)


class RunningBot:
    """The real bot process (in this event loop), startable and restartable."""

    def __init__(self, settings: Settings, sim: BotApiSimulator, *,
                 webhook: bool = False) -> None:
        self.settings = settings
        self.sim = sim
        self.webhook = webhook  # receive updates on the webhook server instead of polling
        self.app: Application | None = None
        self._stack: contextlib.AsyncExitStack | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> Application:
        self._stack = contextlib.AsyncExitStack()
        self.app = await self._stack.enter_async_context(
            application(self.settings, self.sim.token, poll_timeout=1, webhook=self.webhook))
        self._task = asyncio.create_task(run_application(self.app, install_signals=False))
        return self.app

    async def stop(self) -> None:
        if self.app is None:
            return
        self.app.stop()
        assert self._task is not None
        await asyncio.wait_for(self._task, timeout=30)
        assert self._stack is not None
        await self._stack.aclose()
        self.app = None

    async def restart(self) -> Application:
        await self.stop()
        return await self.start()


@pytest.fixture
async def bot(settings: Settings, sim: BotApiSimulator) -> AsyncIterator[RunningBot]:
    running = RunningBot(settings, sim)
    await running.start()
    try:
        yield running
    finally:
        await running.stop()
