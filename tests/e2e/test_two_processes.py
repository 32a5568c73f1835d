"""Two real `python -m bot --webhook` processes on PostgreSQL + Redis behind one address.

The simulator posts each update to the next process in turn, as nginx would in front of them.
What is checked is what the scaled-out shape promises: one chat's updates keep their order
whichever process gets them, a button pressed on both processes is applied once, the two
outbox workers send every row once, and SIGKILL of one process loses nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import os
import signal
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.startup import prepare_database
from bot.webhook import SECRET_HEADER
from complaints import admin
from complaints.model import ChatPurpose, Role
from configuration.settings import Settings
from db.engine import create_engine, create_sessionmaker
from db.uow import SqlUnitOfWork, Wakeups
from simulator import BotApiSimulator, SimGroup, SimMessage, SimUser
from tests.e2e.flows import CODE_RE, IN_TARAKAN, expect
from tests.e2e.staff import open_menu
from tests.e2e.storage import scalar
from tests.e2e.test_webhook import PATH, PUBLIC, ROOT, SECRET, free_port
from tests.texts import fragment, text

ON_POSTGRES = pytest.mark.parametrize("backend", ["postgres"], indirect=True)
WAIT = 10.0  # per step, two processes sharing the machine's two cores
AFTER_KILL = 45.0  # a dead holder's chat turn expires after 15 s, the sweep runs every 5 s


class BotProcess:
    """One bot process in webhook mode, configured through its environment as in production."""

    def __init__(self, settings: Settings, sim: BotApiSimulator, workdir: Path,
                 name: str) -> None:
        self.port = free_port()
        self.local = f"http://127.0.0.1:{self.port}"
        self.log_path = workdir / f"{name}.log"
        self.workdir = workdir
        self.sim = sim
        self.settings = settings
        self.process: asyncio.subprocess.Process | None = None
        sim.webhook_upstreams.append(self.local)

    async def start(self) -> None:
        """Start the process; returns once it listens and has set the webhook."""
        environment = {key: value for key, value in os.environ.items()
                       if not key.startswith(("BOT_", "DATABASE_", "REDIS_", "WEBHOOK_"))}
        environment.update(
            PYTHONPATH=str(ROOT), BOT_TOKEN=self.sim.token, BOT_API_URL=self.sim.base_url,
            DATABASE_URL=self.settings.database_url, REDIS_URL=self.settings.redis_url or "",
            REDIS_PREFIX=self.settings.redis_prefix, WEBHOOK_URL=PUBLIC, WEBHOOK_SECRET=SECRET,
            WEBHOOK_PORT=str(self.port), LOG_LEVEL="INFO", PRIVATE_MESSAGE_INTERVAL="0",
            GROUP_MESSAGE_INTERVAL="0")
        environment.pop("GEOCODER_URL", None)
        calls = len(self.sim.calls_to("setWebhook"))
        with self.log_path.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "--webhook", cwd=self.workdir, env=environment,
                stdout=log, stderr=log)
        for _ in range(1200):  # setWebhook is called once the server listens
            if len(self.sim.calls_to("setWebhook")) > calls or self.process.returncode is not None:
                break
            await asyncio.sleep(0.05)
        assert len(self.sim.calls_to("setWebhook")) > calls, self.log()

    def kill(self) -> None:
        """SIGKILL: no clean-up of any kind, as when the machine loses the process."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)

    async def stop(self) -> None:
        if self.process is None or self.process.returncode is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self.process.wait(), timeout=40)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


@contextlib.asynccontextmanager
async def two_processes(settings: Settings, sim: BotApiSimulator,
                        workdir: Path) -> AsyncIterator[tuple[BotProcess, BotProcess]]:
    """Processes A and B, in the simulator's rotation in that order."""
    first = BotProcess(settings, sim, workdir, "a")
    second = BotProcess(settings, sim, workdir, "b")
    try:
        await first.start()
        await second.start()
        yield first, second
    finally:
        await asyncio.gather(first.stop(), second.stop())
        for process in (first, second):  # no handler may have failed
            assert "Traceback" not in process.log(), process.log()


@dataclass
class Office:
    """Two admins, the admin group and two agencies' groups."""

    ani: SimUser
    dodi: SimUser
    group: SimGroup
    pupr: SimGroup
    dlh: SimGroup


