"""Intake throughput and latency: N concurrent citizens register and file one complaint each.

    python3 benchmarks/intake.py [--citizens 100 300] [--backend sqlite|postgres] [--per-step]

For every N, two bots are measured the same way, each in its own process (benchmarks/
bot_process.py) polling its own Bot API simulator over HTTP; the simulator and the simulated
citizens run here:

* real: the LAPOR! Tarakan application (`bot.app.application` + `run_application`) on a fresh
  SQLite database in a temporary directory, or on PostgreSQL with --backend postgres;
* minimal: a tiny aiogram bot doing the same steps with the same keyboards and Bot API calls,
  in-memory FSM, aiogram's own polling (handle_as_tasks) and one SQLite INSERT per complaint.
  It holds aiogram's Response[...] models alive (see bot_process.keep_response_models) so the
  baseline is steady; --plain-minimal drops that.

Every citizen follows tests/e2e/flows.py (register, file_until_review, submit). A step's latency
runs from the citizen's action (message or button press) until next_message() has returned the
last bot message that step expects (the one the citizen acts on next). complaints/s = completed
complaints / wall time from releasing all citizens at once until the last one is done.
The bot process is pinned to the last CPU and this process to the others (--no-pin to disable).
Each bot first serves --warmup citizens one by one (not measured); --repeat K shows the median of
K runs (the minimal bot's figures vary by about +-20% between identical runs).
--backend postgres runs DROP SCHEMA public CASCADE on --postgres-url before each real run (default:
the `test` database the test suite also resets; give a dedicated one while tests may run).
Goals are printed as met or not, never asserted; the script exits 0.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg

from simulator import BotApiSimulator, SimMessage, SimUser

BOT_PROCESS = Path(__file__).with_name("bot_process.py")
TOKEN_ENV = "BENCH_BOT_TOKEN"
POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
CODE_RE = re.compile(r"LPR-[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{4}")
IN_TARAKAN = (3.3000, 117.6330)
REVIEW_BUTTONS = ["📨 Kirim laporan", "🙈 Kirim anonim", "🔒 Rahasiakan laporan", "✏️ Ubah",
                  "❌ Batal"]
DESCRIPTION = "Jalan berlubang besar di depan pasar, sudah dua minggu dan membahayakan motor."
STEPS = ("start", "consent", "name", "contact", "confirm", "lapor", "photo", "location",
         "skip", "description", "category", "send")
GOAL_RATIO, GOAL_RATIO_AT = 0.6, 300
GOAL_P99_MS, GOAL_P99_AT = 250.0, 100


# ---------------------------------------------------------------- simulator for many citizens


class StampingSimulator(BotApiSimulator):
    """The stock simulator, noting when each bot message reached it (perf_counter)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.arrived: dict[tuple[int, int], float] = {}

    def _bot_send(self, *args: Any, **kwargs: Any) -> SimMessage:
        """Store the bot's message as usual and stamp its arrival."""
        message = super()._bot_send(*args, **kwargs)
        self.arrived[(message.chat_id, message.message_id)] = time.perf_counter()
        return message


class FastWaitSimulator(StampingSimulator):
    """Same API; waiters are re-checked once per loop pass instead of one task each per change.

    The stock `_wait_until` wakes every waiting citizen on every state change through
    `asyncio.wait_for(event.wait())` (a new task per waiter per change): O(citizens^2) work in
    this process, which would make the driver, not the bot, the bottleneck at a few hundred
    citizens. Long polls (getUpdates) still wait on the stock event.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._waiters: list[tuple[Callable[[], bool], asyncio.Future[bool]]] = []
        self._check_scheduled = False

    def _notify(self) -> None:
        """Wake long polls as usual; schedule one re-check of the citizens' predicates."""
        super()._notify()
        if self._waiters and not self._check_scheduled:
            self._check_scheduled = True
            asyncio.get_running_loop().call_soon(self._check_waiters)

    def _check_waiters(self) -> None:
        """Resolve every waiter whose predicate now holds."""
        self._check_scheduled = False
        pending = []
        for predicate, future in self._waiters:
            if future.done():
                continue
            try:
                ready = predicate()
            except Exception:
                ready = False
            if ready:
                future.set_result(True)
            else:
                pending.append((predicate, future))
        self._waiters = pending

    async def _wait_until(self, predicate: Callable[[], bool], seconds: float) -> bool:
        """True once predicate holds, False after `seconds`."""
        if predicate():
            return True
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._waiters.append((predicate, future))
        try:
            async with asyncio.timeout(seconds):
                return await future
        except TimeoutError:
            return predicate()


