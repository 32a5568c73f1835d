"""`lapor-admin db backup|restore`: SQLite snapshots while the bot runs, restores while not."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from admin_cli.runtime import fail, say
from configuration.settings import ConfigError, load_settings
from db.backup import DatabaseInUse, NotABackup, backup, restore, sqlite_path

db_app = typer.Typer(add_completion=False, no_args_is_help=True,
                     help="Backups of the SQLite database (PostgreSQL: pg_dump, see README).")

POSTGRES_HINT = ("DATABASE_URL is PostgreSQL: use pg_dump -Fc and pg_restore (README, "
                 "Backups); these commands are for the SQLite default.")


def _database() -> Path:
    """The SQLite file of DATABASE_URL (no migration: a backup must not change anything)."""
    try:
        url = load_settings().database_url
    except ConfigError as exc:
        fail(str(exc), code=2)
    path = sqlite_path(url)
    if path is None:
        fail(POSTGRES_HINT)
    return path


@db_app.command("backup")
def db_backup(
    path: Annotated[Path, typer.Argument(help="Where to write the backup file.")],
    force: Annotated[bool, typer.Option("--force", help="Overwrite PATH if it exists.")] = False,
) -> None:
    """Write a consistent copy of the live database; safe while the bot runs."""
    database = _database()
    if path.exists() and not force:
        fail(f"{path} exists; choose another name or add --force.")
    try:
        size = backup(database, path)
    except (OSError, NotABackup) as exc:
        fail(f"Backup failed: {exc}")
    say(f"Backed up {database} to {path} ({size:,} bytes).")


@db_app.command("restore")
def db_restore(
    path: Annotated[Path, typer.Argument(help="A file written by `lapor-admin db backup`.")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask before replacing.")] = False,
) -> None:
    """Replace the database with a backup; the bot must be stopped first."""
    database = _database()
    if not path.is_file():
        fail(f"No backup file at {path}.")
    if not yes and not typer.confirm(f"Replace everything in {database} with {path}?"):
        fail("Nothing restored.")
    try:
        revision = restore(path, database)
    except DatabaseInUse as exc:
        fail(f"The bot is running on {database} ({exc}): stop it first "
             "(systemctl stop lapor-bot), then restore.")
    except NotABackup as exc:
        fail(f"{path} is not a backup of this bot's database ({exc}).")
    except OSError as exc:
        fail(f"Restore failed: {exc}")
    say(f"Restored {database} from {path} (schema {revision}); the bot migrates it on start.")
