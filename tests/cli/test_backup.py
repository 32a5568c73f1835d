"""`lapor-admin db backup` and `restore` on the SQLite default."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from admin_cli.main import app
from db.backup import database_lock
from tests.cli.test_admin_cli import ok, refused


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "data" / "lapor.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite+inline:///{path}")
    monkeypatch.setenv("COLUMNS", "200")
    ok("staff", "add", "1001", "--name", "Sari", "--role", "admin")  # migrates, then writes
    return path


def staff_names(path: Path) -> list[str]:
    connection = sqlite3.connect(path)
    try:
        return [name for (name,) in connection.execute("SELECT name FROM staff ORDER BY name")]
    finally:
        connection.close()


def test_backup_while_the_bot_runs_and_writes(database: Path, tmp_path: Path) -> None:
    """The bot's lock held and a write transaction open: the backup has what was committed."""
    writer = sqlite3.connect(database, isolation_level=None)
    try:
        with database_lock(database):  # as the running bot holds it
            writer.execute("BEGIN IMMEDIATE")
            writer.execute("UPDATE staff SET name = 'not committed'")
            out = ok("db", "backup", str(tmp_path / "b.db"))
            writer.execute("ROLLBACK")
    finally:
        writer.close()
    assert out.startswith(f"Backed up {database} to {tmp_path / 'b.db'} (")
    assert staff_names(tmp_path / "b.db") == ["Sari"]
    check = sqlite3.connect(tmp_path / "b.db")
    try:
        assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert check.execute("PRAGMA journal_mode").fetchone() == ("delete",)  # one file
    finally:
        check.close()
    assert not (tmp_path / "b.db.partial").exists()
    assert "exists" in refused("db", "backup", str(tmp_path / "b.db"))
    ok("db", "backup", str(tmp_path / "b.db"), "--force")


def test_restore_brings_the_backup_back(database: Path, tmp_path: Path) -> None:
    ok("db", "backup", str(tmp_path / "b.db"))
    ok("staff", "remove", "1001")
    ok("staff", "add", "1002", "--name", "Rina", "--role", "admin")
    assert staff_names(database) == ["Rina"]
    out = ok("db", "restore", str(tmp_path / "b.db"), "--yes")
    assert out.startswith(f"Restored {database} from {tmp_path / 'b.db'} (schema ")
    assert staff_names(database) == ["Sari"]
    assert "Sari" in ok("staff", "list")  # the CLI (and so the bot) reads it back


def test_restore_refused_while_the_bot_runs(database: Path, tmp_path: Path) -> None:
    ok("db", "backup", str(tmp_path / "b.db"))
    ok("staff", "add", "1002", "--name", "Rina", "--role", "admin")
    with database_lock(database):
        line = refused("db", "restore", str(tmp_path / "b.db"), "--yes")
    assert "The bot is running on" in line and "stop it first" in line
    assert staff_names(database) == ["Rina", "Sari"]


def test_restore_asks_first_and_refuses_what_is_no_backup(database: Path,
                                                          tmp_path: Path) -> None:
    ok("db", "backup", str(tmp_path / "b.db"))
    ok("staff", "add", "1002", "--name", "Rina", "--role", "admin")
    result = CliRunner().invoke(app, ["db", "restore", str(tmp_path / "b.db")], input="n\n")
    assert "Replace everything in" in result.stdout
    assert result.exit_code == 1 and "Nothing restored." in result.stderr
    assert staff_names(database) == ["Rina", "Sari"]
    (tmp_path / "notes.txt").write_text("not a database")
    assert "is not a backup" in refused("db", "restore", str(tmp_path / "notes.txt"), "--yes")
    assert "No backup file" in refused("db", "restore", str(tmp_path / "missing.db"), "--yes")


def test_postgres_points_to_pg_dump(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://lapor@127.0.0.1/lapor")
    assert "pg_dump" in refused("db", "backup", str(tmp_path / "b.db"))
