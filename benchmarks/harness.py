"""The real `lapor-bot` in a child process, as an operator runs it: started, killed, measured.

Shared by benchmarks/memory.py, benchmarks/lifecycle.py and the chaos end-to-end tests. The
bot is configured only through its environment (BOT_TOKEN, BOT_API_URL, DATABASE_URL, ...),
runs `python -m bot` (the `lapor-bot` console script's module) in a scratch directory (so no
.env is picked up) after `python -m bot migrate` (as a deployment does, so the long-running
process finds the schema current and never loads Alembic), and is stopped with SIGTERM or
killed with SIGKILL.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from simulator import BotApiSimulator

ROOT = Path(__file__).resolve().parents[1]
WEBHOOK_URL = "https://lapor.example"  # public address; the simulator posts to the upstreams
WEBHOOK_SECRET = "bench-webhook-secret_0123456789"
TICKS = os.sysconf("SC_CLK_TCK")


def export_pythonpath() -> None:
    """Child processes (the bots) import this checkout's packages too."""
    paths = [str(ROOT), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    os.environ["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))


def memory_kib(pid: int) -> tuple[int, int]:
    """(resident now, peak resident) of a process in KiB, from /proc; (0, 0) once it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0, 0
    values = {line.split(":")[0]: int(line.split()[1]) for line in status.splitlines()
              if line.startswith(("VmRSS", "VmHWM"))}
    return values.get("VmRSS", 0), values.get("VmHWM", 0)


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process has used so far, from /proc; 0.0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime (fields 14 and 15)


def free_port() -> int:
    """A TCP port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def mib(kib: int) -> str:
    """KiB as MiB with one decimal."""
    return f"{kib / 1024:.1f}"


@dataclass
class LaporBot:
    """One `lapor-bot` process at a time against a simulator; restartable after a kill."""

    sim: BotApiSimulator
    database_url: str
    scratch: Path
    redis_url: str | None = None
    name: str = "bot"
    extra_env: dict[str, str] = field(default_factory=dict)
    code: Path = ROOT  # the checkout whose bot runs (another one to compare before/after)
    process: asyncio.subprocess.Process | None = None
    starts: int = 0
    kills: int = 0
    peak_kib: int = 0  # the highest VmHWM of any life of this bot
    webhook: bool = False  # `lapor-bot --webhook` behind the simulator's round robin
    port: int = 0  # its WEBHOOK_PORT, kept across restarts (the simulator's upstream)
    cpu_before: float = 0.0  # CPU seconds of the lives already over
    _cpu_now: float = 0.0  # of the current life, as last read

    def __post_init__(self) -> None:
        if self.webhook:
            self.port = self.port or free_port()
            self.sim.webhook_upstreams.append(f"http://127.0.0.1:{self.port}")

    def environment(self) -> dict[str, str]:
        """What the operator would put in the environment (or .env)."""
        env = {key: value for key, value in os.environ.items()
               if not key.startswith(("BOT_", "DATABASE_", "REDIS_", "GEOCODER_"))}
        env.update({
            "BOT_TOKEN": self.sim.token, "BOT_API_URL": self.sim.base_url,
            "DATABASE_URL": self.database_url,
            "LOG_LEVEL": os.environ.get("BENCH_LOG_LEVEL", "WARNING"),
            "PRIVATE_MESSAGE_INTERVAL": "0", "GROUP_MESSAGE_INTERVAL": "0",
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(self.code),
                                                         os.environ.get("PYTHONPATH")])),
        })
        if self.redis_url:
            env["REDIS_URL"] = self.redis_url
        if self.webhook:
            env.update({"WEBHOOK_URL": WEBHOOK_URL, "WEBHOOK_SECRET": WEBHOOK_SECRET,
                        "WEBHOOK_PORT": str(self.port)})
        env.update(self.extra_env)
        return env

    @property
    def log(self) -> Path:
        return self.scratch / f"{self.name}.log"

    async def migrate(self) -> None:
        """`lapor-bot migrate`, as a deployment runs it before the start (ExecStartPre)."""
        with self.log.open("ab") as log:
            migrating = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "migrate", cwd=self.scratch,
                env=self.environment(), stdin=asyncio.subprocess.DEVNULL, stdout=log, stderr=log)
            if await migrating.wait():
                raise RuntimeError(f"lapor-bot migrate failed:\n{self.log_tail()}")

    async def start(self, within: float = 60.0) -> None:
        """Spawn `python -m bot` (migrated first, the first time) and wait until it polls
        (or, in webhook mode, has set its webhook: it listens by then)."""
        if not self.starts:
            await self.migrate()
        ready = "setWebhook" if self.webhook else "getUpdates"
        polls_before = len(self.sim.calls_to(ready))
        self.starts += 1
        with self.log.open("ab") as log:
            log.write(f"--- start {self.starts}\n".encode())
            log.flush()
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", *(["--webhook"] if self.webhook else []),
                cwd=self.scratch, env=self.environment(),
                stdin=asyncio.subprocess.DEVNULL, stdout=log, stderr=log)
        self._cpu_now = 0.0
        deadline = time.monotonic() + within
        while len(self.sim.calls_to(ready)) <= polls_before:
            if self.process.returncode is not None:
                raise RuntimeError(f"{self.name} exited at start:\n{self.log_tail()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.name} not polling after {within}s:\n"
                                   f"{self.log_tail()}")
            await asyncio.sleep(0.05)

    def memory(self) -> tuple[int, int]:
        """(resident now, peak) in KiB of the running process; remembers the peak."""
        if self.process is None or self.process.returncode is not None:
            return 0, self.peak_kib
        rss, hwm = memory_kib(self.process.pid)
        self.peak_kib = max(self.peak_kib, hwm)
        return rss, hwm

    def cpu(self) -> float:
        """CPU seconds this bot has used over all its lives (the current one as of now)."""
        if self.alive():
            assert self.process is not None
            self._cpu_now = max(self._cpu_now, cpu_seconds(self.process.pid))
        return self.cpu_before + self._cpu_now

    def _life_over(self) -> None:
        """Called just before the process goes: its CPU time joins the earlier lives'."""
        self.cpu()
        self.cpu_before, self._cpu_now = self.cpu_before + self._cpu_now, 0.0

    async def kill(self) -> None:
        """SIGKILL: no handler runs, nothing is flushed (a power cut, the OOM killer)."""
        if self.process is None or self.process.returncode is not None:
            return
        self.memory()
        self._life_over()
        self.kills += 1
        self.process.kill()
        await self.process.wait()

    async def stop(self, within: float = 30.0) -> int | None:
        """SIGTERM and a clean shutdown; SIGKILL after `within` seconds. Returns the exit code."""
        process = self.process
        if process is None:
            return None
        if process.returncode is None:
            self.memory()
            self._life_over()
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), within)
            except TimeoutError:
                process.kill()
                await process.wait()
        return process.returncode

    def alive(self) -> bool:
        return self.process is not None and self.process.returncode is None

    def log_tail(self, lines: int = 20) -> str:
        """The end of the bot's output (stderr and stdout)."""
        with contextlib.suppress(OSError):
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        return ""
