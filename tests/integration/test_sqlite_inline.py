"""SQLite runs on the event loop: lock waits must yield to it, never block or deadlock it."""

from __future__ import annotations

import asyncio
import sys
import threading
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from complaints import services
from db.engine import create_engine, create_sessionmaker
from db.migrate import upgrade_async
from db.uow import SqlUnitOfWork

NOW = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)
HOLD_LOCK = """
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN IMMEDIATE")
db.execute("INSERT INTO categories (key, name_id, name_en, position, active) "
           "VALUES ('lock', 'Kunci', 'Lock', 99, 0)")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
db.execute("COMMIT")
"""


@pytest.fixture
async def database(tmp_path: Path) -> Path:
    path = tmp_path / "lapor.db"
    await upgrade_async(f"sqlite+inline:///{path}")
    return path


@pytest.fixture
async def engine(database: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite+inline:///{database}")
    yield engine
    await engine.dispose()


async def _other_process_holds_lock(database: Path, seconds: float) -> asyncio.subprocess.Process:
    """A separate program (think `lapor-admin`) in the middle of a write."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", HOLD_LOCK, str(database), str(seconds),
        stdout=asyncio.subprocess.PIPE)
    assert process.stdout is not None
    assert await asyncio.wait_for(process.stdout.readline(), 10) == b"locked\n"
    return process


async def _count_ticks(ticks: list[int]) -> None:
    while True:
        await asyncio.sleep(0.01)
        ticks[0] += 1


async def test_a_write_waits_for_another_process_while_the_loop_keeps_running(
        engine: AsyncEngine, database: Path) -> None:
    uow = partial(SqlUnitOfWork, create_sessionmaker(engine))
    holder = await _other_process_holds_lock(database, 0.6)
    ticks = [0]
    ticker = asyncio.create_task(_count_ticks(ticks))
    await services.register_citizen(uow(), 5, name="Warga Lima", phone="+6281234567890",
                                    language="id", consent_at=NOW, now=NOW)
    ticker.cancel()
    assert await holder.wait() == 0
    # The write went in after the other program committed, and meanwhile other tasks ran.
    assert (await services.get_citizen(uow(), 5)).name == "Warga Lima"
    assert ticks[0] >= 10
    async with engine.connect() as connection:
        assert await connection.scalar(text("select count(*) from categories "
                                            "where key = 'lock'")) == 1


async def test_two_transactions_of_one_process_queue_instead_of_deadlocking(
        engine: AsyncEngine) -> None:
    release = asyncio.Event()

    async def first() -> None:
        async with engine.begin() as connection:
            await connection.execute(text("UPDATE categories SET position = position"))
            await release.wait()  # holds the write lock across an await

    holding = asyncio.create_task(first())
    await asyncio.sleep(0.05)
    uow = partial(SqlUnitOfWork, create_sessionmaker(engine))
    second = asyncio.create_task(services.register_citizen(
        uow(), 6, name="Warga Enam", phone="+6281234567891", language="id",
        consent_at=NOW, now=NOW))
    await asyncio.sleep(0.1)
    assert not second.done()
    release.set()
    await asyncio.wait_for(asyncio.gather(holding, second), 10)
    assert (await services.get_citizen(uow(), 6)).name == "Warga Enam"


async def test_a_lock_held_past_the_timeout_fails_the_write_cleanly(database: Path) -> None:
    engine = create_engine(f"sqlite+inline:///{database}", sqlite_busy_timeout=0.2)
    uow = partial(SqlUnitOfWork, create_sessionmaker(engine))
    holder = await _other_process_holds_lock(database, 1.5)
    try:
        with pytest.raises(OperationalError, match="database is locked"):
            await services.register_citizen(uow(), 7, name="Warga Tujuh",
                                            phone="+6281234567892", language="id",
                                            consent_at=NOW, now=NOW)
        assert holder.returncode is None  # failed while the lock was still held
        assert await holder.wait() == 0
        await services.register_citizen(uow(), 7, name="Warga Tujuh", phone="+6281234567892",
                                        language="id", consent_at=NOW, now=NOW)
        assert (await services.get_citizen(uow(), 7)).name == "Warga Tujuh"
    finally:
        await engine.dispose()


async def test_sqlite_runs_without_a_thread_per_connection(engine: AsyncEngine) -> None:
    threads = threading.active_count()
    async with engine.begin() as connection:
        await connection.execute(text("UPDATE categories SET position = position"))
        assert await connection.scalar(text("select count(*) from categories")) == 12
    assert threading.active_count() == threads