# ---------------------------------------------------------------- one citizen


class StepFailed(Exception):
    """A citizen did not get the expected answer in time."""


@dataclass
class Timings:
    """Latencies of one bot run, per step: seen by the citizen and arrived at the simulator."""

    seen: dict[str, list[float]] = field(default_factory=lambda: {s: [] for s in STEPS})
    at_sim: dict[str, list[float]] = field(default_factory=lambda: {s: [] for s in STEPS})


class Citizen:
    """One simulated citizen doing the e2e script, timing every step."""

    def __init__(self, sim: StampingSimulator, user: SimUser, name: str, phone: str,
                 timings: Timings, step_timeout: float, *, think: float = 0.0,
                 seed: int = 0) -> None:
        self.sim, self.user, self.name, self.phone = sim, user, name, phone
        self.timings, self.step_timeout = timings, step_timeout
        self.think, self.random = think, random.Random(seed)
        # pins about 220 m apart, so no citizen is offered another's report as a duplicate
        self.pin = (IN_TARAKAN[0] + (seed % 50) * 0.002, IN_TARAKAN[1] + (seed // 50) * 0.002)

    async def step(self, label: str, action: Coroutine[Any, Any, Any],
                   *expected: tuple[str, ...]) -> SimMessage:
        """Do the action, wait for one new bot message per `expected` entry, record latency."""
        if self.think:
            await asyncio.sleep(self.random.uniform(0.5, 1.5) * self.think)
        started = time.perf_counter()
        await action
        message: SimMessage | None = None
        for fragments in expected:
            try:
                message = await self.user.next_message(timeout=self.step_timeout)
            except AssertionError as exc:
                raise StepFailed(f"{label}: {str(exc).splitlines()[0]}") from None
            missing = [f for f in fragments if f not in message.content]
            if missing:
                raise StepFailed(f"{label}: expected {missing!r} in {message.content[:200]!r}")
        assert message is not None
        self.timings.seen[label].append(time.perf_counter() - started)
        arrived = self.sim.arrived.get((message.chat_id, message.message_id))
        if arrived is not None:
            self.timings.at_sim[label].append(arrived - started)
        return message

    async def run(self) -> str:
        """Register, file one complaint, return its tracking code (tests/e2e/flows.py)."""
        user, step = self.user, self.step
        consent = await step("start", user.send_text("/start"), ("LAPOR! Kota Tarakan",),
                             ("Persetujuan data pribadi",))
        await step("consent", user.press(consent, "Setuju"), ("nama lengkap",))
        await step("name", user.send_text(self.name), ("Bagikan nomor telepon",))
        confirm = await step("contact", user.send_contact(self.phone),
                             ("Nomor telepon diterima",), (self.name,))
        await step("confirm", user.press(confirm, "Benar"), ("Pendaftaran selesai",))
        await step("lapor", user.send_text("/lapor"), ("laporan baru",), ("Langkah 1 dari 5",))
        await step("photo", user.send_photo(), ("Foto diterima (1/5)", "Langkah 2 dari 5"))
        await step("location", user.send_location(*self.pin), ("Lokasi diterima",))
        await step("skip", user.send_text("Lewati ➡️"), ("Langkah 3 dari 5",))
        categories = await step("description", user.send_text(DESCRIPTION),
                                ("Langkah 4 dari 5",))
        review = await step("category", user.press(categories, "Jalan dan jembatan"),
                            ("Langkah 5 dari 5",))
        if review.buttons != REVIEW_BUTTONS:
            raise StepFailed(f"category: review buttons {review.buttons!r}")
        done = await step("send", user.press(review, "Kirim laporan"), ("Laporan terkirim",))
        match = CODE_RE.search(done.content)
        if match is None:
            raise StepFailed(f"send: no tracking code in {done.content[:200]!r}")
        return match.group(0)


def citizen_name(index: int) -> str:
    """A distinct valid name (letters only): Budi Aa, Budi Ab, ..."""
    letters = ""
    index += 26
    while index:
        index, rest = divmod(index, 26)
        letters = "abcdefghijklmnopqrstuvwxyz"[rest] + letters
    return f"Budi {letters.capitalize()}"


# ---------------------------------------------------------------- one bot run


@dataclass
class RunResult:
    """Figures of one bot at one N."""

    kind: str
    citizens: int
    done: int = 0
    failed: int = 0
    wall: float = 0.0
    bot_cpu: float = math.nan
    driver_cpu: float = math.nan
    stored: int | None = None
    timings: Timings = field(default_factory=Timings)
    errors: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        """Completed complaints per second of wall time."""
        return self.done / self.wall if self.wall > 0 else 0.0

    def latencies(self, *, at_sim: bool = False) -> list[float]:
        """Every step latency of every citizen, in seconds."""
        source = self.timings.at_sim if at_sim else self.timings.seen
        return [value for values in source.values() for value in values]


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..1); NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def process_cpu_seconds(pid: int) -> float:
    """User+system CPU time of a process (all its threads), from /proc; NaN if unavailable."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return math.nan
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def reset_postgres(url: str) -> None:
    """Empty the PostgreSQL database: DROP SCHEMA public CASCADE; CREATE SCHEMA public."""
    dsn = url.replace("postgresql+asyncpg://", "postgresql://", 1)
    connection = await asyncpg.connect(dsn)
    try:
        others = await connection.fetchval(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()")
        if others:
            print(f"  note: {others} other session(s) on this database; resetting anyway",
                  flush=True)
        await connection.execute("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;")
    finally:
        await connection.close()


async def count_rows(database_url: str, table: str) -> int | None:
    """Rows in a table after the run (a cross-check of the codes the citizens got)."""
    try:
        if database_url.startswith("sqlite"):
            path = database_url.split(":///", 1)[1]
            with contextlib.closing(sqlite3.connect(path)) as connection:
                return int(connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
        dsn = database_url.replace("postgresql+asyncpg://", "postgresql://", 1)
        connection = await asyncpg.connect(dsn)
        try:
            return int(await connection.fetchval(f"SELECT count(*) FROM {table}"))
        finally:
            await connection.close()
    except Exception:
        return None


@dataclass
class Options:
    """Command-line options shared by every run."""

    backend: str
    postgres_url: str
    step_timeout: float
    run_timeout: float
    start_timeout: float
    bot_cpu: int | None
    stock_waits: bool
    warmup: int
    think: float
    plain_minimal: bool
    profile: Path | None = None


class BotProcess:
    """A bot under test in a subprocess, polling the given simulator."""

    def __init__(self, kind: str, sim: BotApiSimulator, database_url: str, log: Path,
                 cpu: int | None, extra: tuple[str, ...] = ()) -> None:
        self.kind, self.sim, self.database_url, self.log, self.cpu = (
            kind, sim, database_url, log, cpu)
        self.extra = extra
        self.process: asyncio.subprocess.Process | None = None

    async def start(self, within: float) -> None:
        """Spawn it and wait until its first getUpdates reaches the simulator."""
        command = [sys.executable, str(BOT_PROCESS), self.kind, "--api-url", self.sim.base_url,
                   "--database", self.database_url]
        if self.cpu is not None:
            command += ["--cpu", str(self.cpu)]
        command += self.extra
        env = {**os.environ, TOKEN_ENV: self.sim.token, "PYTHONDONTWRITEBYTECODE": "1"}
        with self.log.open("wb") as log:
            self.process = await asyncio.create_subprocess_exec(
                *command, env=env, stdin=asyncio.subprocess.DEVNULL, stdout=log, stderr=log)
        deadline = time.monotonic() + within
        while not self.sim.calls_to("getUpdates"):
            if self.process.returncode is not None:
                raise RuntimeError(f"{self.kind} bot exited at start:\n{self.log_tail()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.kind} bot not polling after {within}s:\n"
                                   f"{self.log_tail()}")
            await asyncio.sleep(0.05)

    def cpu_seconds(self) -> float:
        """CPU time the bot process used so far."""
        return process_cpu_seconds(self.process.pid) if self.process else math.nan

    async def stop(self) -> None:
        """SIGTERM, wait for a clean shutdown, kill after 30 s."""
        process = self.process
        if process is None or process.returncode is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), 30)
        except TimeoutError:
            process.kill()
            await process.wait()

    def log_tail(self, lines: int = 15) -> str:
        """The end of the bot's stderr."""
        try:
            text = self.log.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


async def run_bot(kind: str, citizens: int, options: Options, scratch: Path,
                  attempt: int = 0) -> RunResult:
    """Start one bot on a fresh simulator and database, drive the citizens, stop it."""
    result = RunResult(kind, citizens)
    name = f"{kind}-{citizens}-{attempt}"
    driver = "aiosqlite" if kind == "real" and options.backend == "aiosqlite" else "inline"
    database_url = f"sqlite+{driver}:///{scratch / f'{name}.db'}"
    if kind == "real" and options.backend == "postgres":
        database_url = options.postgres_url
        try:
            await reset_postgres(database_url)
        except Exception as exc:
            result.errors.append(f"PostgreSQL reset failed: {type(exc).__name__}: {exc}")
            return result
    simulator_class = StampingSimulator if options.stock_waits else FastWaitSimulator
    async with simulator_class() as sim:
        extra: tuple[str, ...] = (
            ("--plain",) if kind == "minimal" and options.plain_minimal else ())
        if options.profile is not None:
            options.profile.mkdir(parents=True, exist_ok=True)
            extra += ("--profile", str(options.profile / f"{name}.pstats"))
        bot = BotProcess(kind, sim, database_url, scratch / f"{name}.log", options.bot_cpu, extra)
        try:
            await bot.start(options.start_timeout)
            await warm_up(sim, options)
            players = [Citizen(sim, sim.user(f"Warga{i}"), citizen_name(i), f"62812{i:08d}",
                               result.timings, options.step_timeout,
                               think=options.think, seed=i)
                       for i in range(citizens)]
            await drive(players, result, bot, options.run_timeout)
        except Exception as exc:
            result.errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            await bot.stop()
        stored = await count_rows(database_url, "reports" if kind == "real" else "complaints")
        result.stored = None if stored is None else stored - options.warmup
        if result.errors and bot.log_tail():
            result.errors.append(f"{kind} bot log tail:\n{bot.log_tail(8)}")
    return result


async def warm_up(sim: StampingSimulator, options: Options) -> None:
    """Citizens filing one by one before the measured run (first-use costs, lazy imports)."""
    for index in range(options.warmup):
        user = sim.user(f"Pemanasan{index}")
        try:
            await Citizen(sim, user, f"Pemanasan {citizen_name(index)}", f"62813{index:08d}",
                          Timings(), options.step_timeout, seed=1000 + index).run()
        except StepFailed as exc:
            raise RuntimeError(f"warm-up citizen failed: {exc}") from None


async def drive(players: list[Citizen], result: RunResult, bot: BotProcess,
                run_timeout: float) -> None:
    """Release all citizens at once; wall time ends when the last one is done."""
    gate = asyncio.Event()

    async def play(citizen: Citizen) -> str:
        await gate.wait()
        return await citizen.run()

    tasks = [asyncio.create_task(play(p)) for p in players]
    await asyncio.sleep(0)
    cpu_before, driver_before = bot.cpu_seconds(), time.process_time()
    started = time.perf_counter()
    gate.set()
    done, pending = await asyncio.wait(tasks, timeout=run_timeout)
    result.wall = time.perf_counter() - started
    result.bot_cpu = (bot.cpu_seconds() - cpu_before) / result.wall
    result.driver_cpu = (time.process_time() - driver_before) / result.wall
    for task in pending:
        task.cancel()
    if pending:
        await asyncio.wait(pending)
        result.errors.append(f"{len(pending)} citizen(s) still running after {run_timeout}s")
    for task in done:
        error = task.exception()
        if error is None:
            result.done += 1
        else:
            result.failed += 1
            if len(result.errors) < 3:
                result.errors.append(f"{type(error).__name__}: {error}")
    result.failed += len(pending)


# ---------------------------------------------------------------- report


def _ms(seconds: float) -> str:
    """Seconds as whole milliseconds, '-' for NaN."""
    return "-" if math.isnan(seconds) else f"{seconds * 1000:.0f}"


def _pct(share: float) -> str:
    """A CPU share as a percentage of one core."""
    return "-" if math.isnan(share) else f"{share * 100:.0f}%"


HEADER = (f"{'bot':<8}{'N':>5}{'done':>6}{'fail':>5}{'wall s':>8}{'compl/s':>9}{'p50 ms':>8}"
          f"{'p99 ms':>8}{'max ms':>8}{'p99@sim':>8}{'bot CPU':>8}{'drv CPU':>8}{'stored':>7}")


def row(result: RunResult) -> str:
    """One line of the table."""
    seen = result.latencies()
    return (f"{result.kind:<8}{result.citizens:>5}{result.done:>6}{result.failed:>5}"
            f"{result.wall:>8.2f}{result.rate:>9.2f}{_ms(percentile(seen, 0.5)):>8}"
            f"{_ms(percentile(seen, 0.99)):>8}{_ms(max(seen, default=math.nan)):>8}"
            f"{_ms(percentile(result.latencies(at_sim=True), 0.99)):>8}"
            f"{_pct(result.bot_cpu):>8}{_pct(result.driver_cpu):>8}"
            f"{'-' if result.stored is None else result.stored:>7}")


def median_run(runs: list[RunResult]) -> RunResult:
    """The run with the median complaints/s (the lower one of the middle two)."""
    ordered = sorted(runs, key=lambda r: r.rate)
    return ordered[(len(ordered) - 1) // 2]


def per_step(result: RunResult) -> str:
    """p50/p99 per step, for finding the slow ones."""
    cells = "  ".join(
        f"{step} {_ms(percentile(values, 0.5))}/{_ms(percentile(values, 0.99))}"
        for step, values in result.timings.seen.items())
    return f"  {result.kind} N={result.citizens} p50/p99 ms per step: {cells}"


def goals(results: dict[tuple[str, int], RunResult], think: float = 0.0) -> list[str]:
    """Whether the team's goals are met (printed, never asserted).

    In a closed loop (no think time) a step's latency is about N / steps per second (Little's
    law), so the latency line says which loop it was measured in.
    """
    lines = []
    loop = f"citizens pausing ~{think:g}s" if think else "closed loop"
    real, minimal = results.get(("real", GOAL_RATIO_AT)), results.get(("minimal", GOAL_RATIO_AT))
    if real and minimal and minimal.rate > 0:
        ratio = real.rate / minimal.rate
        verdict = "met" if ratio >= GOAL_RATIO else "NOT met"
        lines.append(f"goal: ratio >= {GOAL_RATIO} at N={GOAL_RATIO_AT}: {verdict} "
                     f"({ratio:.2f})")
    else:
        lines.append(f"goal: ratio >= {GOAL_RATIO} at N={GOAL_RATIO_AT}: not measured")
    real = results.get(("real", GOAL_P99_AT))
    if real and real.latencies():
        p99 = percentile(real.latencies(), 0.99) * 1000
        complete = real.failed == 0
        verdict = "met" if p99 < GOAL_P99_MS and complete else "NOT met"
        note = "" if complete else f", {real.failed} citizen(s) failed"
        lines.append(f"goal: real p99 < {GOAL_P99_MS:.0f} ms at N={GOAL_P99_AT} ({loop}): "
                     f"{verdict} ({p99:.0f} ms{note})")
    else:
        lines.append(f"goal: real p99 < {GOAL_P99_MS:.0f} ms at N={GOAL_P99_AT} ({loop}): "
                     "not measured")
    return lines


# ---------------------------------------------------------------- main


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--citizens", type=int, nargs="+", default=[100, 300],
                        help="concurrent citizens per run (default: 100 300)")
    parser.add_argument("--backend", choices=("sqlite", "aiosqlite", "postgres"),
                        default="sqlite",
                        help="database of the real bot: SQLite inline (the default), SQLite "
                             "through aiosqlite, PostgreSQL (the minimal bot: aiosqlite)")
    parser.add_argument("--postgres-url", default=POSTGRES_URL,
                        help="reset with DROP SCHEMA public CASCADE before each real run")
    parser.add_argument("--bots", nargs="+", choices=("real", "minimal"),
                        default=["real", "minimal"])
    parser.add_argument("--step-timeout", type=float, default=30.0,
                        help="seconds a citizen waits for one answer")
    parser.add_argument("--run-timeout", type=float, default=180.0,
                        help="seconds before the citizens still running are given up")
    parser.add_argument("--start-timeout", type=float, default=60.0,
                        help="seconds for a bot process to start polling")
    parser.add_argument("--repeat", type=int, default=1,
                        help="runs per bot and N; the table shows the median one (default 1)")
    parser.add_argument("--warmup", type=int, default=2,
                        help="citizens filing one by one before the measured run (default 2)")
    parser.add_argument("--think", type=float, default=0.0,
                        help="mean seconds a citizen pauses before each action (default 0: "
                             "closed loop; latency never includes the pause)")
    parser.add_argument("--no-pin", action="store_true",
                        help="do not pin the bot to one CPU and this process to the others")
    parser.add_argument("--stock-waits", action="store_true",
                        help="use the simulator's own waiting (slow with many citizens)")
    parser.add_argument("--plain-minimal", action="store_true",
                        help="let the minimal bot rebuild aiogram's Response[...] models after "
                             "garbage collections (noisier, slower baseline)")
    parser.add_argument("--profile", type=Path, default=None, metavar="DIR",
                        help="profile each bot process with cProfile into DIR/<bot>-<N>-<k>.pstats "
                             "(slows the bots: figures are then not comparable)")
    parser.add_argument("--per-step", action="store_true", help="print p50/p99 per step")
    return parser.parse_args(argv)


def revision() -> str:
    """The project's git commit (read-only), or 'unknown revision'."""
    try:
        found = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                               text=True, timeout=5, cwd=Path(__file__).parent, check=False)
    except (OSError, subprocess.SubprocessError):
        return "unknown revision"
    return f"commit {found.stdout.strip()}" if found.returncode == 0 else "unknown revision"