async def staffed(settings: Settings, sim: BotApiSimulator) -> Office:
    """The schema, the admins and the groups bound, before either process starts."""
    await prepare_database(settings.database_url)
    engine = create_engine(settings.database_url)
    try:
        uow = partial(SqlUnitOfWork, create_sessionmaker(engine), Wakeups())
        now = datetime.now(UTC)
        first, second = sim.user("Ani Admin"), sim.user("Dodi Admin")
        await admin.add_staff(uow(), first.id, "Ani Admin", Role.ADMIN, None, now)
        await admin.add_staff(uow(), second.id, "Dodi Admin", Role.ADMIN, None, now)
        group = sim.group("Admin Pengaduan", members=[first, second])
        await admin.bind_chat(uow(), group.id, ChatPurpose.ADMIN, None, now)
        pupr = sim.group("OPD PUPR", members=[first])
        await admin.bind_chat(uow(), pupr.id, ChatPurpose.OPD, "PUPR", now)
        dlh = sim.group("OPD DLH", members=[first])
        await admin.bind_chat(uow(), dlh.id, ChatPurpose.OPD, "DLH", now)
    finally:
        await engine.dispose()
    return Office(first, second, group, pupr, dlh)


async def register(user: SimUser, name: str, wait: float = WAIT) -> None:
    """/start, consent, name, contact, confirm."""
    await user.send_text("/start")
    await expect(user, text("welcome"), wait=wait)
    consent = await expect(user, text("reg-consent"), wait=wait)
    await user.press(consent, text("btn-agree"))
    await expect(user, text("reg-ask-name"), wait=wait)
    await user.send_text(name)
    await expect(user, text("reg-ask-phone"), wait=wait)
    await user.send_contact("6281234567890")
    await expect(user, text("reg-phone-ok"), wait=wait)
    confirm = await expect(user, fragment("reg-confirm"), name, wait=wait)
    await user.press(confirm, text("btn-confirm"))
    await expect(user, text("reg-done", name=name), wait=wait)


async def up_to_description(user: SimUser, n: int, wait: float = WAIT) -> None:
    """/lapor, a photo, a pin (each citizen a little apart), no landmark."""
    await user.send_text("/lapor")
    await expect(user, text("intake-start"), wait=wait)
    await expect(user, fragment("intake-photos"), wait=wait)
    await user.send_photo()
    await expect(user, fragment("intake-location"), wait=wait)
    await user.send_location(IN_TARAKAN[0] + n * 0.002, IN_TARAKAN[1])
    await expect(user, text("intake-landmark"), wait=wait)
    await user.send_text(text("btn-skip"))
    await expect(user, text("intake-description"), wait=wait)


async def describe(user: SimUser, n: int) -> None:
    await user.send_text(f"Saluran air tersumbat nomor {n}, banjir setiap hujan deras di gang.")


async def to_review(user: SimUser, wait: float = WAIT) -> SimMessage:
    """From the description's answer (the categories) to the review, then Send: the code."""
    categories = await expect(user, text("intake-category"), wait=wait)
    await user.press(categories, "Jalan dan jembatan")
    review = await user.next_message(timeout=wait)
    while text("intake-category") in review.content:  # sent again by a replay after a kill
        review = await user.next_message(timeout=wait)
    if fragment("duplicates-offer") in review.content:  # a neighbour's report: ours is new
        await user.press(review, text("btn-duplicate-none"))
        review = await expect(user, fragment("intake-review"), wait=wait)
    assert fragment("intake-review") in review.content, review.content
    return review


async def submit(user: SimUser, review: SimMessage, wait: float = WAIT) -> str:
    await user.press(review, text("btn-send"))
    done = await expect(user, fragment("intake-submitted"), wait=wait)
    match = CODE_RE.search(done.content)
    assert match, done.content
    return match.group(0)


async def file_complaint(user: SimUser, n: int, wait: float = WAIT) -> str:
    """A new citizen registers and files one complaint; returns the code they were given."""
    await register(user, user.first_name, wait)
    await up_to_description(user, n, wait)
    await describe(user, n)
    return await submit(user, await to_review(user, wait), wait)


async def assert_delivered_once(citizens: dict[str, SimUser], codes: dict[str, str],
                                admin_user: SimUser, group: SimGroup,
                                settings: Settings) -> None:
    """Every citizen saw their code once; every report stored once with one admin card."""
    submitted = fragment("intake-submitted")
    for name, citizen in citizens.items():
        receipts = [m for m in citizen.bot_messages() if submitted in m.content]
        assert len(receipts) == 1, (name, [m.content for m in receipts])
        assert codes[name] in receipts[0].content
    assert len(set(codes.values())) == len(citizens)
    verify = text("btn-verify-forward")
    for code in codes.values():
        await admin_user.wait_for(lambda m, c=code: c in m.content and verify in m.buttons,
                                  chat=group, timeout=AFTER_KILL)
    await asyncio.sleep(1.0)  # a duplicate would come right behind
    for code in codes.values():
        posted = [m for m in admin_user.bot_messages(group) if code in m.content]
        assert len([m for m in posted if verify in m.buttons]) == 1, [m.content for m in posted]
    assert await scalar(settings, "select count(*) from reports") == len(citizens)
    assert await scalar(settings, "select count(distinct code) from reports") == len(citizens)
    assert await scalar(settings, "select count(*) from citizens") == len(citizens)
    assert await scalar(
        settings, "select count(*) from outbox where status not in ('sent')") == 0


