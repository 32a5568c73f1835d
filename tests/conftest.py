"""Fixtures: the Bot API simulator, the real bot on SQLite or PostgreSQL+Redis, citizens."""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
import redis.asyncio as aioredis

from bot.app import Application, application, run_application
from complaints.clock import Clock, utc_now
from configuration.settings import Settings, load_settings
from simulator import BotApiSimulator

# The bases to derive from: each run creates its own database on this server (dropped at the
# end) and keeps its Redis keys under its own prefix, so two runs on one machine never collide.
BASE_POSTGRES_DSN = os.environ.get("TEST_POSTGRES_DSN",
                                   "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
RUN_ID = f"{os.getpid()}_{secrets.token_hex(3)}"
_BASE_NAME = BASE_POSTGRES_DSN.rsplit("/", 1)[1].split("?")[0] or "test"
POSTGRES_DSN = BASE_POSTGRES_DSN.replace(f"/{_BASE_NAME}", f"/{_BASE_NAME}_{RUN_ID}", 1)
REDIS_PREFIX = f"test_{RUN_ID}"
_created: list[str] = []  # this run's database, once created


async def _admin_connection() -> asyncpg.Connection:
    """A connection to the base database (or `postgres` when the base does not exist)."""
    try:
        return await asyncpg.connect(BASE_POSTGRES_DSN)
    except asyncpg.InvalidCatalogNameError:
        return await asyncpg.connect(BASE_POSTGRES_DSN.replace(f"/{_BASE_NAME}", "/postgres", 1))


async def _create_run_database() -> None:
    if _created:
        return
    name = POSTGRES_DSN.rsplit("/", 1)[1].split("?")[0]
    connection = await _admin_connection()
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    _created.append(name)


async def _drop_run_database() -> None:
    connection = await _admin_connection()
    try:
        for name in _created:
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


async def _forget_redis_keys() -> None:
    client = aioredis.from_url(REDIS_URL)
    try:
        async for key in client.scan_iter(match=f"{REDIS_PREFIX}:*", count=500):
            await client.delete(key)
    finally:
        await client.aclose()


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Drop this run's database and Redis keys."""
    if _created:
        asyncio.run(_drop_run_database())
        asyncio.run(_forget_redis_keys())


async def reset_postgres() -> str:
    """An empty database of this run's own; returns its SQLAlchemy URL."""
    await _create_run_database()
    connection = await asyncpg.connect(POSTGRES_DSN)
    try:
        await connection.execute("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;")
    finally:
        await connection.close()
    return POSTGRES_DSN.replace("postgresql://", "postgresql+asyncpg://", 1)


async def reset_redis() -> str:
    """No keys left under this run's prefix (other runs' keys in the same db stay)."""
    await _forget_redis_keys()
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
        overrides["redis_prefix"] = REDIS_PREFIX
    else:
        overrides["database_url"] = f"sqlite+inline:///{tmp_path / 'lapor.db'}"
    return load_settings(**overrides)


class RunningBot:
    """The real bot process (in this event loop), startable and restartable."""

    def __init__(self, settings: Settings, sim: BotApiSimulator,
                 clock: Clock = utc_now, *, webhook: bool = False) -> None:
        self.settings = settings
        self.sim = sim
        self.clock = clock  # kept across restarts: tests that move time pass their own
        self.webhook = webhook  # receive updates on the webhook server instead of polling
        self.app: Application | None = None
        self._stack: contextlib.AsyncExitStack | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> Application:
        self._stack = contextlib.AsyncExitStack()
        self.app = await self._stack.enter_async_context(
            application(self.settings, self.sim.token, poll_timeout=1, clock=self.clock,
                        webhook=self.webhook))
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
