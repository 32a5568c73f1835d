"""The whole lifecycle under load: N citizens file, M staff members work every complaint to closed.

    python3 benchmarks/lifecycle.py [--citizens 20] [--staff 4] [--backend sqlite|postgres]
        [--faults 0 0.1] [--kills 0 3] [--seed 1] [--processes 1] [--webhook]

Each complaint is one script over the simulator (real HTTP) against the real `lapor-bot`
process (harness.LaporBot): the citizen registers and files; an admin verifies and forwards it
to PUPR; a PUPR operator presses Process, then Done, and replies to the bot's question with a
proof photo and a note; the admin closes it; the citizen rates it. Staff members are shared
(complaint i goes to admin i mod A and operator i mod O), so they work many at once.

Every (faults, kills) pair is one run on a fresh database. `--faults R` makes a share R of all
Bot API calls, getUpdates included, fail (simulator/chaos.py: 429 with retry_after up to 5 s,
500/502 JSON, slow, timeout, dropped before or after Telegram accepted; `--html-502` adds 502s
with an HTML body). `--kills K` SIGKILLs the bot K times at drawn moments (mid-wizard, right
after a citizen pressed Send, right after a staff press, while the outbox sends an album) and
restarts it at once. Afterwards, with faults off, it counts from the database and from every
chat: complaints stuck (someone waited in vain for an answer), lost (Send pressed, not
stored) and stored twice, transitions
applied twice, duplicate sends per chat (minus those Telegram accepted before the connection
dropped: the bot cannot know those) and notices out of order. It prints complaints/s through
the whole lifecycle, p50/p99 answer time (a citizen's or staff member's action until the
answer they wait for), outbox lag (row created until sent), and the peak resident memory of
each bot process beside a minimal aiogram bot's in the same run (intake.py's baseline, driven
through registration and one complaint per citizen). Figures are printed, never judged.

`--webhook` runs `lapor-bot --webhook` (WEBHOOK_URL, WEBHOOK_SECRET, WEBHOOK_PORT in its
environment) with the simulator posting each update to the next process in turn
(`webhook_upstreams`, as a proxy would); `--processes 2 --webhook --backend postgres` runs two
on one PostgreSQL database and Redis, and a kill picks one of them. Under each row: CPU
seconds of each bot process, of this process (simulator and people), of PostgreSQL's backends
and of Redis beside the machine's busy time (benchmarks/cpu.py), so "two processes are not
faster" comes with what bounds it; the methods the faults hit; the time per phase.

Measured 2026-12-01 at ec58c95 (README, "Lifecycle benchmark", for the whole table; shared
2-core machine, other sessions kept it 60-190 % busy), seed 1, no kills, complaints/s:
N = 8, M = 4: SQLite polling 1.33 fault-free / 0.38 with 10 % faults, PostgreSQL polling
1.22 / 0.40, one webhook process 1.16 / 0.58, two 1.41 / 0.63; N = 40, M = 8: SQLite polling
1.34 / 0.55, one webhook process 1.15 / 0.46, two 1.53 / 0.48.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import random
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.cpu import CpuMeter
from benchmarks.harness import LaporBot, export_pythonpath, memory_kib, mib
from benchmarks.intake import (
    POSTGRES_URL,
    BotProcess,
    Citizen,
    FastWaitSimulator,
    Timings,
    citizen_name,
    percentile,
    reset_postgres,
)
from simulator import SimGroup, SimMessage, SimUser
from simulator.chaos import ALL_KINDS, JSON_KINDS, ChaosSimulator
from tests.texts import fragment, text

REDIS_URL = "redis://127.0.0.1:6379/15"
KILL_MOMENTS = ("mid-wizard", "after-send", "after-staff-press", "mid-outbox-send")
SEND_METHODS = ("sendmessage", "sendphoto", "sendmediagroup", "senddocument")


class LifecycleSimulator(FastWaitSimulator, ChaosSimulator):
    """Chaos faults, with waits that scale to many simulated people (intake.FastWaitSimulator)."""


@dataclass
class Plan:
    """One run: how many people, which backend, how bad the day is."""

    citizens: int = 10
    staff: int = 4
    backend: str = "sqlite"
    faults: float = 0.0
    kinds: tuple[str, ...] = JSON_KINDS
    kills: int = 0
    seed: int = 1
    step_timeout: float = 40.0
    run_timeout: float = 240.0
    postgres_url: str = POSTGRES_URL
    redis_url: str = REDIS_URL
    redis_prefix: str = "lifecycle"  # the run's Redis keys (deleted at its start)
    minimal: bool = True
    stagger: float = 0.0  # seconds between citizens starting (0: all at once)
    processes: int = 1  # bot processes on one database; more than one needs webhook mode
    global_rate: float = 30.0  # the bot's outbox sends per second (GLOBAL_MESSAGE_RATE; 0: unpaced)
    webhook: bool = False  # `lapor-bot --webhook`, the simulator posting round robin


@dataclass
class Outcome:
    """What one run did, from the people's side and from the database."""

    plan: Plan
    closed: int = 0
    stuck: list[str] = field(default_factory=list)
    wall: float = 0.0
    answers: list[float] = field(default_factory=list)
    stored: Counter[str] = field(default_factory=Counter)  # description -> rows
    twice_applied: list[tuple[int, str, int]] = field(default_factory=list)
    duplicate_sends: Counter[int] = field(default_factory=Counter)  # chat -> extra copies
    accepted_drops: Counter[int] = field(default_factory=Counter)  # chat -> unknowable ones
    # chat -> sends on their way when a kill came, sent again on the replay (the bot logs them)
    in_flight_at_kill: Counter[int] = field(default_factory=Counter)
    out_of_order: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # notices a closed complaint never got
    repeated: list[str] = field(default_factory=list)  # what was sent more than once, where
    codes: dict[int, str] = field(default_factory=dict)  # complaint index -> tracking code
    filed: set[int] = field(default_factory=set)  # complaints whose citizen pressed Send
    outbox_lag: list[float] = field(default_factory=list)
    outbox_unsent: int = 0
    peaks_kib: list[int] = field(default_factory=list)  # per bot process, over all its lives
    minimal_peak_kib: int = 0
    kills_done: list[str] = field(default_factory=list)
    phases: dict[str, list[float]] = field(default_factory=dict)  # phase -> s per complaint
    injected: Counter[str] = field(default_factory=Counter)
    injected_on: Counter[str] = field(default_factory=Counter)  # method -> faults
    cpu: str = ""  # where the CPU went while the people worked (benchmarks/cpu.py)
    paced: int = 0  # sends and edits (the outbox's share is paced to GLOBAL_MESSAGE_RATE)
    errors: list[str] = field(default_factory=list)

    @property
    def lost(self) -> int:
        """Complaints whose citizen pressed Send that are not in the database."""
        return sum(1 for i in self.filed if not self.stored[description(i)])

    @property
    def duplicated(self) -> int:
        """Complaints stored more than once."""
        return sum(count - 1 for count in self.stored.values() if count > 1)

    @property
    def unexplained_duplicates(self) -> int:
        """Duplicate sends beyond what the bot cannot know: a connection dropped after Telegram
        accepted, or a kill while the send was on its way (its answer never recorded)."""
        return sum(max(0, extra - self.accepted_drops[chat] - self.in_flight_at_kill[chat])
                   for chat, extra in self.duplicate_sends.items())