@ON_POSTGRES
async def test_one_citizens_updates_alternate_between_processes_in_order(
        settings: Settings, sim: BotApiSimulator, tmp_path: Path) -> None:
    office = await staffed(settings, sim)
    admin_user, group = office.ani, office.group
    async with two_processes(settings, sim, tmp_path) as (first, second):
        citizen = sim.user("Rina")
        code = await file_complaint(citizen, 0)
        await assert_delivered_once({"Rina": citizen}, {"Rina": code}, admin_user, group,
                                    settings)
        attempts = [a for a in sim.webhook_attempts if a.status == 200]
        assert {a.url for a in attempts} == {first.local + PATH, second.local + PATH}
        # every update answered once, and each process got about half of them in turn
        assert len({a.update_id for a in attempts}) == len(attempts)
        to_first = sum(a.url == first.local + PATH for a in attempts)
        assert abs(2 * to_first - len(attempts)) <= 1
        assert await scalar(settings,
                            "select count(*) from inbox_updates where handled_at is null") == 0


async def post_to(process: BotProcess, update: dict[str, Any]) -> int:
    """Post an update straight to one process, as the proxy would; returns the status."""
    async with aiohttp.ClientSession() as http, http.post(
            process.local + PATH, json=update, headers={SECRET_HEADER: SECRET}) as answer:
        return answer.status


@ON_POSTGRES
async def test_the_same_press_on_both_processes_is_applied_once(
        settings: Settings, sim: BotApiSimulator, tmp_path: Path) -> None:
    office = await staffed(settings, sim)
    ani, dodi, group = office.ani, office.dodi, office.group
    async with two_processes(settings, sim, tmp_path) as (first, second):
        codes = [await file_complaint(sim.user(name), n) for n, name in enumerate(("Budi", "Sari"))]
        verify = text("btn-verify-forward")

        # Two admins choose an agency on the same card at once; the presses reach the two
        # processes in turn, each member's in its own queue, so either may come first: it
        # forwards, and the other finds the report already forwarded.
        card = await ani.wait_for(lambda m: codes[0] in m.content and verify in m.buttons,
                                  chat=group, timeout=WAIT)
        menu = await open_menu(ani, group, card, verify, "PUPR")
        pupr, dlh = menu.button_data("PUPR"), menu.button_data("DLH")
        presses = await asyncio.gather(ani.press_data(menu, pupr), dodi.press_data(menu, dlh))
        answers = [(await user.callback_answer(query, timeout=WAIT))["text"]
                   for user, query in zip((ani, dodi), presses, strict=True)]
        won = 0 if answers[0] == f"Diteruskan {codes[0]}" else 1
        assert answers[won] == f"Diteruskan {codes[0]}"
        winner = ("Ani Admin", "Dodi Admin")[won]
        assert f"Sudah ditangani oleh {winner}" in answers[1 - won]
        first_agency = (office.pupr, office.dlh)[won]

        # The very same press posted to both processes at the same moment (a proxy retrying
        # on the other process while the first still works on it), and then by Telegram too.
        card = await ani.wait_for(lambda m: codes[1] in m.content and verify in m.buttons,
                                  chat=group, timeout=WAIT)
        menu = await open_menu(ani, group, card, verify, "DLH")
        query = sim._user_press(ani, menu, menu.button_data("DLH"))
        update = copy.deepcopy(sim._updates[-1])
        assert update["callback_query"]["id"] == query
        assert await asyncio.gather(post_to(first, update), post_to(second, update)) == [200, 200]
        assert "Diteruskan" in (await ani.callback_answer(query, timeout=WAIT))["text"]

        pupr_group, dlh_group = office.pupr, office.dlh
        process = text("btn-process")
        routed = ((codes[0], first_agency), (codes[1], dlh_group))
        for code, agency in routed:
            await ani.wait_for(lambda m, c=code: c in m.content and process in m.buttons,
                               chat=agency, timeout=WAIT)
        await asyncio.sleep(1.0)  # a second card or answer would come right behind
        for code, agency in routed:
            other = dlh_group if agency is pupr_group else pupr_group
            assert len([m for m in ani.bot_messages(agency)
                        if code in m.content and process in m.buttons]) == 1
            assert not [m for m in ani.bot_messages(other) if code in m.content]
        answered = [c for c in sim.calls_to("answerCallbackQuery")
                    if c.params.get("callback_query_id") == query]
        assert len(answered) == 1
        assert await scalar(settings, "select count(*) from report_events "
                            "where action = 'forward'") == 2
        for code in codes:
            assert await scalar(settings, "select count(*) from report_events e join reports r "
                                "on r.id = e.report_id where r.code = :c and e.action = "
                                "'forward'", c=code) == 1
            assert await scalar(settings, "select status from reports where code = :c",
                                c=code) == "forwarded"
        assert await scalar(settings, "select count(*) from outbox "
                            "where kind = 'agency_card'") == 2