def pin_cpus(no_pin: bool) -> tuple[int | None, str]:
    """Give the bot the last CPU and this process the rest; returns the bot's CPU and a note."""
    cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    if no_pin or len(cpus) < 2:
        return None, "not pinned"
    bot_cpu = cpus[-1]
    os.sched_setaffinity(0, set(cpus[:-1]))
    driver = ",".join(map(str, cpus[:-1]))
    return bot_cpu, f"bot on CPU {bot_cpu}, simulator+citizens on CPU {driver}"


async def main_async(args: argparse.Namespace) -> None:
    """Run every (N, bot) pair and print the table as it fills."""
    bot_cpu, pinning = pin_cpus(args.no_pin)
    options = Options(args.backend, args.postgres_url, args.step_timeout, args.run_timeout,
                      args.start_timeout, bot_cpu, args.stock_waits, args.warmup, args.think,
                      args.plain_minimal, args.profile)
    think = f"think time ~{args.think:g}s" if args.think else "no think time (closed loop)"
    print(f"intake benchmark at {revision()}: real bot on {args.backend}, minimal bot on "
          f"SQLite; {pinning}; {args.warmup} warm-up citizen(s) per bot, not measured; {think}; "
          f"{os.cpu_count()} CPUs; Python {sys.version.split()[0]}; load average before: "
          f"{os.getloadavg()[0]:.2f}", flush=True)
    results: dict[tuple[str, int], RunResult] = {}
    lines: list[str] = []
    with tempfile.TemporaryDirectory(prefix="lapor-bench-") as scratch:
        for citizens in args.citizens:
            for kind in args.bots:
                runs = []
                for attempt in range(args.repeat):
                    print(f"  running {kind} bot with {citizens} citizens"
                          f"{f' ({attempt + 1}/{args.repeat})' if args.repeat > 1 else ''}...",
                          flush=True)
                    runs.append(await run_bot(kind, citizens, options, Path(scratch), attempt))
                result = median_run(runs)
                results[(kind, citizens)] = result
                lines.append(row(result))
                if len(runs) > 1:
                    rates = ", ".join(f"{r.rate:.2f}" for r in runs)
                    lines.append(f"  {kind} N={citizens}: median of {len(runs)} runs by "
                                 f"complaints/s ({rates})")
                for error in result.errors:
                    lines.append(f"  ! {kind} N={citizens}: {error}")
                if args.per_step:
                    lines.append(per_step(result))
            real, minimal = results.get(("real", citizens)), results.get(("minimal", citizens))
            if real and minimal and minimal.rate > 0:
                lines.append(f"  ratio real/minimal complaints/s at N={citizens}: "
                             f"{real.rate / minimal.rate:.2f}")
    print()
    print(HEADER)
    for line in lines:
        print(line)
    print("latency: citizen action -> the step's last expected answer seen by the citizen "
          "(p99@sim: reached the simulator); CPU in % of one core over the run; stored: rows "
          "in the bot's database minus warm-up")
    for line in goals(results, args.think):
        print(line)


def main(argv: list[str] | None = None) -> int:
    """Entry point; always 0 (goals are reported, not asserted)."""
    args = parse_args(argv)
    try:
        asyncio.run(main_async(args))
    except KeyboardInterrupt:
        print("interrupted")
    except Exception as exc:  # report, never fail the caller
        print(f"benchmark aborted: {type(exc).__name__}: {exc}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
