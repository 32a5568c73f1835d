"""Start-up checks that turn every way start-up fails into one line saying what to do.

An operator who starts the bot with a wrong token, a database that is down or a file it may not
write needs the fix, not a page of traceback. The same probes answer `/readyz` in webhook mode.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramUnauthorizedError,
)
from aiogram.types import User
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from db.backup import DatabaseInUse, database_lock, sqlite_path
from db.engine import is_sqlite
from db.migrate import upgrade_async

log = logging.getLogger(__name__)
PROBE_TIMEOUT = 10.0
DATABASE_ERRORS: tuple[type[BaseException], ...] = (OSError, DBAPIError, sqlite3.Error)


class StartupError(Exception):
    """Start-up cannot go on; the message is the one line the operator reads."""


def first_line(exc: BaseException) -> str:
    """The gist of an exception: its first line, or its type when it has no text."""
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        exc = exc.orig
    lines = str(exc).strip().splitlines()
    return lines[0].strip() if lines else type(exc).__name__


def shown_url(url: str) -> str:
    """A database or Redis URL without its password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # not an SQLAlchemy URL (Redis): drop anything before '@'
        scheme, _, rest = url.partition("://")
        return f"{scheme}://{rest.rpartition('@')[2]}"


def database_problem(url: str, exc: BaseException) -> str:
    """What went wrong with DATABASE_URL and what to do about it, in one line."""
    reason = first_line(exc)
    if is_sqlite(url):
        path = make_url(url).database or ""
        lowered = reason.lower()
        if "readonly" in lowered or "read-only" in lowered or isinstance(exc, PermissionError):
            return (f"The SQLite database {path} cannot be written ({reason}): let the bot's "
                    "user write the file and its directory (SQLite keeps its journal beside "
                    "it), or point DATABASE_URL elsewhere.")
        return (f"Cannot open the SQLite database {path} ({reason}): check that its directory "
                "exists and the bot's user may write there, or fix DATABASE_URL.")
    return (f"Cannot reach the database at {shown_url(url)} ({reason}): start PostgreSQL, "
            "create the database and user, or fix DATABASE_URL.")


async def prepare_database(url: str) -> None:
    """Bring the schema up to date; a database we cannot use is a StartupError."""
    try:
        await upgrade_async(url)
        if is_sqlite(url):
            _probe_sqlite_write(make_url(url).database or "")
    except DATABASE_ERRORS as exc:
        raise StartupError(database_problem(url, exc)) from None


def _probe_sqlite_write(path: str) -> None:
    """A write that changes nothing: a file we may read but not write fails here, not later.

    SQLite opens a read-only file without complaint, and migrations already at head write
    nothing, so the first citizen's message would be the first write to fail.
    """
    if not path or path == ":memory:":
        return
    connection = sqlite3.connect(path, isolation_level=None, timeout=30)
    try:
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("DELETE FROM alembic_version WHERE 0 = 1")
        connection.execute("ROLLBACK")
    finally:
        connection.close()


async def ping_database(engine: AsyncEngine) -> None:
    """One round trip to the database (readiness)."""
    async with asyncio.timeout(PROBE_TIMEOUT), engine.connect() as connection:
        await connection.execute(text("SELECT 1"))


def redis_problem(url: str, exc: BaseException) -> str:
    """What went wrong with REDIS_URL, in one line."""
    return (f"Cannot reach Redis at {shown_url(url)} ({first_line(exc)}): start Redis or fix "
            "REDIS_URL (or unset it to run one process without Redis).")


async def ping_redis(url: str) -> None:
    """PING Redis; raises on failure."""
    import redis.asyncio as aioredis

    client = aioredis.from_url(url, socket_connect_timeout=PROBE_TIMEOUT,
                               socket_timeout=PROBE_TIMEOUT)
    try:
        await client.ping()
    finally:
        await client.aclose()


async def check_redis(url: str) -> None:
    """Redis answers, or a StartupError."""
    from redis.exceptions import RedisError

    try:
        await ping_redis(url)
    except (RedisError, OSError) as exc:
        raise StartupError(redis_problem(url, exc)) from None


def bot_api_problem(api_url: str, exc: BaseException) -> str:
    """What the Bot API server said about our token or why we could not reach it."""
    if isinstance(exc, TelegramUnauthorizedError):
        return ("The Bot API server refused BOT_TOKEN (401 Unauthorized): copy the token again "
                "from @BotFather (/mybots, API Token) into BOT_TOKEN.")
    if isinstance(exc, TelegramNotFound):
        return (f"The Bot API server at {api_url} does not know this bot (404 Not Found): check "
                "BOT_TOKEN and BOT_API_URL.")
    if isinstance(exc, TelegramNetworkError | OSError | TimeoutError):
        return (f"Cannot reach the Bot API server at {api_url} ({first_line(exc)}): check "
                "BOT_API_URL and the network, then start again.")
    return f"The Bot API server at {api_url} refused getMe ({first_line(exc)}): check BOT_API_URL."


async def check_bot_api(bot: Bot, api_url: str) -> User:
    """getMe answers with our bot, or a StartupError."""
    try:
        async with asyncio.timeout(PROBE_TIMEOUT * 3):
            return await bot.get_me()
    except (TelegramAPIError, OSError, TimeoutError) as exc:
        raise StartupError(bot_api_problem(api_url, exc)) from None



def hold_sqlite(url: str) -> contextlib.ExitStack:
    """The running bot's lock on its SQLite file: a second bot, or a restore, is refused.

    Close the returned stack to let go. Nothing to hold for PostgreSQL.
    """
    stack = contextlib.ExitStack()
    path = sqlite_path(url)
    if path is None:
        return stack
    try:
        stack.enter_context(database_lock(path))
    except DatabaseInUse as exc:
        raise StartupError(
            f"Another lapor-bot ({exc}) is using the SQLite database {path}: stop it first "
            "(several bot processes need PostgreSQL and Redis, see the README).") from None
    except OSError as exc:
        raise StartupError(database_problem(url, exc)) from None
    return stack
