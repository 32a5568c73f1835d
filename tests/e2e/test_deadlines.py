"""Deadlines end to end, with a clock the test moves: the real bot reminds, marks overdue and
escalates once each (also across restarts), reassigns from the escalation, sends the digest once.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.app import application
from bot.deadlines import DeadlineScheduler
from bot.outbox import OutboxWorker
from bot.pacing import Pacer
from configuration.settings import Settings, load_settings
from simulator import BotApiSimulator, SimGroup, SimMessage
from tests.conftest import RunningBot
from tests.e2e.staff import (
    City,
    admin_card,
    agency_card,
    citizen_files,
    forward,
    staff_the_city,
    start_work,
)
from tests.texts import text

WITA = ZoneInfo("Asia/Makassar")
MONDAY = datetime(2026, 12, 7, 9, 0, tzinfo=WITA)
ROUNDS = 1.0  # seconds: about ten scheduler rounds, enough for a second notice to show up


class MovableClock:
    """The bot's clock, moved by the test (AppContext.clock)."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def set(self, moment: datetime) -> None:
        self.now = moment


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock(MONDAY)


@pytest.fixture
def digest_hour() -> int:
    return 23  # out of the way unless a test is about the digest


@pytest.fixture
async def bot(settings: Settings, sim: BotApiSimulator, clock: MovableClock,
              digest_hour: int) -> AsyncIterator[RunningBot]:
    fast = load_settings(**{**settings.model_dump(), "sla_check_interval": 0.1,
                            "digest_hour": digest_hour})
    running = RunningBot(fast, sim, clock)
    await running.start()
    try:
        yield running
    finally:
        await running.stop()


@pytest.fixture
async def city(sim: BotApiSimulator, bot: RunningBot) -> City:
    return await staff_the_city(sim, bot)


def bot_lines(group: SimGroup, *fragments: str) -> list[SimMessage]:
    """The bot's messages in a group containing every fragment."""
    return [m for m in group.bot_messages() if all(f in m.content for f in fragments)]


async def settle() -> None:
    """Let the scheduler run some more rounds (and the outbox send what they caused)."""
    await asyncio.sleep(ROUNDS)


@pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)
async def test_unverified_report_is_reminded_then_overdue_then_escalated_once_each(
        sim: BotApiSimulator, city: City, bot: RunningBot, clock: MovableClock) -> None:
    _, code = await citizen_files(sim, "Budi Santoso")
    card = await admin_card(city, code)
    assert "10 Desember 2026 23:59 WITA" in card.content  # verify: 3 working days
    await settle()
    assert not bot_lines(city.admin_group, "Pengingat", code)

    # one working day before the due time: the admin group is reminded
    clock.set(datetime(2026, 12, 10, 0, 5, tzinfo=WITA))
    await city.admin.wait_for(lambda m: "Pengingat" in m.content and code in m.content
                              and "verifikasi" in m.content, chat=city.admin_group, timeout=10)
    await settle()
    await bot.restart()
    await settle()
    assert len(bot_lines(city.admin_group, "Pengingat", code)) == 1
    assert not bot_lines(city.coordinator_group, "Eskalasi")

    # past the due time: overdue in the admin group, escalation to the coordinator
    clock.set(datetime(2026, 12, 11, 9, 0, tzinfo=WITA))
    await city.admin.wait_for(lambda m: "Lewat batas waktu" in m.content and code in m.content,
                              chat=city.admin_group, timeout=10)
    escalation = await city.coordinator.wait_for(
        lambda m: "Eskalasi" in m.content and code in m.content, chat=city.coordinator_group,
        timeout=10)
    assert "Admin Pengaduan (verifikasi, dokumentasi)" in escalation.content
    assert "🆕" in escalation.content
    assert not escalation.buttons  # nothing to move: no agency holds it yet
    # the card shows how late it is
    await city.admin.wait_for(lambda m: m.message_id == card.message_id
                              and "Terlambat 9 jam (per 11 Desember 2026 09:00 WITA)" in m.content,
                              chat=city.admin_group)
    await bot.restart()
    clock.set(datetime(2026, 12, 11, 10, 0, tzinfo=WITA))
    await settle()
    assert len(bot_lines(city.admin_group, "Pengingat", code)) == 1
    assert len(bot_lines(city.admin_group, "Lewat batas waktu", code)) == 1
    assert len(bot_lines(city.coordinator_group, "Eskalasi", code)) == 1


