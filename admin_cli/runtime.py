"""What every admin command shares: settings, migrations, one service run, output and errors."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import datetime
from functools import partial
from typing import NoReturn, TypeVar

import typer
from rich.console import Console
from rich.table import Column, Table
from rich.text import Text
from sqlalchemy.exc import InterfaceError, OperationalError

from complaints.errors import DomainError
from configuration.settings import ConfigError, Settings, load_settings
from db.engine import create_engine, create_sessionmaker
from db.migrate import upgrade
from db.uow import SqlUnitOfWork
from presentation.texts import Translator

T = TypeVar("T")
Uow = Callable[[], SqlUnitOfWork]
_loaded: dict[str, Settings] = {}  # this invocation's settings (CliRunner runs many per process)
_DATABASE_ERRORS = (OSError, OperationalError, InterfaceError)

# Catalogue texts written for citizens in the chat; an operator at a terminal reads these instead.
CLI_TEXTS = {
    "error-report-not-found": "No report with that code.",
    "error-category-unknown": "Unknown category (see `lapor-admin category list`).",
}


def say(message: str) -> None:
    """One plain line on stdout (no markup, no wrapping)."""
    Console(highlight=False, soft_wrap=True).print(message, markup=False)


def fail(message: str, code: int = 1) -> NoReturn:
    """One red line on stderr, then exit with `code`."""
    Console(stderr=True, highlight=False, soft_wrap=True).print(Text(message, style="bold red"))
    raise typer.Exit(code)


def error_text(error: DomainError) -> str:
    """A domain error in English, as the operator should read it."""
    return CLI_TEXTS.get(error.key) or Translator("en")(error.key, **error.params)


def show_table(columns: Sequence[str], rows: Iterable[Sequence[object]], *,
               title: str | None = None, empty: str = "Nothing to show.") -> None:
    """A Rich table of plain values (None shows as '-'), or the `empty` line."""
    rows = list(rows)
    if not rows:
        say(empty)
        return
    # the first column is the key (code, id): never cut; nothing else is cut either, only folded
    table = Table(*(Column(name, no_wrap=i == 0, overflow="fold")
                    for i, name in enumerate(columns)), title=title, title_justify="left")
    for row in rows:
        table.add_row(*(Text("-" if value is None else str(value)) for value in row))
    Console(highlight=False).print(table)


def forget_settings() -> None:
    """Start a new invocation: the next `settings()` reads the environment again."""
    _loaded.clear()


def settings() -> Settings:
    """This invocation's settings; the first call also brings the schema up to date."""
    if "settings" not in _loaded:
        try:
            loaded = load_settings()
        except ConfigError as exc:
            fail(str(exc), code=2)
        logging.getLogger("alembic").setLevel(logging.WARNING)
        try:
            upgrade(loaded.database_url)
        except _DATABASE_ERRORS as exc:
            fail(_database_error(exc))
        _loaded["settings"] = loaded
    return _loaded["settings"]


def _database_error(exc: Exception) -> str:
    """The first line of a connection failure, naming the setting to check."""
    first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return f"Cannot use the database (DATABASE_URL): {first_line}"


def run(work: Callable[[Uow], Awaitable[T]]) -> T:
    """Run `work` with a fresh-unit-of-work factory on a new engine, then dispose of it."""
    database_url = settings().database_url

    async def _main() -> T:
        engine = create_engine(database_url)
        try:
            return await work(partial(SqlUnitOfWork, create_sessionmaker(engine)))
        finally:
            await engine.dispose()

    try:
        return asyncio.run(_main())
    except DomainError as exc:
        fail(error_text(exc))
    except _DATABASE_ERRORS as exc:
        fail(_database_error(exc))


def local(moment: datetime | None) -> str | None:
    """A moment in the office's time zone, e.g. 2026-12-03 10:00 WITA."""
    if moment is None:
        return None
    return f"{moment.astimezone(settings().zone):%Y-%m-%d %H:%M %Z}"


def local_iso(moment: datetime | None) -> str:
    """A moment in the office's time zone as ISO 8601 with its offset (for CSV)."""
    if moment is None:
        return ""
    return moment.astimezone(settings().zone).isoformat(timespec="seconds")
