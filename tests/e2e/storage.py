"""What the running bot stored, read straight from its database (operators' view)."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import text

from configuration.settings import Settings
from db.engine import create_engine


async def scalar(settings: Settings, query: str, **params: Any) -> Any:
    """The single value a SQL query gives on the bot's database."""
    engine = create_engine(settings.database_url)
    try:
        async with engine.connect() as connection:
            return await connection.scalar(text(query), params)
    finally:
        await engine.dispose()


async def report_status(settings: Settings, code: str) -> str:
    """The stored status of one report, by tracking code."""
    return await scalar(settings, "select status from reports where code = :c", c=code)


async def until(settings: Settings, query: str, expected: object, **params: Any) -> None:
    """Wait until a query returns the expected value (the outbox works in the background)."""
    value = None
    for _ in range(100):
        value = await scalar(settings, query, **params)
        if value == expected:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{query} stayed {value!r}, expected {expected!r}")
