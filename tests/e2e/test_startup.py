"""Start-up failures of the real `lapor-bot` process: one line saying what to do, exit code 1."""

from __future__ import annotations

import asyncio
import os
import select
import shutil
import socket
import sys
import uuid
from pathlib import Path

import pytest

from db.backup import database_lock
from db.migrate import upgrade
from simulator import BotApiSimulator
from tests.conftest import POSTGRES_DSN

ROOT = Path(__file__).resolve().parents[2]


def _closed_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _without_write_override() -> list[str]:
    """Root writes read-only files anyway: drop that capability so the test means something."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: read-only files stay writable")
    return [setpriv, "--bounding-set=-dac_override"]


async def run_bot(cwd: Path, prefix: list[str] | None = None, *args: str,
                  **env: str) -> tuple[int, str]:
    """Run `python3 -m bot ARGS` (the `lapor-bot` entry) to its end; (exit code, stderr)."""
    environment = {key: value for key, value in os.environ.items()
                   if not key.startswith(("BOT_", "DATABASE_", "REDIS_", "WEBHOOK_"))}
    environment.update(PYTHONPATH=str(ROOT), LOG_LEVEL="INFO", **env)
    process = await asyncio.create_subprocess_exec(
        *(prefix or []), sys.executable, "-m", "bot", *args, cwd=cwd, env=environment,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode is not None
    return process.returncode, stderr.decode()


def _one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    return lines[0]


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+inline:///{tmp_path / 'data' / 'lapor.db'}"


async def test_wrong_token_is_one_line_naming_botfather(
        sim: BotApiSimulator, tmp_path: Path, sqlite_url: str) -> None:
    wrong = f"{sim.bot_id}:{'Q' * 35}"
    code, stderr = await run_bot(tmp_path, BOT_TOKEN=wrong, BOT_API_URL=sim.base_url,
                                 DATABASE_URL=sqlite_url)
    line = _one_line(stderr)
    assert code == 1
    assert "refused BOT_TOKEN (401 Unauthorized)" in line and "@BotFather" in line
    assert wrong not in stderr and "Q" * 35 not in stderr
    assert [c.status for c in sim.calls_to("getMe")] == [401]


async def test_unreachable_bot_api_server(tmp_path: Path, sqlite_url: str) -> None:
    api = f"http://127.0.0.1:{_closed_port()}"
    code, stderr = await run_bot(tmp_path, BOT_TOKEN=f"12345:{'A' * 35}", BOT_API_URL=api,
                                 DATABASE_URL=sqlite_url)
    line = _one_line(stderr)
    assert code == 1
    assert line.startswith(f"Cannot reach the Bot API server at {api} (")
    assert "check BOT_API_URL" in line


async def test_postgres_down(sim: BotApiSimulator, tmp_path: Path) -> None:
    url = f"postgresql+asyncpg://lapor:secret-pw@127.0.0.1:{_closed_port()}/lapor"
    code, stderr = await run_bot(tmp_path, BOT_TOKEN=sim.token, BOT_API_URL=sim.base_url,
                                 DATABASE_URL=url)
    line = _one_line(stderr)
    assert code == 1
    assert line.startswith("Cannot reach the database at postgresql+asyncpg://lapor:***@127.0.0.1")
    assert "start PostgreSQL" in line and "secret-pw" not in stderr


async def test_postgres_database_missing(sim: BotApiSimulator, tmp_path: Path) -> None:
    base = POSTGRES_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1)
    missing = f"no_such_db_{uuid.uuid4().hex[:8]}"
    code, stderr = await run_bot(tmp_path, BOT_TOKEN=sim.token, BOT_API_URL=sim.base_url,
                                 DATABASE_URL=f"{base}/{missing}")
    line = _one_line(stderr)
    assert code == 1
    assert f'database "{missing}" does not exist' in line and "fix DATABASE_URL" in line


async def test_read_only_sqlite_file(sim: BotApiSimulator, tmp_path: Path,
                                     sqlite_url: str) -> None:
    prefix = _without_write_override()
    await asyncio.to_thread(upgrade, sqlite_url)  # a real database, already migrated
    database = tmp_path / "data" / "lapor.db"
    database.chmod(0o444)
    code, stderr = await run_bot(tmp_path, prefix, BOT_TOKEN=sim.token,
                                 BOT_API_URL=sim.base_url, DATABASE_URL=sqlite_url)
    line = _one_line(stderr)
    assert code == 1
    assert line.startswith(f"The SQLite database {database} cannot be written")
    assert "readonly database" in line


async def test_read_only_sqlite_directory(sim: BotApiSimulator, tmp_path: Path,
                                          sqlite_url: str) -> None:
    prefix = _without_write_override()
    (tmp_path / "data").mkdir(mode=0o555)
    try:
        code, stderr = await run_bot(tmp_path, prefix, BOT_TOKEN=sim.token,
                                     BOT_API_URL=sim.base_url, DATABASE_URL=sqlite_url)
    finally:
        (tmp_path / "data").chmod(0o755)
    line = _one_line(stderr)
    assert code == 1
    assert line.startswith(f"Cannot open the SQLite database {tmp_path / 'data' / 'lapor.db'}")
    assert "unable to open database file" in line


async def test_unreachable_redis(sim: BotApiSimulator, tmp_path: Path, sqlite_url: str) -> None:
    url = f"redis://127.0.0.1:{_closed_port()}/0"
    code, stderr = await run_bot(tmp_path, BOT_TOKEN=sim.token, BOT_API_URL=sim.base_url,
                                 DATABASE_URL=sqlite_url, REDIS_URL=url)
    line = _one_line(stderr)
    assert code == 1
    assert line.startswith(f"Cannot reach Redis at {url} (") and "fix REDIS_URL" in line


async def test_second_bot_on_one_sqlite_file_is_refused(
        sim: BotApiSimulator, tmp_path: Path, sqlite_url: str) -> None:
    """Two processes on one SQLite file would each trust their in-memory conversation state."""
    await asyncio.to_thread(upgrade, sqlite_url)
    database = tmp_path / "data" / "lapor.db"
    with database_lock(database):  # as a running bot holds it
        code, stderr = await run_bot(tmp_path, BOT_TOKEN=sim.token, BOT_API_URL=sim.base_url,
                                     DATABASE_URL=sqlite_url)
    line = _one_line(stderr)
    assert code == 1
    assert line.startswith(f"Another lapor-bot (pid {os.getpid()}) is using the SQLite "
                           f"database {database}: stop it first")


async def test_webhook_port_in_use(sim: BotApiSimulator, tmp_path: Path, sqlite_url: str) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = int(taken.getsockname()[1])
        code, stderr = await run_bot(
            tmp_path, None, "--webhook", BOT_TOKEN=sim.token, BOT_API_URL=sim.base_url,
            DATABASE_URL=sqlite_url, WEBHOOK_URL="https://lapor.example",
            WEBHOOK_SECRET="s3cret-webhook-token_0123456789", WEBHOOK_PORT=str(port))
    line = _one_line(stderr)
    assert code == 1
    assert line.startswith(f"Cannot listen on 127.0.0.1:{port} (") and "WEBHOOK_PORT" in line
    assert sim.calls_to("setWebhook") == []


async def test_webhook_without_secret_is_a_configuration_error(
        sim: BotApiSimulator, tmp_path: Path, sqlite_url: str) -> None:
    code, stderr = await run_bot(tmp_path, None, "--webhook", BOT_TOKEN=sim.token,
                                 BOT_API_URL=sim.base_url, DATABASE_URL=sqlite_url,
                                 WEBHOOK_URL="https://lapor.example")
    assert code == 2
    assert _one_line(stderr).startswith("Configuration error: WEBHOOK_SECRET: must be set")
    assert sim.calls == []


async def test_a_stop_while_the_bot_is_still_starting_ends_it_cleanly(tmp_path: Path) -> None:
    """systemd may stop a unit that is still starting: exit 0, no traceback, nothing lost."""
    silent = socket.socket()  # a Bot API server that accepts and never answers
    silent.bind(("127.0.0.1", 0))
    silent.listen()
    environment = {key: value for key, value in os.environ.items()
                   if not key.startswith(("BOT_", "DATABASE_", "REDIS_", "WEBHOOK_"))}
    environment.update(PYTHONPATH=str(ROOT), BOT_TOKEN="123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw",
                       BOT_API_URL=f"http://127.0.0.1:{silent.getsockname()[1]}",
                       DATABASE_URL=f"sqlite+inline:///{tmp_path / 'bot.db'}")
    try:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", cwd=tmp_path, env=environment,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        for _ in range(200):  # until it waits for the Bot API's answer
            await asyncio.sleep(0.05)
            if select.select([silent], [], [], 0)[0]:  # it connected
                break
        process.terminate()
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    finally:
        silent.close()
    assert process.returncode == 0, stderr.decode()
    assert "Traceback" not in stderr.decode()
