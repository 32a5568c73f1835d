"""Statistics at scale: /rekap, the staff report and the export over a million complaints.

    python3 benchmarks/reports.py [--reports 1000000] [--years 2] [--citizens 20] [--think 1]
                                  [--db PATH]  # reuse a filled database (filled if missing)

1. Fills a SQLite database with --reports complaints spread evenly over --years years ending
   2026-12-31, each with the audit events of a plausible life (verified, forwarded, started,
   settled with a proof photo, closed, rated; some returned, some reopened, the newest still
   open) and the step spans and monthly histograms the bot keeps from those events, by bulk
   INSERTs (not through the services: that would take hours).
2. Times /rekap as the bot makes it (bot/statistics.py: figures and chart in the statistics
   process, then the text) for one month and one year; the staff report for one month
   (PDF + XLSX, no photos: no Bot API); and `lapor-admin report export --format csv` for a
   tenth of the reports and for all of them, each in its own process with its peak memory
   (ru_maxrss); --skip-exports leaves these out.
3. Starts the real bot on that database (its own process, benchmarks/bot_process.py) and lets
   --citizens simulated citizens register and file a complaint (pausing ~--think s between
   actions), first alone, then while an admin asks for the year's /rekap over and over, and
   compares the citizens' p99 step latency.

Goals (printed, never asserted): month /rekap < 0.5 s, year < 1.5 s; the export's memory flat
as rows grow; citizens' p99 during the year /rekap within 1.5x their p99 without it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import os
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout's packages, also for the bot's process
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT),
                                                         os.environ.get("PYTHONPATH")]))

from intake import (  # noqa: E402
    BotProcess,
    Citizen,
    FastWaitSimulator,
    StepFailed,
    Timings,
    citizen_name,
    percentile,
    revision,
)

from bot.statistics import RekapProcess  # noqa: E402
from complaints.calendar import WorkingCalendar  # noqa: E402
from complaints.periods import parse_period  # noqa: E402
from complaints.stats import Span, Step  # noqa: E402
from db.migrate import upgrade  # noqa: E402
from presentation.stats_view import rekap_text  # noqa: E402
from presentation.texts import Translator  # noqa: E402

WITA = ZoneInfo("Asia/Makassar")
CALENDAR = WorkingCalendar(WITA)
END = datetime(2027, 1, 1, tzinfo=WITA)
AGENCIES = ["PUPR", "DLH", "DISHUB", "DINKES", "DISDIK", "SATPOLPP", "DISDUKCAPIL", "BPBD",
            "DISPERKIM", "PDAM", "DKISP"]
CATEGORIES = {"roads": "PUPR", "drainage": "PUPR", "waste": "DLH", "lighting": "DISPERKIM",
              "water": "PDAM", "health": "DINKES", "education": "DISDIK", "order": "SATPOLPP",
              "population": "DISDUKCAPIL", "transport": "DISHUB", "disaster": "BPBD",
              "other": "DKISP"}
CITIZENS = 5000
BATCH = 20_000
ADMIN_NAME = "Ani Admin"


def stamp(moment: datetime) -> str:
    """A moment as the app stores it in SQLite (UTC, no offset)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


