"""Resident memory of the real `lapor-bot` process with a big city in its database.

    python3 benchmarks/memory.py [--citizens 100000] [--in-progress 5000] [--active 2000]
                                 [--waves 3] [--bot-code DIR]

Fills a fresh SQLite database directly with SQL: `--citizens` registered citizens (each with
an idle conversation row, as registration leaves it) of whom `--in-progress` have a complaint
half filed (state and draft data). Starts the real bot (`python -m bot`, harness.LaporBot)
against the simulator and prints its resident memory (VmRSS) after start, then after each of
`--waves` waves in which `--active` citizens not seen before each open a new complaint
(/lapor). A cache that grows with the city shows as RSS rising wave after wave. Then the
same for a minimal aiogram bot (benchmarks/bot_process.py minimal: in-memory FSM, no
database of citizens) with the same traffic, in the same run. `--bot-code` runs another
checkout's bot (to compare with an older commit). Figures are printed, never judged.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.harness import ROOT, LaporBot, export_pythonpath, memory_kib, mib
from benchmarks.intake import BotProcess, FastWaitSimulator
from complaints.privacy import CONSENT_VERSION
from simulator import BotApiSimulator

FIRST_ID = 500_000_000
WHEN = "2026-11-01 08:00:00.000000"
DRAFT = {"photos": [{"file_id": "AgACAgUAAxkBAAI" + "x" * 60, "file_unique_id": "AQADx" * 3,
                     "kind": "photo"}],
         "location": [3.3, 117.633], "landmark": "Depan pasar",
         "description": "Jalan berlubang besar di depan pasar, sudah dua minggu.",
         "touched_at": "2026-11-01T08:00:00+00:00"}


def fill(path: Path, bot_id: int, citizens: int, in_progress: int) -> float:
    """Registered citizens and their conversation rows, straight into SQLite; seconds taken."""
    started = time.perf_counter()
    with contextlib.closing(sqlite3.connect(path)) as db, db:
        db.executemany(
            "INSERT INTO citizens (telegram_id, language, name, phone, consent_at, consent_version,"
            " created_at, updated_at) VALUES (?, 'id', ?, ?, ?, ?, ?, ?)",
            ((FIRST_ID + i, f"Warga Nomor {i}", f"+62812{i:08d}", WHEN, CONSENT_VERSION, WHEN, WHEN)
             for i in range(citizens)))
        draft = json.dumps(DRAFT)
        db.executemany(
            "INSERT INTO fsm_states (key, state, data, updated_at) VALUES (?, ?, ?, ?)",
            ((f"fsm:{bot_id}:{FIRST_ID + i}:{FIRST_ID + i}:default",
              "IntakeStates:description" if i < in_progress else None,
              draft if i < in_progress else "{}", WHEN) for i in range(citizens)))
    return time.perf_counter() - started


async def traffic(sim: BotApiSimulator, ids: range, command: str,
                  concurrency: int = 100) -> int:
    """Each citizen sends `command` and waits for two answers; returns how many got them."""
    gate = asyncio.Semaphore(concurrency)

    async def one(user_id: int) -> bool:
        async with gate:
            user = sim.user(f"Warga {user_id}", user_id=user_id)
            await user.send_text(command)
            try:
                await user.next_message(timeout=60)
                await user.next_message(timeout=60)
            except AssertionError:
                return False
            return True

    return sum(await asyncio.gather(*(one(i) for i in ids)))


async def measure(label: str, memory: Callable[[], tuple[int, int]], sim: BotApiSimulator,
                  args: argparse.Namespace, first: int, rows: list[str]) -> None:
    """RSS after start, then after each wave of new citizens opening a complaint."""
    await asyncio.sleep(1.0)
    cells = [mib(memory()[0])]
    for wave in range(args.waves):
        start = first + args.in_progress + wave * args.active
        answered = await traffic(sim, range(start, start + args.active), "/lapor")
        await asyncio.sleep(0.5)
        cells.append(mib(memory()[0]) + ("" if answered == args.active
                                         else f" ({args.active - answered} unanswered)"))
    cells.append(mib(memory()[1]))
    rows.append(f"{label:<10}" + "".join(f"{cell:>14}" for cell in cells))


async def main_async(args: argparse.Namespace) -> None:
    """Fill, run the real bot, then the minimal one, print one table."""
    from db.migrate import upgrade

    export_pythonpath()
    rows: list[str] = []
    with tempfile.TemporaryDirectory(prefix="lapor-memory-") as scratch_dir:
        scratch = Path(scratch_dir)
        async with FastWaitSimulator() as sim:
            database = scratch / "lapor.db"
            url = f"sqlite+inline:///{database}"
            await asyncio.to_thread(upgrade, url)
            seconds = fill(database, int(sim.token.split(":")[0]), args.citizens,
                           args.in_progress)
            print(f"filled {args.citizens} citizens ({args.in_progress} with a complaint half "
                  f"filed) in {seconds:.1f}s; database {database.stat().st_size / 2**20:.0f} "
                  "MiB", flush=True)
            bot = LaporBot(sim, url, scratch, code=args.bot_code)
            await bot.start()
            try:
                await measure("lapor-bot", bot.memory, sim, args, FIRST_ID, rows)
            finally:
                print(f"lapor-bot exited with {await bot.stop()}", flush=True)
        async with FastWaitSimulator() as sim:
            minimal = BotProcess("minimal", sim, f"sqlite+aiosqlite:///{scratch / 'min.db'}",
                                 scratch / "minimal.log", None)
            await minimal.start(60)
            try:
                process = minimal.process
                assert process is not None
                await measure("minimal", lambda: memory_kib(process.pid), sim, args,
                              FIRST_ID, rows)
            finally:
                await minimal.stop()
    waves = "".join(f"{f'+{(w + 1) * args.active} chats':>14}" for w in range(args.waves))
    print(f"\nresident memory in MiB (VmRSS), bot code from {args.bot_code}")
    print(f"{'bot':<10}{'after start':>14}{waves}{'peak':>14}")
    for line in rows:
        print(line)


def main(argv: list[str] | None = None) -> int:
    """Entry point; prints the figures, exits 0."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--citizens", type=int, default=100_000)
    parser.add_argument("--in-progress", type=int, default=5_000)
    parser.add_argument("--active", type=int, default=2_000,
                        help="new citizens opening a complaint per wave")
    parser.add_argument("--waves", type=int, default=3)
    parser.add_argument("--bot-code", type=Path, default=ROOT,
                        help="checkout whose bot to run (default: this one)")
    args = parser.parse_args(argv)
    if args.in_progress + args.waves * args.active > args.citizens:
        parser.error("--in-progress + --waves * --active must not exceed --citizens")
    asyncio.run(main_async(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
