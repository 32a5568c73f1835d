"""Where a benchmark run's CPU went: bot processes, this process (simulator and people),
PostgreSQL's backends for the run's database, Redis, and the machine as a whole.

On a 2-core machine "two processes are not faster than one" is only an answer with these
figures beside it: if bots, simulator and database together keep both cores busy, a second bot
process has no core to run on.
"""

from __future__ import annotations

import os
import resource
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.harness import LaporBot, cpu_seconds


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of all cores since boot, from /proc/stat."""
    ticks = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = ticks[3] + ticks[4]  # idle, iowait
    total = sum(ticks[:8])  # guest time is already in user
    hz = os.sysconf("SC_CLK_TCK")
    return (total - idle) / hz, total / hz


def own_cpu() -> float:
    """CPU seconds of this process: the simulator, the simulated people, the checks."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def postgres_backends(database_url: str) -> dict[int, float]:
    """CPU seconds so far of each PostgreSQL backend connected to this run's database."""
    import asyncpg

    dsn = database_url.replace("postgresql+asyncpg://", "postgresql://", 1)
    connection = await asyncpg.connect(dsn)
    try:
        pids = await connection.fetch(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()")
    finally:
        await connection.close()
    return {row["pid"]: cpu_seconds(row["pid"]) for row in pids}


async def redis_cpu(redis_url: str) -> float:
    """CPU seconds of the whole Redis server (shared by every database number on it)."""
    import redis.asyncio as aioredis

    client = aioredis.from_url(redis_url)
    try:
        info = await client.info("cpu")
    finally:
        await client.aclose()
    return float(info["used_cpu_sys"]) + float(info["used_cpu_user"])


@dataclass
class CpuMeter:
    """CPU seconds used between start() and stop(), per part."""

    bots: Sequence[LaporBot]
    database_url: str | None = None  # PostgreSQL only
    redis_url: str | None = None
    wall: float = 0.0
    used: dict[str, float] = field(default_factory=dict)
    _start: dict[str, float] = field(default_factory=dict)
    _backends: dict[int, float] = field(default_factory=dict)
    _started_at: float = 0.0

    async def _read(self) -> dict[str, float]:
        busy, _ = machine_busy()
        now = {"machine": busy, "driver": own_cpu()}
        for index, bot in enumerate(self.bots):
            now[f"bot{index + 1}"] = bot.cpu()
        if self.redis_url:
            now["redis"] = await redis_cpu(self.redis_url)
        return now

    async def start(self) -> None:
        self._start = await self._read()
        if self.database_url:
            self._backends = await postgres_backends(self.database_url)
        self._started_at = time.perf_counter()

    async def stop(self) -> None:
        self.wall = time.perf_counter() - self._started_at
        now = await self._read()
        self.used = {part: now[part] - self._start[part] for part in now}
        if self.database_url:  # backends that ended during the run are not counted
            ended = await postgres_backends(self.database_url)
            self.used["postgres"] = sum(cpu - self._backends.get(pid, 0.0)
                                        for pid, cpu in ended.items())

    def line(self) -> str:
        """One line: each part's CPU seconds and share of one core; the machine's busy share."""
        if not self.used or not self.wall:
            return ""
        cores = os.cpu_count() or 1

        def part(name: str, label: str) -> str:
            seconds = self.used[name]
            return f"{label} {seconds:.1f} s ({seconds / self.wall:.0%})"

        bots = [name for name in self.used if name.startswith("bot")]
        parts = [part(name, name) for name in bots]
        parts.append(part("driver", "simulator+people"))
        parts.extend(part(name, name) for name in ("postgres", "redis") if name in self.used)
        ours = sum(self.used[name] for name in self.used if name != "machine")
        machine = self.used["machine"]
        return (f"  CPU over {self.wall:.1f} s (100 % = one core of {cores}): "
                + ", ".join(parts)
                + f"; all of these {ours:.1f} s ({ours / self.wall:.0%}); machine busy "
                  f"{machine:.1f} s ({machine / self.wall:.0%} of {cores * 100} %)")