class Filler:
    """Builds complaints, events, steps and photos as rows for executemany."""

    def __init__(self, seed: int = 7) -> None:
        self.random = random.Random(seed)
        self.deadlines: dict[tuple[date, int], datetime] = {}
        self.event_id = 0

    def due(self, step: Step, start: datetime) -> datetime:
        """The step's standard, remembered per local day (the deadline depends on the day)."""
        if step == Step.DOCUMENT:
            return start + timedelta(minutes=5)
        days = 10 if step == Step.AGENCY_FINISH else 3
        key = (start.astimezone(WITA).date(), days)
        if key not in self.deadlines:
            self.deadlines[key] = CALENDAR.deadline(start, days)
        return self.deadlines[key]

    def hours(self, median: float) -> timedelta:
        return timedelta(hours=median * self.random.lognormvariate(0, 0.8))

    def report(self, rid: int, created: datetime, rows: dict[str, list[tuple]]) -> None:
        """One complaint's row, events, step spans and proof photo."""
        rnd = self.random
        category = rnd.choice(list(CATEGORIES))
        agency = CATEGORIES[category] if rnd.random() < 0.85 else rnd.choice(AGENCIES)
        status, holder, note, rating, closed = "submitted", None, None, None, None
        events: list[tuple[str, datetime, str | None, str, str]] = [
            ("submit", created, None, "submitted", "citizen")]
        spans: list[Span] = []

        def span(step: Step, start: datetime, end: datetime | None, who: str | None) -> None:
            spans.append(Span(step, who, start, self.due(step, start), end))

        at = created + self.hours(30)
        if at >= END:
            span(Step.VERIFY, created, None, None)
        elif rnd.random() < 0.08:
            span(Step.VERIFY, created, at, None)
            events.append(("return", at, "submitted", "returned", "admin"))
            status = "returned"
        else:
            span(Step.VERIFY, created, at, None)
            events.append(("forward", at, "submitted", "forwarded", "admin"))
            status, holder, forwarded = "forwarded", agency, at
            at = forwarded + self.hours(40)
            if at >= END:
                span(Step.AGENCY_START, forwarded, None, agency)
                span(Step.AGENCY_FINISH, forwarded, None, agency)
            else:
                span(Step.AGENCY_START, forwarded, at, agency)
                events.append(("start", at, "forwarded", "in_progress", "opd"))
                status = "in_progress"
                at = max(at, forwarded + self.hours(180))
                span(Step.AGENCY_FINISH, forwarded, at if at < END else None, agency)
                if at < END:
                    events.append(("resolve", at, "in_progress", "resolved", "opd"))
                    status, note, resolved = "resolved", "Sudah ditangani petugas.", at
                    at = resolved + timedelta(minutes=rnd.expovariate(1 / 90))
                    span(Step.DOCUMENT, resolved, at if at < END else None, None)
                    if at < END:
                        events.append(("close", at, "resolved", "closed", "admin"))
                        status, closed = "closed", at
                        if rnd.random() < 0.6:
                            rating = rnd.choice((1, 2, 3, 4, 4, 5, 5, 5, 5, 5))
                        if rating is not None and rating <= 2 and at + timedelta(hours=2) < END:
                            at += timedelta(hours=2)
                            events.append(("reopen", at, "closed", "submitted", "citizen"))
                            status, holder, closed = "submitted", None, None
                            spans.append(Span(Step.REOPENED, None, at, at, at))
                            span(Step.VERIFY, at, None, None)
        last = events[-1][1]
        rows["reports"].append((
            rid, f"B{rid:011d}", 1 + rid % CITIZENS, status, category,
            "Jalan berlubang di depan pasar, mohon segera diperbaiki.", 3.3, 117.63, True,
            stamp(created), stamp(last), stamp(self.due(Step.VERIFY, created)),
            len(events), 1, holder, None, note, rating, None if closed is None else stamp(closed)))
        for action, moment, source, target, role in events:
            self.event_id += 1
            rows["events"].append((self.event_id, rid, stamp(moment), action, source, target,
                                   None, role, f"→ {agency}" if action == "forward" else None))
        for s in spans:
            key = s.key()
            rows["steps"].append((rid, stamp(created), s.step.value, s.agency, stamp(s.started_at),
                                  stamp(s.due_at), None if s.ended_at is None else
                                  stamp(s.ended_at), s.seconds,
                                  None if key is None else key[2], s.within))
        if note is not None:
            rows["photos"].append((rid, 0, f"proof-{rid}", f"u{rid}", "photo", "proof"))