def description(index: int) -> str:
    """A description unique to one citizen's complaint (how the database is checked)."""
    return f"Jalan berlubang nomor {index} di depan pasar, sudah dua minggu membahayakan motor."


def pin(index: int) -> tuple[float, float]:
    """A location in Tarakan of its own, about 330 m from any other complaint's (no duplicates)."""
    return 3.26 + (index % 60) * 0.003, 117.56 + (index // 60) * 0.003


# ---------------------------------------------------------------- the people


class People:
    """The simulated city: citizens, admins, PUPR operators, their groups; marks for the killer."""

    def __init__(self, sim: LifecycleSimulator, plan: Plan) -> None:
        self.sim, self.plan = sim, plan
        admins = max(1, plan.staff // 2)
        self.admins = [sim.user(f"Admin {citizen_name(i)}") for i in range(admins)]
        self.operators = [sim.user(f"Petugas {citizen_name(i)}")
                          for i in range(max(1, plan.staff - admins))]
        self.coordinator = sim.user("Kiki Koordinator")
        everyone = [*self.admins, *self.operators, self.coordinator]
        self.admin_group = sim.group("Admin Pengaduan", members=everyone)
        self.coordinator_group = sim.group("Koordinator", members=everyone)
        self.pupr_group = sim.group("OPD PUPR", members=everyone)
        self.marks: Counter[str] = Counter()
        self.answers: list[float] = []
        self.filed: set[int] = set()
        self.phases: dict[str, list[float]] = {}  # phase -> seconds, one per complaint

    def _phase(self, name: str, since: float) -> float:
        """Record how long a complaint spent in one phase; returns now."""
        now = time.perf_counter()
        self.phases.setdefault(name, []).append(now - since)
        return now

    async def staff_the_city(self, database_url: str) -> None:
        """Staff and chat bindings through the services, as `lapor-admin` does."""
        from complaints import admin
        from complaints.model import ChatPurpose, Role
        from db.engine import create_engine, create_sessionmaker
        from db.uow import SqlUnitOfWork

        engine = create_engine(database_url)
        uow = partial(SqlUnitOfWork, create_sessionmaker(engine))
        now = datetime.now(UTC)
        try:
            for user in self.admins:
                await admin.add_staff(uow(), user.id, user.first_name, Role.ADMIN, None, now)
            for user in self.operators:
                await admin.add_staff(uow(), user.id, user.first_name, Role.OPD, "PUPR", now)
            await admin.add_staff(uow(), self.coordinator.id, "Kiki", Role.COORDINATOR, None, now)
            for group, purpose, agency in (
                    (self.admin_group, ChatPurpose.ADMIN, None),
                    (self.coordinator_group, ChatPurpose.COORDINATOR, None),
                    (self.pupr_group, ChatPurpose.OPD, "PUPR")):
                await admin.bind_chat(uow(), group.id, purpose, agency, now)
        finally:
            await engine.dispose()

    async def answer(self, user: SimUser, act: Awaitable[Any], *fragments: str,
                     chat: SimGroup | None = None, buttons: str | None = None,
                     step: str = "") -> SimMessage:
        """Do the action, wait for a bot message newer than it with every fragment; time it."""
        state = self.sim._chat_state(user, chat)
        after = max((m.message_id for m in state.messages), default=0)
        started = time.perf_counter()
        await act
        try:
            found = await user.wait_for(
                lambda m: m.message_id > after and all(f in m.content for f in fragments)
                and (buttons is None or buttons in m.buttons),
                chat=chat, timeout=self.plan.step_timeout)
        except AssertionError:
            wanted = " / ".join(f[:40] for f in fragments)
            raise StepStuck(f"{step}: no {wanted!r} within {self.plan.step_timeout}s; last:\n"
                            f"{self.sim.transcript(state.id, last=4)}") from None
        self.answers.append(time.perf_counter() - started)
        return found

    async def card(self, user: SimUser, group: SimGroup, code: str, button: str,
                   *fragments: str) -> SimMessage:
        """A message in a group mentioning the code and offering the button (new or edited)."""
        try:
            return await user.wait_for(
                lambda m: code in m.content and any(button in b for b in m.buttons)
                and all(f in m.content for f in fragments),
                chat=group, timeout=self.plan.step_timeout)
        except AssertionError:
            raise StepStuck(f"{code}: no {button!r} card within "
                            f"{self.plan.step_timeout}s") from None

    async def complaint(self, index: int) -> str:
        """One citizen's complaint from /start to a rating; returns its code."""
        citizen = self.sim.user(citizen_name(index), user_id=700_000_000 + index)
        name, say = citizen_name(index), partial(self.answer, citizen)
        began = time.perf_counter()
        consent = await say(citizen.send_text("/start"), text("reg-consent"), step="start")
        await say(citizen.press(consent, text("btn-agree")), text("reg-ask-name"), step="agree")
        await say(citizen.send_text(name), text("reg-ask-phone"), step="name")
        confirm = await say(citizen.send_contact(f"62812{index:08d}"), fragment("reg-confirm"),
                            name, step="contact")
        await say(citizen.press(confirm, text("btn-confirm")), text("reg-done", name=name),
                  step="confirm")
        await say(citizen.send_text("/lapor"), text("intake-photos", max=5), step="lapor")
        self.marks["mid-wizard"] += 1
        await say(citizen.send_photo(), text("intake-location"), step="photo")
        await say(citizen.send_location(*pin(index)), text("intake-landmark"), step="pin")
        await say(citizen.send_text(text("btn-skip")), text("intake-description"), step="skip")
        categories = await say(citizen.send_text(description(index)), text("intake-category"),
                               step="description")
        review = await say(citizen.press(categories, "Jalan dan jembatan"),
                           fragment("intake-review"), step="category")
        send = citizen.press(review, text("btn-send"))
        self.filed.add(index)
        done = await say(self._mark_after(send, "after-send"), fragment("intake-submitted"),
                         step="send")
        code = next(word.strip(".,()") for word in done.content.split()
                    if word.startswith("LPR-"))
        began = self._phase("register+file", began)
        await self.staff_work(index, code)
        began = self._phase("staff", began)
        closed = await citizen.wait_for(lambda m: code in m.content
                                        and fragment("citizen-closed") in m.content
                                        and "⭐⭐⭐⭐⭐" in m.buttons,
                                        timeout=self.plan.step_timeout)
        began = self._phase("closed notice", began)
        await say(citizen.press(closed, "⭐⭐⭐⭐⭐"), fragment("rating-ask-comment"), step="rate")
        await say(citizen.send_text("Cepat dan rapi, terima kasih!"),
                  text("rating-thanks", code=code), step="comment")
        self._phase("rating", began)
        return code

    async def staff_work(self, index: int, code: str) -> None:
        """Verify and forward, process, done with proof, close: by this complaint's staff."""
        admin = self.admins[index % len(self.admins)]
        operator = self.operators[index % len(self.operators)]
        group, pupr, press = self.admin_group, self.pupr_group, self._mark_after
        began = time.perf_counter()
        card = await self.card(admin, group, code, text("btn-verify-forward"))
        started = began = self._phase("admin card", began)
        await admin.press(card, text("btn-verify-forward"))
        menu = await self.card(admin, group, code, "⭐ PUPR")  # the card turned into a menu
        self.answers.append(time.perf_counter() - started)
        pick = next(b for b in menu.buttons if "⭐ PUPR" in b)
        await press(admin.press(menu, pick), "after-staff-press")
        began = self._phase("verify+forward", began)
        opd_card = await self.card(operator, pupr, code, text("btn-process"))
        began = self._phase("PUPR card", began)
        await press(operator.press(opd_card, text("btn-process")), "after-staff-press")
        working = await self.card(operator, pupr, code, text("btn-done-proof"))
        ask = await self.answer(operator, operator.press(working, text("btn-done-proof")),
                                code, operator.first_name, chat=pupr, step="done")
        note = f"Lubang nomor {index} sudah ditambal."
        summary = await self.answer(operator, operator.send_photo(chat=pupr, reply_to=ask,
                                                                  caption=note),
                                    note, chat=pupr, buttons=text("btn-proof-submit"),
                                    step="proof")
        await press(operator.press(summary, text("btn-proof-submit")), "after-staff-press")
        began = self._phase("PUPR work", began)
        proof = await self.card(admin, group, code, text("btn-close-notify"))
        began = self._phase("proof card", began)
        await press(admin.press(proof, text("btn-close-notify")), "after-staff-press")

    async def _mark_after(self, action: Awaitable[Any], mark: str) -> Any:
        result = await action
        self.marks[mark] += 1
        return result


class StepStuck(Exception):
    """Someone waited for an answer that did not come."""


# ---------------------------------------------------------------- chaos: kills


async def killer(bots: list[LaporBot], people: People, plan: Plan, outcome: Outcome) -> None:
    """SIGKILL a bot process at drawn moments and restart it at once."""
    draw = random.Random(plan.seed * 7919 + 1)
    first = draw.randrange(len(KILL_MOMENTS))  # then each moment in turn
    for number in range(plan.kills):
        moment = KILL_MOMENTS[(first + number) % len(KILL_MOMENTS)]
        seen = progress(people, moment)
        while progress(people, moment) <= seen:  # noqa: ASYNC110 (counters, not events)
            await asyncio.sleep(0.01)
        await asyncio.sleep(draw.uniform(0.0, 0.15))
        bot = draw.choice(bots)
        await bot.kill()
        outcome.kills_done.append(moment)
        await bot.start()
        await asyncio.sleep(draw.uniform(0.2, 0.8))


def progress(people: People, moment: str) -> int:
    """How often a kill moment has come so far (outbox album sends are read from the calls)."""
    if moment == "mid-outbox-send":
        return sum(len(people.sim.calls_to(m)) for m in ("sendMediaGroup", "sendPhoto"))
    return people.marks[moment]


async def sample_memory(bots: list[LaporBot]) -> None:
    """Keep each bot's peak resident memory up to date across its lives."""
    while True:
        for bot in bots:
            bot.memory()
        await asyncio.sleep(0.5)


# ---------------------------------------------------------------- checks afterwards


async def query(database_url: str, sql: str) -> list[tuple[Any, ...]]:
    """Rows of one SQL query on the bot's database (SQLite or PostgreSQL)."""
    from sqlalchemy import text as sql_text

    from db.engine import create_engine

    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            return [tuple(row) for row in await connection.execute(sql_text(sql))]
    finally:
        await engine.dispose()


async def settle(database_url: str, within: float) -> int:
    """Wait until the outbox has sent what it can; returns the rows still pending or claimed."""
    deadline = time.monotonic() + within
    while True:
        [(pending,)] = await query(database_url, "SELECT count(*) FROM outbox "
                                                 "WHERE status IN ('pending', 'sending')")
        if not pending or time.monotonic() > deadline:
            return int(pending)
        await asyncio.sleep(0.5)


async def check(outcome: Outcome, sim: LifecycleSimulator, people: People,
                database_url: str) -> None:
    """Count lost, duplicated, twice applied, duplicate sends and order, from DB and chats."""
    rows = await query(database_url, "SELECT description, count(*) FROM reports GROUP BY 1")
    outcome.stored = Counter({str(d): int(n) for d, n in rows})
    outcome.twice_applied = [(int(r), str(a), int(n)) for r, a, n in await query(
        database_url, "SELECT report_id, action, count(*) FROM report_events "
                      "GROUP BY report_id, action HAVING count(*) > 1")]
    lag_rows = await query(database_url, "SELECT created_at, sent_at FROM outbox "
                                         "WHERE status = 'sent' AND sent_at IS NOT NULL")
    outcome.outbox_lag = [(_when(sent) - _when(created)).total_seconds()
                          for created, sent in lag_rows]
    repeated_sends(outcome, sim)
    outcome.accepted_drops = Counter(sim.accepted_sends)
    outcome.injected = Counter(sim.injected)
    outcome.injected_on = Counter(call.method for call in sim.calls if call.fault)
    outcome.paced = sum(1 for call in sim.calls
                        if call.method.lower().startswith(("send", "edit")))
    order = ("intake-submitted", "citizen-forwarded", "citizen-in-progress", "citizen-closed")
    coordinator = people.coordinator.bot_messages(people.coordinator_group)
    for index, code in outcome.codes.items():
        user = sim._users[700_000_000 + index]
        seen = [next((m.message_id for m in user.bot_messages()
                      if code in m.content and fragment(key) in m.content), None)
                for key in order]
        outcome.missing.extend(f"citizen {index}: {key}" for key, at in zip(order, seen,
                                                                           strict=True)
                               if at is None)
        got = [at for at in seen if at is not None]
        if got != sorted(got):
            outcome.out_of_order.append(f"citizen {index}: {dict(zip(order, seen, strict=True))}")
        if sum(code in m.content for m in coordinator) < 2:  # forwarded, then closed
            outcome.missing.append(f"coordinator: {code}")


IN_FLIGHT_LINE = re.compile(r"\w+ to (-?\d+) was on its way when the process stopped")


def in_flight_resends(log: Path) -> Counter[int]:
    """Per chat, the sends a replay made again because a kill caught them on their way."""
    if not log.exists():
        return Counter()
    return Counter(int(chat) for chat in IN_FLIGHT_LINE.findall(log.read_text(errors="replace")))


def repeated_sends(outcome: Outcome, sim: LifecycleSimulator) -> None:
    """Sends repeated in a chat: the same method and body accepted twice.

    Copies later edited into different messages are distinct (a "card is being sent" line
    that becomes the card); of the others, all but one are repeats, and a copy never edited
    while a twin was (a card whose buttons and status nobody updates) is one too.
    """
    groups: dict[tuple[Any, ...], list[tuple[bool, str]]] = {}
    for call in sim.calls:
        if call.method.lower() not in SEND_METHODS or not call.ok:
            continue
        chat = call.params.get("chat_id")
        body = str(call.params.get("text") or call.params.get("caption")
                   or call.params.get("photo") or call.params.get("media"))
        answer = call.response if isinstance(call.response, list) else [call.response]
        for position, sent in enumerate(answer):  # an album: one message per picture
            message_id = sent.get("message_id") if isinstance(sent, dict) else None
            found = next((m for m in sim.chat_messages(int(chat), include_deleted=True)
                          if m.message_id == message_id), None)
            if found is not None:
                groups.setdefault((chat, call.method, body, position), []).append(
                    (found.edited, found.content))
    for (chat, method, body, _), copies in groups.items():
        edited = {content for was_edited, content in copies if was_edited}
        untouched = [content for was_edited, content in copies if not was_edited]
        extra = len(untouched) - (0 if edited else 1)
        if len(edited) < len([c for c in copies if c[0]]):  # edited into the same thing twice
            extra += len([c for c in copies if c[0]]) - len(edited)
        if extra > 0:
            outcome.duplicate_sends[int(chat)] += extra
            outcome.repeated.append(f"{extra + 1}x {method} to {chat}: {body[:90]!r}")


def _when(value: Any) -> datetime:
    """A timestamp from either database (SQLite hands back text)."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromisoformat(str(value)).replace(tzinfo=UTC)


# ---------------------------------------------------------------- one run


def fresh_sqlite(scratch: Path, name: str) -> str:
    """The URL of an empty SQLite database file (a previous run's is removed)."""
    for stale in scratch.glob(f"{name}.db*"):
        stale.unlink()
    return f"sqlite+inline:///{scratch / f'{name}.db'}"


async def run(plan: Plan, scratch: Path) -> Outcome:
    """One lifecycle run on a fresh database; the minimal bot after it, same machine and run."""
    outcome = Outcome(plan)
    name = (f"{plan.backend}-{plan.processes}{'w' if plan.webhook else 'p'}"
            f"-f{plan.faults:g}-k{plan.kills}")
    redis_url: str | None = None
    if plan.backend == "postgres":
        database_url = plan.postgres_url
        await reset_postgres(database_url)
        redis_url = plan.redis_url
        import redis.asyncio as aioredis

        client = aioredis.from_url(redis_url)
        try:
            async for key in client.scan_iter(match=f"{plan.redis_prefix}:*", count=500):
                await client.delete(key)
        finally:
            await client.aclose()
    else:
        database_url = fresh_sqlite(scratch, name)
    if plan.processes > 1 and not (plan.webhook and redis_url):
        raise ValueError("several bot processes need --webhook, PostgreSQL and Redis")
    async with LifecycleSimulator(rate=plan.faults, seed=plan.seed, kinds=plan.kinds) as sim:
        sim.enabled = False
        bots = [LaporBot(sim, database_url, scratch, redis_url=redis_url, name=f"{name}-p{k}",
                         webhook=plan.webhook,
                         extra_env={"GLOBAL_MESSAGE_RATE": str(plan.global_rate),
                                    "REDIS_PREFIX": plan.redis_prefix})
                for k in range(plan.processes)]
        people = People(sim, plan)
        for bot in bots:
            await bot.start()
        sampler = asyncio.create_task(sample_memory(bots))
        try:
            await people.staff_the_city(database_url)
            meter = CpuMeter(bots, database_url if redis_url else None, redis_url)
            await meter.start()
            sim.enabled = plan.faults > 0
            await drive(people, bots, plan, outcome)
            sim.enabled = False
            await meter.stop()
            outcome.cpu = meter.line()
            outcome.outbox_unsent = await settle(database_url, 30.0)
        except Exception as exc:
            outcome.errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            sim.enabled = False
            sampler.cancel()
            for bot in bots:
                bot.memory()
                code = await bot.stop()
                if code not in (0, None):
                    outcome.errors.append(f"{bot.name} exited with {code}:\n{bot.log_tail(8)}")
            outcome.peaks_kib = [bot.peak_kib for bot in bots]
        outcome.answers, outcome.filed = people.answers, people.filed
        outcome.phases = people.phases
        await check(outcome, sim, people, database_url)
        outcome.in_flight_at_kill = sum((in_flight_resends(bot.log) for bot in bots), Counter())
    if plan.minimal:
        outcome.minimal_peak_kib = await minimal_peak(plan, scratch, name)
    return outcome


async def drive(people: People, bots: list[LaporBot], plan: Plan, outcome: Outcome) -> None:
    """All complaints at once (and the killer); wall time until the last one is rated."""
    kills = asyncio.create_task(killer(bots, people, plan, outcome)) if plan.kills else None
    started = time.perf_counter()

    async def complaint(index: int) -> str:
        await asyncio.sleep(index * plan.stagger)
        return await people.complaint(index)

    tasks = [asyncio.create_task(complaint(i)) for i in range(plan.citizens)]
    _, pending = await asyncio.wait(tasks, timeout=plan.run_timeout)
    outcome.wall = time.perf_counter() - started
    for task in pending:
        task.cancel()
    for index, task in enumerate(tasks):
        if task in pending:
            outcome.stuck.append(f"complaint {index}: still running after {plan.run_timeout}s")
        elif task.exception() is not None:
            outcome.stuck.append(f"complaint {index}: {task.exception()}")
        else:
            outcome.closed += 1
            outcome.codes[index] = task.result()
    if kills is not None:
        if not kills.done():
            kills.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await kills
        if not kills.cancelled() and kills.exception() is not None:
            outcome.errors.append(f"killer: {kills.exception()}")
    for bot in bots:
        if bot.alive():
            continue
        code = bot.process.returncode if bot.process else None
        if code != -9:  # not our SIGKILL (its restart was cut short): it died by itself
            outcome.errors.append(f"{bot.name} exited by itself with {code}:\n"
                                  f"{bot.log_tail(6)}")
        await bot.start()


async def minimal_peak(plan: Plan, scratch: Path, name: str) -> int:
    """Peak RSS of intake.py's minimal aiogram bot with the same citizens filing (KiB)."""
    async with FastWaitSimulator() as sim:
        minimal = BotProcess("minimal", sim, f"sqlite+aiosqlite:///{scratch / f'{name}-min.db'}",
                             scratch / f"{name}-minimal.log", None)
        await minimal.start(60)
        process = minimal.process
        assert process is not None
        try:
            citizens = [Citizen(sim, sim.user(f"Warga{i}"), citizen_name(i), f"62812{i:08d}",
                                Timings(), plan.step_timeout) for i in range(plan.citizens)]
            await asyncio.gather(*(c.run() for c in citizens), return_exceptions=True)
            return memory_kib(process.pid)[1]
        finally:
            await minimal.stop()


# ---------------------------------------------------------------- report


HEADER = (f"{'backend':<9}{'proc':>5}{'mode':>5}{'faults':>7}{'kills':>6}{'N':>4}{'M':>3}"
          f"{'closed':>7}{'stuck':>6}{'wall_s':>8}{'compl/s':>8}{'p50_ms':>7}{'p99_ms':>7}{'lag50_s':>8}"
          f"{'lag99_s':>8}{'lost':>5}{'dup':>4}{'2x':>3}{'dupsend':>8}{'drop@ok':>8}{'kill@':>6}"
          f"{'RSS_MiB':>8}{'min_MiB':>8}")


def row(outcome: Outcome) -> str:
    """One line of the table."""
    plan = outcome.plan
    rate = outcome.closed / outcome.wall if outcome.wall else 0.0

    def ms(values: list[float], q: float) -> str:
        value = percentile(values, q)
        return "-" if math.isnan(value) else f"{value * 1000:.0f}"

    def s(values: list[float], q: float) -> str:
        value = percentile(values, q)
        return "-" if math.isnan(value) else f"{value:.2f}"

    mode = "hook" if plan.webhook else "poll"
    return (f"{plan.backend:<9}{plan.processes:>5}{mode:>5}{plan.faults:>7.0%}{plan.kills:>6}"
            f"{plan.citizens:>4}{plan.staff:>3}{outcome.closed:>7}{len(outcome.stuck):>6}{outcome.wall:>8.1f}"
            f"{rate:>8.2f}"
            f"{ms(outcome.answers, 0.5):>7}{ms(outcome.answers, 0.99):>7}"
            f"{s(outcome.outbox_lag, 0.5):>8}{s(outcome.outbox_lag, 0.99):>8}"
            f"{outcome.lost:>5}{outcome.duplicated:>4}{len(outcome.twice_applied):>3}"
            f"{sum(outcome.duplicate_sends.values()):>8}"
            f"{sum(outcome.accepted_drops.values()):>8}{sum(outcome.in_flight_at_kill.values()):>6}"
            f"{mib(max(outcome.peaks_kib, default=0)):>8}"
            f"{mib(outcome.minimal_peak_kib) if outcome.minimal_peak_kib else '-':>8}")


def details(outcome: Outcome) -> list[str]:
    """What went wrong in a run, a few lines each."""
    lines = []
    if len(outcome.peaks_kib) > 1:
        lines.append("  peak RSS per process (MiB): " + ", ".join(map(mib, outcome.peaks_kib)))
    if outcome.kills_done:
        lines.append(f"  kills at: {', '.join(outcome.kills_done)}")
    if outcome.injected:
        lines.append("  faults injected: " + ", ".join(
            f"{kind} {count}" for kind, count in sorted(outcome.injected.items()))
            + "; on " + ", ".join(f"{method} {count}"
                                  for method, count in outcome.injected_on.most_common()))
    if outcome.cpu:
        lines.append(outcome.cpu)
    if outcome.paced and outcome.wall:
        lines.append(f"  sends and edits, replies and outbox: {outcome.paced} "
                     f"({outcome.paced / outcome.wall:.1f}/s over the run; the outbox's share "
                     f"paced to {outcome.plan.global_rate:g}/s for all processes together)")
    if outcome.phases:
        lines.append("  per complaint, mean / max s: " + ", ".join(
            f"{phase} {sum(times) / len(times):.1f} / {max(times):.1f}"
            for phase, times in outcome.phases.items()))
    for label, items in (("stuck", outcome.stuck), ("out of order", outcome.out_of_order),
                         ("missing", outcome.missing),
                         ("error", outcome.errors)):
        lines.extend(f"  ! {label}: {item}" for item in items[:3])
    if outcome.twice_applied:
        lines.append(f"  ! transitions applied twice (report, action, times): "
                     f"{outcome.twice_applied[:5]}")
    if outcome.unexplained_duplicates:
        lines.append(f"  ! {outcome.unexplained_duplicates} duplicate send(s) not explained by "
                     "a connection dropped after Telegram accepted or a kill while on its way")
        lines.extend(f"    {item}" for item in outcome.repeated[:4])
    if outcome.outbox_unsent:
        lines.append(f"  ! {outcome.outbox_unsent} outbox row(s) still pending or claimed 30 s "
                     "after the run")
    return lines


async def main_async(args: argparse.Namespace) -> None:
    """Every (faults, kills) pair on the chosen backend, then the table."""
    export_pythonpath()
    processes = args.processes
    if processes > 1 and not (args.webhook and args.backend == "postgres"):
        raise SystemExit("--processes 2 needs --webhook and --backend postgres (PostgreSQL "
                         "and Redis): polling processes would take each other's updates")
    mode = "webhook" if args.webhook else "polling"
    print(f"lifecycle benchmark: backend {args.backend}, {processes} {mode} process(es), "
          f"{args.citizens} citizens, {args.staff} staff, seed {args.seed}; load average "
          f"{os_load():.2f}", flush=True)
    kinds = ALL_KINDS if args.html_502 else JSON_KINDS
    lines = []
    with tempfile.TemporaryDirectory(prefix="lapor-lifecycle-") as scratch:
        for faults in args.faults:
            for kills in args.kills:
                plan = Plan(citizens=args.citizens, staff=args.staff, backend=args.backend,
                            faults=faults, kinds=kinds, kills=kills, seed=args.seed,
                            step_timeout=args.step_timeout, run_timeout=args.run_timeout,
                            postgres_url=args.postgres_url, redis_url=args.redis_url,
                            minimal=not args.no_minimal, processes=processes,
                            webhook=args.webhook, global_rate=args.global_rate)
                print(f"  running faults {faults:.0%}, kills {kills}...", flush=True)
                outcome = await run(plan, Path(scratch))
                lines.append(row(outcome))
                lines.extend(details(outcome))
    print()
    print(HEADER)
    for line in lines:
        print(line)
    print("compl/s: complaints closed and rated / wall time; p50/p99: action until the awaited "
          "answer; lag: outbox row created until sent; stuck: complaints that did not get "
          "through to rated (someone waited in vain); lost: Send pressed but not stored; "
          "dup: stored twice; 2x: transitions applied twice; dupsend: sends repeated "
          "in a chat; drop@ok: of which Telegram accepted before the connection dropped; kill@: "
          "sends a kill caught on their way, sent again by the replay (the bot logs each); RSS: "
          "highest peak of any bot process (over all its lives; per process below when "
          "several); min: minimal aiogram bot, same citizens")


def os_load() -> float:
    """The 1-minute load average (the machine is shared)."""
    import os

    return os.getloadavg()[0]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--citizens", type=int, default=20, help="N complaints (one each)")
    parser.add_argument("--staff", type=int, default=4, help="M staff: half admins, half PUPR")
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--faults", type=float, nargs="+", default=[0.0, 0.1],
                        help="shares of Bot API calls that fail, one run each")
    parser.add_argument("--kills", type=int, nargs="+", default=[0],
                        help="SIGKILLs per run, one run each")
    parser.add_argument("--html-502", action="store_true", help="also 502s with an HTML body")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--processes", type=int, default=1,
                        help="bot processes (2 needs --webhook, PostgreSQL and Redis)")
    parser.add_argument("--webhook", action="store_true", help="run the bots in webhook mode")
    parser.add_argument("--step-timeout", type=float, default=40.0)
    parser.add_argument("--run-timeout", type=float, default=240.0)
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    parser.add_argument("--redis-url", default=REDIS_URL)
    parser.add_argument("--global-rate", type=float, default=30.0,
                        help="the bot's outbox sends per second, all processes together "
                             "(Telegram's ~30/s; 0: unpaced, to see what the machine bounds)")
    parser.add_argument("--no-minimal", action="store_true",
                        help="skip the minimal aiogram bot's memory baseline")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Entry point; always 0 (figures are reported, not judged)."""
    try:
        asyncio.run(main_async(parse_args(argv)))
    except KeyboardInterrupt:
        print("interrupted")
    return 0


if __name__ == "__main__":
    sys.exit(main())