async def test_coordinator_reassigns_an_overdue_report_from_the_escalation(
        sim: BotApiSimulator, city: City, clock: MovableClock) -> None:
    citizen, code = await citizen_files(sim, "Budi Santoso")
    await forward(city, await admin_card(city, code), "PUPR")
    old_card = await agency_card(city.pupr, city.pupr_group, code)
    process = old_card.button_data(text("btn-process"))
    # PUPR neither starts nor sends it back within 3 working days
    clock.set(datetime(2026, 12, 11, 9, 0, tzinfo=WITA))
    await city.pupr.wait_for(lambda m: "Lewat batas waktu" in m.content and code in m.content,
                             chat=city.pupr_group, timeout=10)
    escalation = await city.coordinator.wait_for(
        lambda m: "Eskalasi" in m.content and code in m.content, chat=city.coordinator_group,
        timeout=10)
    assert "Dinas Pekerjaan Umum dan Penataan Ruang" in escalation.content

    # an agency's officer may not move it; the coordinator may
    refused = await city.pupr.press(escalation, text("btn-reassign-code", code=code))
    assert (await city.pupr.callback_answer(refused))["show_alert"]
    await city.coordinator.press(escalation, text("btn-reassign-code", code=code))
    ask = await city.coordinator.wait_for(
        lambda m: code in m.content and any(b.startswith("DLH") for b in m.buttons),
        chat=city.coordinator_group)
    assert not any(b.startswith(("PUPR", "⭐ PUPR")) for b in ask.buttons)
    await city.coordinator.press(ask, "DLH")
    await city.coordinator.wait_for(
        lambda m: m.message_id == ask.message_id and "Dinas Lingkungan Hidup" in m.content
        and not m.buttons, chat=city.coordinator_group)

    # DLH gets a card to start; PUPR's card says it moved and loses its buttons
    new_card = await agency_card(city.dlh, city.dlh_group, code)
    assert "Batas mulai ditindaklanjuti dinas: 16 Desember 2026 23:59 WITA" in new_card.content
    await city.pupr.wait_for(lambda m: m.message_id == old_card.message_id
                             and "Sudah dialihkan ke Dinas Lingkungan Hidup" in m.content
                             and not m.buttons, chat=city.pupr_group)
    await citizen.wait_for(lambda m: code in m.content and "dialihkan ke" in m.content
                           and "Dinas Lingkungan Hidup" in m.content)
    # the old agency's Process is refused even if pressed from a stale copy of the card
    refused = await city.pupr.press_data(old_card, process)
    assert (await city.pupr.callback_answer(refused))["show_alert"]


async def test_admin_reassigns_a_report_in_progress_from_the_admin_card(
        sim: BotApiSimulator, city: City) -> None:
    citizen, code = await citizen_files(sim, "Budi Santoso")
    card = await admin_card(city, code)
    await forward(city, card, "PUPR")
    await start_work(city, code)  # PUPR started, then it turns out to be DLH's
    moved = await city.admin.wait_for(lambda m: m.message_id == card.message_id
                                      and m.buttons == [text("btn-reassign")]
                                      and text("status-in_progress") in m.content,
                                      chat=city.admin_group)
    await city.admin.press(moved, text("btn-reassign"))
    ask = await city.admin.wait_for(lambda m: code in m.content and any(
        b.startswith("DLH") for b in m.buttons), chat=city.admin_group)
    await city.admin.press(ask, "DLH")
    await agency_card(city.dlh, city.dlh_group, code)
    await citizen.wait_for(lambda m: code in m.content and "dialihkan ke" in m.content)


@pytest.mark.parametrize("digest_hour", [8])
async def test_daily_digest_goes_once_at_its_hour_even_across_a_restart(
        sim: BotApiSimulator, city: City, bot: RunningBot, clock: MovableClock,
        digest_hour: int) -> None:
    clock.set(datetime(2026, 12, 7, 10, 0, tzinfo=WITA))
    _, code = await citizen_files(sim, "Budi Santoso")
    await forward(city, await admin_card(city, code), "PUPR")
    await citizen_files(sim, "Sari Warga")
    # the digest at 10:00 covers Sunday (nothing); the next one, Monday's, waits for 08:00
    await city.coordinator.wait_for(lambda m: "Ringkasan 6 Desember 2026" in m.content,
                                    chat=city.coordinator_group, timeout=10)
    clock.set(datetime(2026, 12, 8, 7, 59, tzinfo=WITA))
    await settle()
    assert not bot_lines(city.coordinator_group, "Ringkasan 7 Desember 2026")
    clock.set(datetime(2026, 12, 8, 8, 0, tzinfo=WITA))
    digest = await city.coordinator.wait_for(
        lambda m: "Ringkasan 7 Desember 2026" in m.content, chat=city.coordinator_group,
        timeout=10)
    assert "2 baru, 1 diteruskan, 0 selesai, 0 terlambat" in digest.content
    assert "Dinas Pekerjaan Umum dan Penataan Ruang: 1 baru · 1 diteruskan" in digest.content
    await bot.restart()
    clock.set(datetime(2026, 12, 8, 15, 0, tzinfo=WITA))
    await settle()
    assert len(bot_lines(city.coordinator_group, "Ringkasan 7 Desember 2026")) == 1
    assert len(bot_lines(city.coordinator_group, "Ringkasan 6 Desember 2026")) == 1




@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
async def test_a_second_process_scheduling_and_sending_causes_nothing_twice(
        sim: BotApiSimulator, city: City, bot: RunningBot, clock: MovableClock) -> None:
    """A second bot process (its own engine, scheduler and outbox worker) beside the first."""
    _, code = await citizen_files(sim, "Budi Santoso")
    await admin_card(city, code)
    async with application(bot.settings, sim.token, migrate=False, clock=clock) as second:
        scheduler = DeadlineScheduler(second.context)
        sender = OutboxWorker(second.bot, second.outbox, second.context, Pacer(0, 0),
                              second.wakeups.outbox)
        tasks = [asyncio.create_task(scheduler.run()), asyncio.create_task(sender.run())]
        try:
            clock.set(datetime(2026, 12, 10, 0, 5, tzinfo=WITA))
            await settle()
            clock.set(datetime(2026, 12, 11, 9, 0, tzinfo=WITA))
            await settle()
            await settle()
        finally:
            scheduler.stop()
            sender.stop()
            await asyncio.gather(*tasks)
    assert len(bot_lines(city.admin_group, "Pengingat", code)) == 1
    assert len(bot_lines(city.admin_group, "Lewat batas waktu", code)) == 1
    assert len(bot_lines(city.coordinator_group, "Eskalasi", code)) == 1