INSERTS = {
    "reports": "INSERT INTO reports (id, code, citizen_id, status, category_key, description, "
               "latitude, longitude, address_checked, created_at, updated_at, verify_due, "
               "version, revision, agency_code, finish_due, resolution_note, rating, closed_at) "
               "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
    "events": "INSERT INTO report_events (id, report_id, at, action, from_status, to_status, "
              "actor_id, actor_role, note) VALUES (?,?,?,?,?,?,?,?,?)",
    "steps": "INSERT INTO report_steps (report_id, report_created_at, step, agency_code, "
             "started_at, due_at, ended_at, seconds, bucket, within) VALUES (?,?,?,?,?,?,?,?,?,?)",
    "photos": "INSERT INTO report_photos (report_id, position, file_id, file_unique_id, kind, "
              "purpose) VALUES (?,?,?,?,?,?)",
}


def fill(path: Path, reports: int, years: int) -> float:
    """The filled database; seconds it took."""
    started = time.perf_counter()
    upgrade(f"sqlite+inline:///{path}")
    filler = Filler()
    first = END - timedelta(days=365 * years)
    step = (END - first) / reports
    with contextlib.closing(sqlite3.connect(path)) as connection:
        connection.execute("PRAGMA synchronous=OFF")
        now = stamp(first)
        connection.executemany(
            "INSERT INTO citizens (telegram_id, language, name, phone, consent_at, created_at, "
            "updated_at) VALUES (?, 'id', ?, ?, ?, ?, ?)",
            [(i, f"Warga {i}", f"+62812{i:08d}", now, now, now) for i in range(1, CITIZENS + 1)])
        for start in range(0, reports, BATCH):
            rows: dict[str, list[tuple]] = {name: [] for name in INSERTS}
            for rid in range(start + 1, min(reports, start + BATCH) + 1):
                filler.report(rid, first + step * (rid - 1), rows)
            for name, statement in INSERTS.items():
                connection.executemany(statement, rows[name])
            connection.commit()
            print(f"  filled {min(reports, start + BATCH):,} complaints", end="\r", flush=True)
        month = "strftime('%Y-%m', report_created_at, '+8 hours')"  # WITA
        ended = "FROM report_steps WHERE bucket IS NOT NULL"
        connection.execute(
            "INSERT INTO stats_month (month, step, agency_code, bucket, n) "
            f"SELECT {month}, step, coalesce(agency_code, ''), bucket, count(*) {ended} "
            "AND step != 'reopened' GROUP BY 1, 2, 3, 4 UNION ALL "
            f"SELECT {month}, step, '*', bucket, count(*) {ended} AND step != 'reopened' "
            "GROUP BY 1, 2, 3, 4")
        connection.execute(
            "INSERT INTO stats_month_within (month, step, agency_code, within, n) "
            f"SELECT {month}, step, coalesce(agency_code, ''), "
            "step != 'reopened' AND coalesce(within, 0), count(*) "  # as db/stats.py counts
            f"{ended} GROUP BY 1, 2, 3, 4")
        connection.execute("INSERT INTO stats_progress (name, last_event_id) VALUES (?, ?)",
                           ("report_steps", filler.event_id))
        connection.commit()
        connection.execute("ANALYZE")
    print()
    return time.perf_counter() - started


async def time_rekap(url: str, texts: list[str]) -> list[tuple[float, int]]:
    """(seconds, reports) per /rekap as the bot makes it (its statistics process), warm."""
    statistics = RekapProcess(url, CALENDAR)
    t = Translator("id", WITA)
    timed = []
    try:
        for text in texts:
            period = parse_period(text, date(2026, 12, 15))
            await statistics.rekap(period, None, t)  # warm: the process, engines, page cache
            started = time.perf_counter()
            figures, _chart = await statistics.rekap(period, None, t)
            rekap_text(t, figures, _names())
            timed.append((time.perf_counter() - started, figures.total))
    finally:
        statistics.close()
    return timed


def _names():  # type: ignore[no-untyped-def]
    from presentation.context import Names

    return Names({}, {})


def run_cli(url: str, *args: str) -> tuple[float, float]:
    """`lapor-admin ARGS` in its own process: (seconds, peak resident MiB)."""
    started = time.perf_counter()
    found = subprocess.run(
        [sys.executable, __file__, "--child", *args], capture_output=True, text=True,
        env={**os.environ, "DATABASE_URL": url}, timeout=1800, check=False)
    if found.returncode != 0:
        raise RuntimeError(f"lapor-admin {' '.join(args)} failed:\n{found.stderr[-2000:]}")
    peak_kib = int(found.stdout.strip().splitlines()[-1])
    return time.perf_counter() - started, peak_kib / 1024