@ON_POSTGRES
async def test_two_outbox_workers_send_every_row_once(
        settings: Settings, sim: BotApiSimulator, tmp_path: Path) -> None:
    """Citizens file at once on both processes; both outbox workers claim the cards."""
    office = await staffed(settings, sim)
    async with two_processes(settings, sim, tmp_path):
        citizens = {name: sim.user(name) for name in
                    ("Budi", "Sari", "Joko", "Wati", "Eko", "Rudi")}
        codes = await asyncio.gather(*(file_complaint(citizen, n) for n, citizen
                                       in enumerate(citizens.values())))
        await assert_delivered_once(citizens, dict(zip(citizens, codes, strict=True)),
                                    office.ani, office.group, settings)
        # each card is its photo, then the card: six of each in the group, each sent once
        to_group = [c for c in sim.calls if c.method.startswith("send")
                    and str(c.params.get("chat_id")) == str(office.group.id)]
        assert sorted(c.method for c in to_group) == ["sendMessage"] * 6 + ["sendPhoto"] * 6
        assert all(c.ok for c in to_group)
        posted = office.ani.bot_messages(office.group)
        assert len([m for m in posted if m.photo_file_ids]) == 6
        for code in codes:
            assert len([m for m in posted if code in m.content]) == 1
        for citizen in citizens.values():  # nothing doubled in a citizen's chat either
            contents = [m.content for m in citizen.bot_messages()]
            assert len(contents) == len(set(contents)), contents
        assert await scalar(settings, "select count(*) from outbox where kind = 'admin_card' "
                            "and status = 'sent'") == 6


@ON_POSTGRES
async def test_sigkill_of_one_process_loses_nothing(
        settings: Settings, sim: BotApiSimulator, tmp_path: Path) -> None:
    """Process A dies while it handles citizens' steps; B finishes every conversation."""
    office = await staffed(settings, sim)
    async with two_processes(settings, sim, tmp_path) as (first, second):
        citizens = {name: sim.user(name) for name in ("Budi", "Sari", "Joko", "Wati")}
        await asyncio.gather(*(register(c, c.first_name) for c in citizens.values()))
        await asyncio.gather(*(up_to_description(c, n)
                               for n, c in enumerate(citizens.values())))
        seen = len(sim.webhook_attempts)
        for n, citizen in enumerate(citizens.values()):
            await describe(citizen, n)
        for _ in range(200):  # A answered one of them: it is handling it now
            if any(a.url == first.local + PATH and a.status == 200
                   for a in sim.webhook_attempts[seen:]):
                break
            await asyncio.sleep(0.01)
        first.kill()
        assert await asyncio.wait_for(first.process.wait(), 10) == -signal.SIGKILL

        reviews = await asyncio.gather(*(to_review(c, AFTER_KILL) for c in citizens.values()))
        codes = await asyncio.gather(*(submit(c, review, AFTER_KILL)
                                       for c, review in zip(citizens.values(), reviews,
                                                            strict=True)))
        await assert_delivered_once(citizens, dict(zip(citizens, codes, strict=True)),
                                    office.ani, office.group, settings)
        assert any(a.url == first.local + PATH and a.status is None
                   for a in sim.webhook_attempts)  # the proxy found A gone and went on to B
        assert second.process is not None and second.process.returncode is None
        assert await scalar(settings,
                            "select count(*) from inbox_updates where handled_at is null") == 0

        await first.start()  # back in the rotation: both serve the citizens again
        served = len(sim.webhook_attempts)
        for citizen, code in zip(citizens.values(), codes, strict=True):
            await citizen.send_text("/status")
            await expect(citizen, code, wait=WAIT)
        assert {a.url for a in sim.webhook_attempts[served:] if a.status == 200} == {
            first.local + PATH, second.local + PATH}