def child(args: list[str]) -> None:
    """Run lapor-admin in this process, then print its peak memory (KiB) as the last line."""
    from admin_cli.main import app

    code = 0
    try:
        app(args, standalone_mode=False)
    except SystemExit as exc:
        code = int(exc.code or 0)
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    sys.exit(code)


async def citizens(url: str, count: int, think: float, scratch: Path,
                   period: str) -> tuple[list[list[float]], list[int], list[float]]:
    """One bot, two rounds of citizens: alone, then beside an admin's repeated year /rekap.

    Both rounds talk to one bot process and one simulator (a second simulator would reuse
    update ids the bot's inbox has already seen). Returns each round's step latencies (s),
    failures, and the /rekap times.
    """
    async with FastWaitSimulator() as sim:
        admin = sim.user(ADMIN_NAME)
        with contextlib.closing(sqlite3.connect(url.split(":///", 1)[1])) as connection:
            # a reused database: forget an earlier run's simulated people and updates
            connection.execute("DELETE FROM inbox_updates")
            connection.execute("DELETE FROM fsm_states")
            connection.execute("DELETE FROM citizens WHERE telegram_id > ?", (CITIZENS,))
            connection.execute(
                "INSERT OR REPLACE INTO staff (telegram_id, name, role, agency_code, active, "
                "created_at) VALUES (?, ?, 'admin', NULL, 1, ?)",
                (admin.id, ADMIN_NAME, stamp(END)))
            connection.commit()
        bot = BotProcess("real", sim, url, scratch / "bot.log", None)
        latencies: list[list[float]] = []
        failures: list[int] = []
        rekaps: list[float] = []
        try:
            await bot.start(120)
            await ask_rekap(admin)  # warm: engines, matplotlib, page cache
            for round_ in ("alone", "beside"):
                timings = Timings()
                players = [Citizen(sim, sim.user(f"W{round_}{i}"), citizen_name(i),
                                   f"6281{len(round_)}{i:07d}", timings, 60, think=think,
                                   seed=i + (count if round_ == "beside" else 0))
                           for i in range(count)]  # own pins: no one is offered a duplicate
                tasks = [asyncio.create_task(p.run()) for p in players]
                while round_ == "beside" and not all(task.done() for task in tasks):
                    rekaps.append(await ask_rekap(admin, period))
                outcomes = await asyncio.gather(*tasks, return_exceptions=True)
                failures.append(sum(isinstance(o, BaseException) for o in outcomes))
                latencies.append([v for values in timings.seen.values() for v in values])
        except Exception:
            print(bot.log_tail(30))
            raise
        finally:
            await bot.stop()
    return latencies, failures, rekaps


async def ask_rekap(admin, year: str = "2025") -> float:  # type: ignore[no-untyped-def]
    """The admin's /rekap of a year, until its text and chart arrived (s)."""
    started = time.perf_counter()
    await admin.send_text(f"/rekap {year}")
    for _ in range(2):
        await admin.next_message(timeout=120)
    return time.perf_counter() - started


def exports(url: str, scratch: Path, years: int) -> tuple[tuple[int, float], ...]:
    """Time the staff report and two CSV exports; (rows, peak MiB) of each export."""
    staff, staff_mib = run_cli(url, "staff-report", "--month", "2025-06", "--out-dir",
                               str(scratch), "--media-dir", str(scratch / "media"))
    print(f"staff report 2025-06 (PDF + XLSX): {staff:.1f} s, peak {staff_mib:.0f} MiB",
          flush=True)
    tenth = f"2026-{12 - max(1, round(1.2 * years)) + 1:02d}-01..2026-12-31"
    measured = []
    for name, extra in (("s.csv", ("--period", tenth)), ("a.csv", ())):
        seconds, peak = run_cli(url, "report", "export", "--out", str(scratch / name), *extra)
        with (scratch / name).open(encoding="utf-8") as handle:
            rows = sum(1 for _ in handle) - 1
        measured.append((rows, peak, seconds))
    (small_rows, small_mib, small), (full_rows, full_mib, full) = measured
    print(f"CSV export {small_rows:,} rows: {small:.1f} s, peak {small_mib:.0f} MiB; "
          f"{full_rows:,} rows: {full:.1f} s, peak {full_mib:.0f} MiB", flush=True)
    return (small_rows, small_mib), (full_rows, full_mib)


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


async def main_async(args: argparse.Namespace) -> None:
    print(f"reports benchmark at {revision()}: {args.reports:,} complaints over {args.years} "
          f"year(s) on SQLite; {os.cpu_count()} CPUs; load average before: "
          f"{os.getloadavg()[0]:.2f}", flush=True)
    with tempfile.TemporaryDirectory(prefix="lapor-reports-") as scratch_dir:
        scratch = Path(scratch_dir)
        path = args.db or scratch / "reports.db"
        if not path.exists():
            seconds = await asyncio.to_thread(fill, path, args.reports, args.years)
            print(f"fill: {seconds:.1f} s", flush=True)
        url = f"sqlite+inline:///{path}"
        (month_all, month_n), (year_all, year_n) = await time_rekap(url, ["2025-06", "2025"])
        print(f"/rekap month 2025-06 ({month_n:,} complaints): {month_all:.3f} s to figures, "
              "text and chart")
        print(f"/rekap year 2025 ({year_n:,} complaints): {year_all:.3f} s to figures, text and "
              "chart", flush=True)
        memory = None if args.skip_exports else exports(url, scratch, args.years)
        (quiet, busy), (quiet_failed, busy_failed), rekaps = await citizens(
            url, args.citizens, args.think, scratch, args.rekap)
        p99_quiet, p99_busy = percentile(quiet, 0.99), percentile(busy, 0.99)
        print(f"citizens ({args.citizens}, pausing ~{args.think:g} s): p50/p99 "
              f"{percentile(quiet, 0.5) * 1000:.0f}/{p99_quiet * 1000:.0f} ms alone, "
              f"{percentile(busy, 0.5) * 1000:.0f}/{p99_busy * 1000:.0f} ms during "
              f"{len(rekaps)} /rekap {args.rekap} (each {min(rekaps, default=math.nan):.2f}-"
              f"{max(rekaps, default=math.nan):.2f} s to text and chart); failed "
              f"{quiet_failed}+{busy_failed}")
    ratio = p99_busy / p99_quiet if p99_quiet else math.nan
    print(f"goal month /rekap < 0.5 s: {verdict(month_all < 0.5)} ({month_all:.3f} s)")
    print(f"goal year /rekap < 1.5 s: {verdict(year_all < 1.5)} ({year_all:.3f} s)")
    if memory is not None:
        (small_rows, small_mib), (full_rows, full_mib) = memory
        print(f"goal export memory flat: {verdict(full_mib < small_mib * 1.25 + 10)} "
              f"({small_mib:.0f} MiB for {small_rows:,} rows, {full_mib:.0f} MiB for "
              f"{full_rows:,})")
    print(f"goal citizens' p99 during the year /rekap within 1.5x: {verdict(ratio <= 1.5)} "
          f"({ratio:.2f}x)")


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2:])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--years", type=int, default=2)
    parser.add_argument("--citizens", type=int, default=20)
    parser.add_argument("--think", type=float, default=1.0)
    parser.add_argument("--rekap", default="2025", help="the period the admin keeps asking for")
    parser.add_argument("--skip-exports", action="store_true",
                        help="leave out the staff report and the exports")
    parser.add_argument("--db", type=Path, default=None, help="reuse (or fill) this database")
    args = parser.parse_args()
    try:
        asyncio.run(main_async(args))
    except StepFailed as exc:
        print(f"benchmark aborted: a citizen failed: {exc}")
    except Exception as exc:  # report, never fail the caller
        print(f"benchmark aborted: {type(exc).__name__}: {exc}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
